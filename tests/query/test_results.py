"""Answers rendered: the W3C results formats (checked with Oxigraph's own parsers), RDF, the
terminal table with labels, and the quotes behind each row."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Dataset, Graph, URIRef

from graph.errors import display_width
from graph.namespaces import PREFIXES
from graph.query.results import (
    _wrap,
    answer,
    claim_quads,
    compact,
    row_sources,
    serialize,
    table,
)
from graph.query.sparql import execute

PAIRS = """SELECT ?french ?us ?date WHERE {
  ?e a cvekg:CityPairExchange ; cvekg:delegationFrom ?french ; cvekg:hostCity ?us ;
     cvekg:date ?date .
} ORDER BY ?date ?us"""
MIXED = """SELECT ?city ?label ?lat ?missing WHERE {
  VALUES ?city { city:lyon city:new-orleans }
  ?city rdfs:label ?label ; geo:lat ?lat . FILTER(LANG(?label) = "fr")
  OPTIONAL { ?city cvekg:nothing ?missing }
} ORDER BY ?city"""
ATTACK_PLACES = "CONSTRUCT { ?a cvekg:place ?c } WHERE { ?a a cvekg:Attack ; cvekg:place ?c }"
CITY = "https://w3id.org/cvekg/id/city/"


def _solutions(results) -> list[dict]:
    names = [v.value for v in results.variables]
    return [{n: row[n] for n in names if row[n] is not None} for row in results]


@pytest.mark.parametrize(
    "fmt, parser",
    [
        ("json", ox.QueryResultsFormat.JSON),
        ("xml", ox.QueryResultsFormat.XML),
        ("tsv", ox.QueryResultsFormat.TSV),
    ],
)
def test_results_formats_parse_back_identically(store, fmt: str, parser) -> None:
    for query in (PAIRS, MIXED):
        body = serialize(execute(store, query), fmt)
        expected = _solutions(
            store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True)
        )
        assert _solutions(ox.parse_query_results(body, parser)) == expected


def test_mixed_terms_keep_language_datatype_and_unbound(store) -> None:
    document = json.loads(serialize(execute(store, MIXED), "json"))
    assert document["head"]["vars"] == ["city", "label", "lat", "missing"]
    first = document["results"]["bindings"][0]
    assert first["label"] == {"type": "literal", "value": "Lyon", "xml:lang": "fr"}
    assert first["lat"]["datatype"] == "http://www.w3.org/2001/XMLSchema#decimal"
    assert "missing" not in first


def test_csv_is_plain_values_with_crlf(store) -> None:
    body = serialize(execute(store, PAIRS), "csv").decode("utf-8")
    assert body.startswith("french,us,date\r\n")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1] == [CITY + "marseille", CITY + "orlando", "2016-12"]
    assert len(rows) == 1 + 6


def test_ask_in_every_results_format(store) -> None:
    yes = execute(store, "ASK { city:lyon a cvekg:FrenchCity }")
    assert json.loads(serialize(yes, "json")) == {"head": {}, "boolean": True}
    assert bool(ox.parse_query_results(serialize(yes, "xml"), ox.QueryResultsFormat.XML))
    assert serialize(yes, "csv").decode().splitlines() == ["boolean", "true"]
    no = execute(store, "ASK { city:lyon a cvekg:USCity }")
    assert table(no) == "no\n"


@pytest.mark.parametrize(
    "fmt, rdflib_format",
    [("turtle", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"), ("trig", "trig")],
)
def test_graph_formats_parse(store, fmt: str, rdflib_format: str) -> None:
    outcome = execute(store, ATTACK_PLACES)
    body = serialize(outcome, fmt)
    parsed = Graph().parse(data=body, format=rdflib_format)
    assert len(parsed) == len(outcome.triples) == 4


def test_turtle_declares_only_the_prefixes_it_uses(store) -> None:
    body = serialize(execute(store, ATTACK_PLACES), "turtle").decode()
    prefixes = {line.split()[1] for line in body.splitlines() if line.startswith("@prefix")}
    assert prefixes == {"attack:", "city:", "cvekg:"}
    assert "attack:orlando-pulse-nightclub cvekg:place city:orlando ." in body


def test_wrong_format_for_the_form_is_a_clear_error(store) -> None:
    from graph.errors import CvekgError

    with pytest.raises(CvekgError, match="a CONSTRUCT answer is a graph"):
        serialize(execute(store, ATTACK_PLACES), "csv")
    with pytest.raises(CvekgError, match="a SELECT answer is a table"):
        serialize(execute(store, PAIRS), "turtle")


def test_table_shows_labels_aligned(store) -> None:
    text = table(execute(store, PAIRS), store)
    lines = text.splitlines()
    assert lines[0].split() == ["french", "us", "date"]
    assert lines[2].split() == ["Marseille", "Orlando", "2016-12"]
    assert "New Orleans" in text
    assert lines[-1] == "(6 rows)"
    lyon = next(line for line in lines if line.startswith("Lyon"))
    assert lines[0].index("us") == lines[2].index("Orlando") == lyon.index("New Orleans")
    assert lines[0].index("date") == lines[2].index("2016-12") == lyon.index("2017-12")


def test_table_with_iris(store) -> None:
    text = table(execute(store, PAIRS), store, iris=True)
    assert "city:marseille" in text and "city:new-orleans" in text
    assert "New Orleans" not in text


def test_a_label_column_is_not_printed_twice_beside_its_entity(store) -> None:
    """The shipped queries return ``?city ?cityLabel``: the terminal shows one column."""
    query = """SELECT ?city ?cityLabel ?n WHERE {
      VALUES (?city ?n) { (city:new-orleans 1) (city:boston 2) }
      OPTIONAL { ?city rdfs:label ?cityLabel FILTER(lang(?cityLabel) = "fr" && ?n = 1) }
    } ORDER BY ?n"""
    lines = table(execute(store, query), store).splitlines()
    assert lines[0].split() == ["city", "n"]
    assert lines[2].split() == ["La", "Nouvelle-Orléans", "1"]  # the query's label
    assert lines[3].split() == ["Boston", "2"]  # no label in the row: the entity's English one
    iris = table(execute(store, query), store, iris=True).splitlines()
    assert iris[0].split() == ["city", "cityLabel", "n"]


def test_compact() -> None:
    assert compact("https://w3id.org/cvekg/ontology#FrenchCity") == "cvekg:FrenchCity"
    assert compact(CITY + "lyon") == "city:lyon"
    assert (
        compact("https://w3id.org/cvekg/claim/doc/name")
        == "<https://w3id.org/cvekg/claim/doc/name>"
    )


def test_row_sources_find_the_claim_of_each_pair(store) -> None:
    outcome = execute(store, PAIRS)
    sources = row_sources(store, outcome)
    by_us = {
        row[1].value.rsplit("/", 1)[1]: found
        for row, found in zip(outcome.rows, sources, strict=True)
    }
    assert [s.name for s in by_us["new-orleans"]] == ["dipnote-2019-06-06/city-pair-lyon"]
    assert "delegation from Lyon" in by_us["new-orleans"][0].quote
    assert all(len(found) >= 1 for found in sources)


def test_sources_as_columns(store) -> None:
    outcome = execute(store, PAIRS)
    body = serialize(outcome, "json", sources=row_sources(store, outcome))
    document = json.loads(body)
    assert document["head"]["vars"] == ["french", "us", "date", "claims", "quotes"]
    first = document["results"]["bindings"][0]
    assert first["claims"]["value"].endswith("/city-pair-marseille")
    assert "Marseille participated in a City Pair" in first["quotes"]["value"]


def test_table_with_sources_prints_quotes_under_rows(store) -> None:
    text = answer(store, PAIRS, with_sources=True, width=200).body.decode()
    lines = text.splitlines()
    lyon = next(i for i, line in enumerate(lines) if line.startswith("Lyon"))
    assert lines[lyon + 1].startswith("    “During a City Pair in December 2017")
    # The Lyon claim reads its host from context: the table says so, with the note.
    assert "(dipnote-2019-06-06/city-pair-lyon, read from context: The text says" in lines[lyon + 1]


def test_construct_with_sources_puts_triples_in_their_claims(store) -> None:
    outcome = execute(store, ATTACK_PLACES)
    quads = claim_quads(store, outcome.triples)
    body = serialize(outcome, "trig", quads=quads)
    dataset = Dataset().parse(data=body, format="trig")
    claim = URIRef("https://w3id.org/cvekg/claim/dipnote-2019-06-06/orlando-pulse-nightclub-attack")
    assert len(dataset.graph(claim)) == 1
    provenance = dataset.graph(URIRef("https://w3id.org/cvekg/graph/provenance"))
    quote = provenance.value(claim, URIRef("https://w3id.org/cvekg/ontology#quote"))
    assert "Orlando" in str(quote)


def test_construct_with_sources_needs_a_dataset_format(store) -> None:
    from graph.errors import CvekgError

    with pytest.raises(CvekgError, match="trig or jsonld"):
        answer(store, ATTACK_PLACES, "turtle", with_sources=True)
    assert answer(store, ATTACK_PLACES, with_sources=True).format == "trig"


LONG = """SELECT ?label ?quote WHERE {
  GRAPH ?claim { ?s cvekg:learnedAbout ?o } ?claim cvekg:quote ?quote .
  ?o rdfs:label ?label . FILTER(LANG(?label) = "en")
} ORDER BY DESC(STRLEN(?quote)) LIMIT 3"""


@pytest.mark.parametrize("width", [40, 72, 120])
def test_table_wraps_to_the_width_and_keeps_every_word_of_every_quote(store, width) -> None:
    """No cell and no quote is cut: long ones wrap, in their column, to the width given."""
    outcome = execute(store, LONG)
    text = answer(store, LONG, with_sources=True, width=width).body.decode()
    lines = text.splitlines()
    assert all(len(line) <= width for line in lines), text
    words = " ".join(text.split())
    for row in outcome.rows:
        assert " ".join(row[1].value.split()) in words  # the full quote, in its column
    header, rule = lines[0], lines[1]
    second = header.index("quote")
    assert rule[second - 2 : second] == "  " and rule[second] == "─"
    for line in lines[2:-1]:  # every table line keeps the columns: the gap before "quote"
        if not line.startswith("    "):
            assert line[second - 2 : second] == "  ", line


def test_table_shows_source_markup_as_plain_text(store) -> None:
    query = "SELECT ?q WHERE { ?c cvekg:quote ?q FILTER(CONTAINS(?q, '<u>')) }"
    text = answer(store, query, with_sources=True, width=300).body.decode()
    assert "Center for Prevention of Radicalization" in text
    assert "<u>" not in text and "</u>" not in text
    csv_body = answer(store, query, "csv").body.decode()
    assert "<u>Center for</u>" in csv_body  # the results formats keep the source's bytes


@given(
    st.lists(st.text(alphabet="ab éÉ東-", min_size=1, max_size=12), max_size=8),
    st.integers(min_value=1, max_value=30),
)
def test_wrap_keeps_every_character_in_lines_that_fit(words: list[str], width: int) -> None:
    text = "  ".join(words)
    lines = _wrap(text, width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for line in lines:
        assert display_width(line) <= width or len(line) == 1
    if display_width(" ".join(text.split())) <= width:
        assert lines == [" ".join(text.split())]
