"""Row lineage: every row of an answer cites the claims of the triples that matched it."""

from __future__ import annotations

import pytest

from graph.query.lineage import LineageUnavailableError, row_lineage
from graph.query.named import list_queries
from graph.query.results import answer, row_sources
from graph.query.sparql import execute

CLAIM = "https://w3id.org/cvekg/claim/dipnote-2019-06-06/"


def _claims(store, query: str) -> list[set[str]]:
    outcome = execute(store, query)
    return [{s.claim for s in found} for found in row_sources(store, outcome, query)]


@pytest.mark.parametrize("named", list_queries(), ids=lambda q: q.name)
def test_every_row_of_every_shipped_query_shows_a_quote(store, named) -> None:
    outcome = execute(store, named.text)
    sources = row_sources(store, outcome, named.text)
    assert outcome.rows
    for row, found in zip(outcome.rows, sources, strict=True):
        quoted = [s for s in found if s.kind == "claim" and s.quote]
        assert quoted, (named.name, row)
        assert not any(s.guess for s in found), (named.name, row)


def test_city_pairs_table_shows_a_quote_under_every_row(store) -> None:
    text = answer(store, next(q for q in list_queries() if q.number == "03").text,
                  with_sources=True, width=300).body.decode()  # fmt: skip
    lines = text.splitlines()[2:-1]
    rows = [i for i, line in enumerate(lines) if not line.startswith("    ")]
    assert len(rows) == 7
    for i in rows:
        assert lines[i + 1].startswith("    “"), lines[i : i + 2]
    assert "(dipnote-2019-06-06/city-pair-lyon, read from context: " in text


def test_an_aggregate_row_rests_on_every_claim_of_its_group(store) -> None:
    query = """SELECT ?year (COUNT(?e) AS ?n) WHERE {
      ?e a cvekg:CityPairExchange ; cvekg:date ?d BIND(SUBSTR(STR(?d), 1, 4) AS ?year)
    } GROUP BY ?year ORDER BY ?year"""
    by_year = dict(zip(["2016", "2017", "2018", "2019"], _claims(store, query), strict=True))
    assert {CLAIM + "city-pair-lyon", CLAIM + "city-pair-toulouse"} <= by_year["2017"]
    assert CLAIM + "city-pair-lyon" not in by_year["2016"]


def test_an_unmatched_optional_cites_nothing_and_a_matched_one_its_claim(store) -> None:
    query = """SELECT ?e ?killed WHERE {
      VALUES ?e { attack:orlando-pulse-nightclub event:city-pair-lyon-2017 }
      OPTIONAL { ?e cvekg:victimsKilled ?killed } }"""
    outcome = execute(store, query)
    lineage = row_lineage(store, query, outcome.variables, outcome.rows)
    killed = {
        row[0].value.rsplit("/", 1)[-1]: hits
        for row, hits in zip(outcome.rows, lineage, strict=True)
    }
    assert any("victimsKilled" in h[2] for h in killed["orlando-pulse-nightclub"])
    assert not killed["city-pair-lyon-2017"]


def test_a_path_cites_each_step_and_an_inferred_triple_what_it_rests_on(store) -> None:
    path = "SELECT ?c WHERE { city:clarkston cvekg:locatedIn+ country:united-states BIND(1 AS ?c) }"
    outcome = execute(store, path)
    (hits,) = row_lineage(store, path, outcome.variables, outcome.rows)
    steps = {(h[1].rsplit("/", 1)[-1], h[3].rsplit("/", 1)[-1]) for h in hits}
    assert {("clarkston>", "georgia-us>"), ("georgia-us>", "united-states>")} <= steps
    (found,) = row_sources(store, outcome, path)  # both steps are reference data
    assert any(s.kind == "reference" and s.title.startswith("Places") for s in found)
    inferred = "SELECT ?x WHERE { city:clarkston a cvekg:USCity BIND(1 AS ?x) }"
    (found,) = row_sources(store, execute(store, inferred), inferred)
    assert any("Clarkston" in s.quote for s in found if s.kind == "claim")


def test_a_union_branch_and_a_subquery_are_followed(store) -> None:
    query = """SELECT ?c ?quote WHERE {
      { person:buddy-dyer cvekg:mayorOf ?c } UNION { ?c cvekg:mayorOf city:nowhere }
      { SELECT (SAMPLE(?q) AS ?quote) WHERE {
          GRAPH ?g { person:buddy-dyer a cvekg:Person } ?g cvekg:quote ?q } } }"""
    (claims,) = _claims(store, query)
    assert any(c.startswith(CLAIM) for c in claims)


def test_rows_the_lineage_cannot_explain_are_guessed_and_say_so(store) -> None:
    query = "SELECT ?x ?n WHERE { VALUES (?x ?n) { (city:lyon 2) } }"
    outcome = execute(store, query)
    (found,) = row_sources(store, outcome, query)
    assert found and all(s.guess for s in found)
    text = answer(store, query, with_sources=True, width=200).body.decode()
    assert "guessed from the row's values" in text


def test_forms_without_rows_have_no_lineage(store) -> None:
    with pytest.raises(LineageUnavailableError):
        row_lineage(store, "ASK { ?s ?p ?o }", [], [])
