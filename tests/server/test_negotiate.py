"""Content negotiation: results and graphs in the format ``Accept`` prefers, 406 when none fits,
``?format=`` over ``Accept``."""

from __future__ import annotations

import urllib.parse
from typing import TYPE_CHECKING

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph

from graph.server.negotiate import (
    ENTITY_MEDIA,
    GRAPH_MEDIA,
    RESULT_MEDIA,
    format_override,
    negotiate,
)

if TYPE_CHECKING:
    from conftest import Client  # tests/server/conftest.py

FRENCH = "SELECT ?c WHERE { ?c a cvekg:FrenchCity } ORDER BY ?c"
PLACES = "CONSTRUCT { ?a cvekg:place ?c } WHERE { ?a a cvekg:Attack ; cvekg:place ?c }"


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


def test_format_override_takes_names_aliases_and_media_types() -> None:
    assert format_override(" CSV ", RESULT_MEDIA) == "csv"
    assert format_override("text/tab-separated-values", RESULT_MEDIA) == "tsv"
    # SPARQLWrapper's format=json means JSON-LD for a graph, JSON results for a table.
    assert format_override("json", GRAPH_MEDIA) == "jsonld"
    assert format_override("json", RESULT_MEDIA) == "json"
    assert format_override("ttl", ENTITY_MEDIA) == "turtle"
    assert format_override("png", RESULT_MEDIA) is None
    assert negotiate("text/html;q=0.9, text/turtle", ENTITY_MEDIA) == "turtle"
