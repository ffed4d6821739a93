"""``cvekg serve``: the SPARQL 1.1 Protocol, read-only, offline, time-limited; entity pages."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef

from graph.query.named import list_queries
from graph.server import SparqlServer

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
FRENCH = "SELECT ?c WHERE { ?c a cvekg:FrenchCity } ORDER BY ?c"
PLACES = "CONSTRUCT { ?a cvekg:place ?c } WHERE { ?a a cvekg:Attack ; cvekg:place ?c }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
LYON = "https://w3id.org/cvekg/id/city/lyon"


def _start(out: Path, **options) -> tuple[SparqlServer, threading.Thread]:
    server = SparqlServer(out, port=0, **options).start()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def _stop(server: SparqlServer, thread: threading.Thread) -> None:
    server.shutdown()
    thread.join(5)
    server.close()


@pytest.fixture(scope="module")
def server(built_dir: Path) -> Iterator[SparqlServer]:
    """The seed graph served on a free port, with a small row cap to test it."""
    running, thread = _start(built_dir, timeout=10, max_rows=500, workers=2)
    yield running
    _stop(running, thread)


class Client:
    """Raw HTTP, one connection per request, as the W3C protocol tests do."""

    def __init__(self, url: str):
        parts = urllib.parse.urlsplit(url)
        self.host, self.port = parts.hostname, parts.port

    def request(
        self, method: str, path: str, body: bytes | str | None = None, **headers: str
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            data = body.encode("utf-8") if isinstance(body, str) else body
            wire = {k.replace("_", "-"): v for k, v in headers.items()}
            connection.request(method, path, body=data, headers=wire)
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def get(self, query: str, **headers: str):
        return self.request("GET", "/sparql?" + urllib.parse.urlencode({"query": query}), **headers)


@pytest.fixture(scope="module")
def client(server: SparqlServer) -> Client:
    return Client(server.url)


def _bindings(body: bytes) -> list[dict]:
    return json.loads(body)["results"]["bindings"]


# --- a real client -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml", "csv"])
def test_sparqlwrapper(server: SparqlServer, fmt: str) -> None:
    from SPARQLWrapper import CSV, JSON, XML, SPARQLWrapper

    endpoint = SPARQLWrapper(server.url + "sparql")
    endpoint.setQuery(FRENCH)
    endpoint.setReturnFormat({"json": JSON, "xml": XML, "csv": CSV}[fmt])
    result = endpoint.query()
    converted = result.convert()
    if fmt == "json":
        cities = [b["c"]["value"] for b in converted["results"]["bindings"]]
    elif fmt == "xml":
        cities = [u.firstChild.data for u in converted.getElementsByTagName("uri")]
    else:
        cities = converted.decode("utf-8").split("\r\n")[1:-1]
    assert len(cities) == 9 and LYON in cities


def test_sparqlwrapper_post_and_ask(server: SparqlServer) -> None:
    from SPARQLWrapper import JSON, POST, SPARQLWrapper

    endpoint = SPARQLWrapper(server.url + "sparql")
    endpoint.setMethod(POST)
    endpoint.setQuery("ASK { city:lyon a cvekg:FrenchCity }")
    endpoint.setReturnFormat(JSON)
    assert endpoint.query().convert()["boolean"] is True


# --- the protocol --------------------------------------------------------------------------


def test_query_via_get(client: Client) -> None:
    status, headers, body = client.get(FRENCH)
    assert status == 200
    assert headers["Content-Type"].startswith("application/sparql-results+json")
    assert len(_bindings(body)) == 9


def test_query_via_urlencoded_post(client: Client) -> None:
    form = urllib.parse.urlencode({"query": FRENCH})
    status, _, body = client.request(
        "POST", "/sparql", form, Content_Type="application/x-www-form-urlencoded"
    )
    assert status == 200 and len(_bindings(body)) == 9


def test_query_via_direct_post(client: Client) -> None:
    status, _, body = client.request(
        "POST", "/sparql", FRENCH, Content_Type="application/sparql-query; charset=utf-8"
    )
    assert status == 200 and len(_bindings(body)) == 9


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_not_allowed(client: Client, method: str) -> None:
    status, headers, _ = client.request(method, "/sparql", "x")
    assert status == 405 and "POST" in headers["Allow"]


def test_missing_query(client: Client) -> None:
    status, _, body = client.request("GET", "/sparql")
    assert status == 400 and b"no query" in body


def test_two_queries(client: Client) -> None:
    both = urllib.parse.urlencode([("query", FRENCH), ("query", "ASK {}")])
    status, _, body = client.request("GET", f"/sparql?{both}")
    assert status == 400 and b"2 queries" in body
    # One in the URL and one in the body is also two.
    status, _, _ = client.request(
        "POST",
        "/sparql?" + urllib.parse.urlencode({"query": FRENCH}),
        "ASK {}",
        Content_Type="application/sparql-query",
    )
    assert status == 400


def test_wrong_media_type(client: Client) -> None:
    status, _, body = client.request("POST", "/sparql", FRENCH, Content_Type="text/plain")
    assert status == 415 and b"application/sparql-query" in body


def test_bad_syntax(client: Client) -> None:
    status, headers, body = client.get("SELECT ?x WHERE {\n  ?x a cvek:City }")
    assert status == 400
    assert headers["Content-Type"].startswith("text/plain")
    assert body.decode().startswith("SPARQL syntax error at line 2, column 8: unknown prefix")


def test_update_refused_and_store_unchanged(client: Client) -> None:
    before = _bindings(client.get(COUNT)[2])[0]["n"]["value"]
    insert = "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }"
    tries = [
        client.request("POST", "/sparql", insert, Content_Type="application/sparql-update"),
        client.request(
            "POST",
            "/sparql",
            urllib.parse.urlencode({"update": insert}),
            Content_Type="application/x-www-form-urlencoded",
        ),
        client.get(insert),
        client.get("DELETE WHERE { ?s ?p ?o }"),
        client.get("LOAD <http://127.0.0.1:1/data.ttl>"),
        client.get("CLEAR ALL"),
    ]
    assert [status for status, _, _ in tries] == [403] * len(tries)
    assert all(b"read-only" in body for _, _, body in tries)
    assert _bindings(client.get(COUNT)[2])[0]["n"]["value"] == before
    ask = client.get("ASK { <urn:x:a> ?p ?o }")[2]
    assert json.loads(ask)["boolean"] is False


def test_remote_dataset_refused(client: Client) -> None:
    status, _, body = client.get("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }")
    assert status == 403 and b"FROM <http://example.org/g> is refused" in body
    path = "/sparql?" + urllib.parse.urlencode(
        {"query": "ASK { ?s ?p ?o }", "default-graph-uri": "http://example.org/g"}
    )
    status, _, body = client.request("GET", path)
    assert status == 403 and b"default-graph-uri" in body


def test_protocol_dataset_of_a_local_graph(client: Client) -> None:
    path = "/sparql?" + urllib.parse.urlencode(
        {
            "query": "SELECT ?c WHERE { ?c a cvekg:Country }",
            "default-graph-uri": "https://w3id.org/cvekg/graph/reference/places",
        }
    )
    status, _, body = client.request("GET", path)
    assert status == 200 and len(_bindings(body)) == 8


@pytest.mark.parametrize(
    "accept, media, parse",
    [
        ("application/sparql-results+xml", "application/sparql-results+xml", "XML"),
        ("text/tab-separated-values", "text/tab-separated-values", "TSV"),
        ("text/csv;q=0.5, application/sparql-results+json", "application/sparql-results+json",
         "JSON"),
        ("*/*", "application/sparql-results+json", "JSON"),
    ],
)  # fmt: skip
def test_results_negotiation(client: Client, accept: str, media: str, parse: str) -> None:
    status, headers, body = client.get(FRENCH, Accept=accept)
    assert status == 200 and headers["Content-Type"].startswith(media)
    rows = list(ox.parse_query_results(body, getattr(ox.QueryResultsFormat, parse)))
    assert len(rows) == 9


def test_csv_negotiation(client: Client) -> None:
    status, headers, body = client.get(FRENCH, Accept="text/csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert body.decode().split("\r\n")[0] == "c"


@pytest.mark.parametrize(
    "accept, rdflib_format",
    [
        ("text/turtle", "turtle"),
        ("application/trig", "trig"),
        ("application/ld+json", "json-ld"),
        ("application/n-triples", "nt"),
    ],
)
def test_graph_negotiation(client: Client, accept: str, rdflib_format: str) -> None:
    status, headers, body = client.get(PLACES, Accept=accept)
    assert status == 200 and headers["Content-Type"].startswith(accept)
    parsed = (Dataset() if rdflib_format == "trig" else Graph()).parse(
        data=body, format=rdflib_format
    )
    assert len(parsed) == 4


def test_not_acceptable(client: Client) -> None:
    status, _, body = client.get(FRENCH, Accept="image/png")
    assert status == 406 and b"application/sparql-results+json" in body
    status, _, _ = client.get(PLACES, Accept="application/sparql-results+json")
    assert status == 406


def test_format_parameter_overrides_accept(client: Client) -> None:
    path = "/sparql?" + urllib.parse.urlencode({"query": FRENCH, "format": "csv"})
    status, headers, _ = client.request("GET", path, Accept="application/sparql-results+xml")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")


def test_cors(client: Client) -> None:
    _, headers, _ = client.get(FRENCH, Origin="http://example.org")
    assert headers["Access-Control-Allow-Origin"] == "*"
    status, headers, _ = client.request(
        "OPTIONS",
        "/sparql",
        Origin="http://example.org",
        Access_Control_Request_Method="POST",
        Access_Control_Request_Headers="content-type",
    )
    assert status == 204
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in headers["Access-Control-Allow-Headers"]


def test_row_cap(client: Client) -> None:
    status, headers, body = client.get("SELECT * WHERE { ?s ?p ?o }")
    assert status == 200 and headers["X-SPARQL-MaxRows"] == "500"
    assert len(_bindings(body)) == 500
    assert "X-SPARQL-MaxRows" not in client.get(FRENCH)[1]


# --- offline: SERVICE never leaves the machine ---------------------------------------------


@pytest.fixture
def canary() -> Iterator[tuple[int, list]]:
    """A listening socket that records every connection made to it, from any process."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    seen: list = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            conn.settimeout(1)
            try:
                seen.append(conn.recv(4096))
            except OSError:
                seen.append(b"")
            conn.close()

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    yield listener.getsockname()[1], seen
    stop.set()
    thread.join(2)
    listener.close()


