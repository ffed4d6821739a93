"""The pages a worker renders: an entity's page and its triples, graph views of a query."""

from __future__ import annotations

import re
import urllib.parse
from typing import TYPE_CHECKING

from rdflib import Dataset, Graph, URIRef

if TYPE_CHECKING:
    from conftest import Client  # tests/server/conftest.py

FRENCH = "SELECT ?c WHERE { ?c a cvekg:FrenchCity } ORDER BY ?c"
PLACES = "CONSTRUCT { ?a cvekg:place ?c } WHERE { ?a a cvekg:Attack ; cvekg:place ?c }"
LYON = "https://w3id.org/cvekg/id/city/lyon"


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
