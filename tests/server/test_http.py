"""The HTTP layer: the SPARQL 1.1 Protocol (read-only, cross-origin, offline), the query page's
files, the built views, the routes; and the ``cvekg serve`` command."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
import pytest

from graph.query.named import list_queries
from graph.server import SparqlServer

if TYPE_CHECKING:
    from conftest import Client  # tests/server/conftest.py

FRENCH = "SELECT ?c WHERE { ?c a cvekg:FrenchCity } ORDER BY ?c"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
LYON = "https://w3id.org/cvekg/id/city/lyon"


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


# --- the query page, the views, the routes -------------------------------------------------


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
    assert client.request("GET", "/static/../http.py")[0] == 404
    assert client.request("GET", "/static/entity.html.j2")[0] == 404


def test_examples_are_the_named_queries(client: Client) -> None:
    status, _, body = client.request("GET", "/api/queries")
    document = json.loads(body)
    assert status == 200
    assert [q["name"] for q in document["queries"]] == [q.name for q in list_queries()]
    assert all(q["question"] and q["text"] for q in document["queries"])
    assert document["prefixes"]["cvekg"] == "https://w3id.org/cvekg/ontology#"


def test_instance_iri_path_redirects(client: Client) -> None:
    status, headers, _ = client.request("GET", "/id/city/lyon", Accept="text/turtle")
    assert status == 303 and headers["Location"] == "/entity/city/lyon"


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


def test_cvekg_serve_command(built_dir: Path, client_for: type[Client]) -> None:
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
        status, _, body = client_for(url).get("ASK { city:lyon a cvekg:FrenchCity }")
        assert status == 200 and json.loads(body)["boolean"] is True
    finally:
        process.send_signal(signal.SIGINT)
        rest = process.communicate(timeout=10)[1]
    assert process.returncode == 130, rest  # interrupted, as every command documents
    assert "stopped" in rest


def test_stated_only_parameter_leaves_out_claims_read_from_context(client: Client) -> None:
    """Orlando as the Marseille delegation's host is read from context: with
    ``stated-only=1`` the endpoint does not answer it; what the words state stays."""
    host = "ASK { event:city-pair-marseille-2016 cvekg:hostCity city:orlando }"
    partner = "ASK { event:city-pair-marseille-2016 cvekg:partnerCity city:orlando }"
    for query, everything, stated in ((host, True, False), (partner, True, True)):
        for flag, expected in (({}, everything), ({"stated-only": "1"}, stated)):
            path = "/sparql?" + urllib.parse.urlencode({"query": query, **flag})
            status, _, body = client.request("GET", path, Accept="application/sparql-results+json")
            assert status == 200, body
            assert json.loads(body)["boolean"] is expected, (query, flag)