def test_canary_sees_an_unguarded_service_call(canary) -> None:
    """Control: Oxigraph on its own does fetch SERVICE, and the canary catches it."""
    port, seen = canary
    with pytest.raises(OSError):
        list(
            ox.Store().query(
                f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}"
            )
        )
    deadline = time.monotonic() + 2
    while not seen and time.monotonic() < deadline:
        time.sleep(0.05)
    assert seen and seen[0].startswith(b"POST / HTTP/1.1")


def test_service_refused_without_any_connection(
    server: SparqlServer, client: Client, canary, monkeypatch
) -> None:
    port, seen = canary
    own = (client.host, client.port)
    connects: list = []
    original = socket.socket.connect

    def guard(sock, address):
        connects.append(address)
        return original(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guard)
    for target in ("http://127.0.0.1:1/", f"http://127.0.0.1:{port}/sparql"):
        for send in (
            lambda q: client.get(q),
            lambda q: client.request("POST", "/sparql", q, Content_Type="application/sparql-query"),
        ):
            status, _, body = send(f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}")
            assert status == 403 and b"SERVICE is refused" in body
        status, _, _ = client.request(
            "GET",
            "/view?"
            + urllib.parse.urlencode(
                {"query": f"CONSTRUCT WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}"}
            ),
        )
        assert status == 403
    time.sleep(0.3)  # give a stray connection time to arrive
    assert seen == [], "a worker connected to the SERVICE address"
    assert connects and {tuple(a[:2]) for a in connects} == {own}


#: Queries Oxigraph reads as SERVICE calls that a tokeniser can mistake for a comment or a
#: string: a comment ends at a carriage return; an IRI may hold a no-break space and a '#'.
HIDDEN_SERVICE = [
    "SELECT * WHERE {{ # x\rSERVICE <{target}> {{ ?x ?y ?z }} }}",
    "SELECT * WHERE {{ BIND(<urn:\u00a0#> AS ?u) SERVICE <{target}> {{ ?x ?y ?z }} }}",
    "SELECT * WHERE {{ sErViCe<{target}>{{ ?x ?y ?z }} }}",
    "SELECT * WHERE {{ SERVICE SILENT\n<{target}> {{ ?x ?y ?z }} }}",
]


@pytest.mark.parametrize("template", HIDDEN_SERVICE)
def test_hidden_service_is_refused_without_any_connection(
    client: Client, canary, template: str
) -> None:
    port, seen = canary
    query = template.format(target=f"http://127.0.0.1:{port}/hidden")
    status, _, body = client.request(
        "POST", "/sparql", query, Content_Type="application/sparql-query"
    )
    assert status == 403 and b"SERVICE is refused" in body
    time.sleep(0.3)
    assert seen == [], "a worker connected to the SERVICE address"


# --- the time limit ------------------------------------------------------------------------


def test_slow_query_is_stopped_while_others_are_answered(built_dir: Path) -> None:
    server, thread = _start(built_dir, timeout=1.5, workers=2)
    try:
        client = Client(server.url)
        slow: dict = {}

        def run_slow() -> None:
            started = time.monotonic()
            slow["reply"] = client.get(SLOW)
            slow["seconds"] = time.monotonic() - started

        runner = threading.Thread(target=run_slow)
        runner.start()
        time.sleep(0.3)
        started = time.monotonic()
        status, _, body = client.get(FRENCH)
        fast_seconds = time.monotonic() - started
        assert runner.is_alive(), "the slow query should still be running"
        assert status == 200 and len(_bindings(body)) == 9
        assert fast_seconds < 1.0
        runner.join(15)
        status, _, body = slow["reply"]
        assert status == 503
        assert b"ran past the time limit of 1.5 s" in body
        assert 1.4 < slow["seconds"] < 6
        assert server.pool.replaced == 1
        # The server stays responsive, with its worker replaced.
        for _ in range(3):
            assert client.get(FRENCH)[0] == 200
    finally:
        _stop(server, thread)


def test_a_rebuilt_graph_is_served_without_a_restart(built_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    out.mkdir()
    shutil.copy(built_dir / "graph.trig", out / "graph.trig")
    server, thread = _start(out, timeout=10, workers=1)
    try:
        client = Client(server.url)
        ask = "ASK { city:lyon rdfs:label 'Lyon (rebuilt)'@en }"
        assert json.loads(client.get(ask)[2])["boolean"] is False
        # A build writes the new graph beside the old one, then renames it into place.
        extra = f'<{LYON}> <http://www.w3.org/2000/01/rdf-schema#label> "Lyon (rebuilt)"@en .'
        new = out / ".graph.trig.new"
        new.write_text((out / "graph.trig").read_text(encoding="utf-8") + "\n" + extra + "\n")
        os.replace(new, out / "graph.trig")
        deadline = time.monotonic() + 60
        answers = []
        while time.monotonic() < deadline:
            status, _, body = client.get(ask)
            assert status == 200  # the old workers answer while the new ones load
            answers.append(json.loads(body)["boolean"])
            if answers[-1]:
                break
            time.sleep(0.2)
        assert answers[0] is False and answers[-1] is True
        assert server.pool.reloads == 1 and server.pool.generation == 1
    finally:
        _stop(server, thread)


# --- pages ---------------------------------------------------------------------------------


def test_query_page_is_self_hosted(client: Client) -> None:
    status, headers, body = client.request("GET", "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    page = body.decode()
    assert 'src="http' not in page and 'href="http' not in page
    for name in ("query.js", "query.css"):
        status, headers, asset = client.request("GET", f"/static/{name}")
        assert status == 200 and headers["X-Content-Type-Options"] == "nosniff"
    script = client.request("GET", "/static/query.js")[2].decode()
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script
    assert client.request("GET", "/static/../server.py")[0] == 404
    assert client.request("GET", "/static/entity.html.j2")[0] == 404


def test_examples_are_the_named_queries(client: Client) -> None:
    status, _, body = client.request("GET", "/api/queries")
    document = json.loads(body)
    assert status == 200
    assert [q["name"] for q in document["queries"]] == [q.name for q in list_queries()]
    assert all(q["question"] and q["text"] for q in document["queries"])
    assert document["prefixes"]["cvekg"] == "https://w3id.org/cvekg/ontology#"


def test_entity_page(client: Client) -> None:
    status, headers, body = client.request("GET", "/entity/city/lyon", Accept="text/html")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    page = body.decode()
    assert "<h1>Lyon</h1>" in page
    assert "<mark>During a City Pair in December 2017, a delegation from Lyon learned about" in page
    assert 'href="/entity/event/city-pair-lyon-2017"' in page
    assert "French city" in page and "inferred" in page


def test_entity_triples_by_negotiation(client: Client) -> None:
    status, headers, body = client.request("GET", "/entity/city/lyon", Accept="text/turtle")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    assert "Accept" in headers["Vary"]
    graph = Graph().parse(data=body, format="turtle")
    assert (URIRef(LYON), URIRef("https://w3id.org/cvekg/ontology#locatedIn"), None) in graph
    status, _, body = client.request("GET", "/entity/city/lyon", Accept="application/trig")
    dataset = Dataset().parse(data=body, format="trig")
    claim = URIRef("https://w3id.org/cvekg/claim/dipnote-2019-06-06/city-pair-lyon")
    quote = dataset.graph(URIRef("https://w3id.org/cvekg/graph/provenance")).value(
        claim, URIRef("https://w3id.org/cvekg/ontology#quote")
    )
    assert str(quote).startswith("During a City Pair in December 2017")


def test_instance_iri_path_redirects(client: Client) -> None:
    status, headers, _ = client.request("GET", "/id/city/lyon", Accept="text/turtle")
    assert status == 303 and headers["Location"] == "/entity/city/lyon"


def test_unknown_entity_suggests(client: Client) -> None:
    status, _, body = client.request("GET", "/entity/city/lyons")
    assert status == 404 and b"did you mean city/lyon?" in body
    for slug in ("lyon%20x", "a%3Eb"):  # no IRI can hold them: no such entity, no crash
        assert client.request("GET", f"/entity/city/{slug}")[0] == 404


def test_view_of_a_construct(client: Client) -> None:
    path = "/view?" + urllib.parse.urlencode({"query": PLACES, "title": "Attack places"})
    status, headers, body = client.request("GET", path)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert "Attack places" in body.decode()
    status, _, body = client.request("GET", "/view?" + urllib.parse.urlencode({"query": FRENCH}))
    assert status == 400 and b"?s ?p ?o" in body


def test_every_link_of_a_view_leads_somewhere(client: Client) -> None:
    path = "/view?" + urllib.parse.urlencode({"query": PLACES})
    page = client.request("GET", path)[2].decode()
    menu = re.findall(r'<a [^>]*href="([^"#]+)"', page)
    entities = set(re.findall(r'"page":\s*"([^"]+)"', page))
    assert "/views/index.html" in menu and "/entity/city/orlando" in entities
    for link in {*menu, *entities}:
        status, headers, _ = client.request("GET", link)
        assert status == 200, link
        assert headers["Content-Type"].startswith("text/html"), link


def test_built_views_are_served_under_the_csp_of_their_scripts(client: Client) -> None:
    assert client.request("GET", "/views")[1]["Location"] == "/views/index.html"
    status, headers, body = client.request("GET", "/views/overview.html")
    assert status == 200 and b"vis-network" in body
    policy = headers["Content-Security-Policy"]
    assert "'sha256-" in policy and "default-src 'none'" in policy
    for outside in ("/views/../graph.trig", "/views/%2e%2e/graph.trig", "/views/x.js"):
        assert client.request("GET", outside)[0] == 404, outside


def test_head_and_unknown_paths(client: Client) -> None:
    status, headers, body = client.request("HEAD", "/")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 0
    assert client.request("GET", "/nothing-here")[0] == 404


# --- the command ---------------------------------------------------------------------------


def test_cvekg_serve_command(built_dir: Path) -> None:
    command = shutil.which("cvekg")
    assert command, "the cvekg command is installed with the package: pip install -e ."
    process = subprocess.Popen(
        [command, "serve", "--port", "0", "--out", str(built_dir), "--workers", "1"],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        url = None
        for line in process.stderr:
            if "query page:" in line:
                url = line.split("query page:")[1].split()[0]
                break
        assert url and url.startswith("http://127.0.0.1:")
        status, _, body = Client(url).get("ASK { city:lyon a cvekg:FrenchCity }")
        assert status == 200 and json.loads(body)["boolean"] is True
    finally:
        process.send_signal(signal.SIGINT)
        rest = process.communicate(timeout=10)[1]
    assert process.returncode == 0, rest
    assert "stopped" in rest
