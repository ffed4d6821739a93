"""The query gate and engine: refusals, syntax errors placed where people can fix them, and
reading answers (with a row cap and the protocol's dataset)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from graph.query.sparql import (
    QueryRefusedError,
    QuerySyntaxError,
    check_query,
    execute,
    run_query,
    select,
)
from graph.store import graph_names

CITY = "https://w3id.org/cvekg/id/city/"
PLACES = "https://w3id.org/cvekg/graph/reference/places"


def _error(store, query: str) -> QuerySyntaxError:
    with pytest.raises(QuerySyntaxError) as caught:
        run_query(store, query)
    return caught.value


@pytest.mark.parametrize(
    "query, where",
    [
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }", "SERVICE"),
        ("LOAD <http://example.org/x.ttl>", "LOAD"),
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "INSERT"),
        ("SELECT * FROM <http://example.org/remote> WHERE { ?s ?p ?o }", "FROM"),
        ("PREFIX ex: <http://example.org/>\nSELECT * FROM NAMED ex:g WHERE { ?s ?p ?o }", "FROM"),
    ],
)
def test_refused_before_evaluation(store, query: str, where: str) -> None:
    with pytest.raises(QueryRefusedError, match=where):
        run_query(store, query)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { # a comment ends at a carriage return\rSERVICE <urn:x> { ?s ?p ?o } }",
        "SELECT * WHERE { BIND(<urn:\u00a0#> AS ?u) SERVICE <urn:x> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o FILTER(?o<'>' && <urn:x#> = ?s) SERVICE ?x { ?s ?p ?o } }",
        "SELECT * WHERE { \\u0053ERVICE <urn:x> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE#note\n silent\t$x { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE ex:endpoint { ?s ?p ?o } }",
    ],
)
def test_service_is_refused_however_it_is_hidden(store, query: str) -> None:
    with pytest.raises(QueryRefusedError, match="SERVICE is refused"):
        run_query(store, query)


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * WHERE { ?s ?p "customer service" }',
        "SELECT * WHERE { ?s <http://example.org/self-service> ?o }",
        "PREFIX ex: <http://example.org/>\nSELECT * WHERE { ?s ex:service ?o }",
    ],
)
def test_the_word_service_elsewhere_runs(store, query: str) -> None:
    """Not refused, and answered: the graph has no such value or property, so no rows."""
    assert list(run_query(store, query)) == []


def test_an_unclosed_string_is_read_once(store) -> None:
    """A line of quotes and escapes is one token, not one scan to the end per quote."""
    from graph.query.sparql import _tokens

    line = "SELECT * { ?s ?p '" + "a\\'" * 20_000 + " }"
    kinds = [t.kind for t in _tokens(line)]
    assert kinds[-1] == "unclosed" and len(kinds) == 6
    assert "never closed" in str(_error(store, line))


def test_relative_from_is_refused_not_a_crash(store) -> None:
    with pytest.raises(QueryRefusedError, match="FROM <foo>"):
        run_query(store, "SELECT * FROM <foo> WHERE { ?s ?p ?o }")
    with pytest.raises(QueryRefusedError, match="default-graph-uri"):
        run_query(store, "SELECT * WHERE { ?s ?p ?o }", default_graph_uris=[""])


def test_keyword_inside_a_literal_is_not_refused(store) -> None:
    assert select(store, 'SELECT ?x WHERE { BIND("SERVICE LOAD INSERT" AS ?x) }') == [
        {"x": "SERVICE LOAD INSERT"}
    ]


def test_from_a_local_graph_runs(store) -> None:
    rows = select(store, f"SELECT ?c FROM <{PLACES}> WHERE {{ ?c a cvekg:Country }}")
    assert {r["c"] for r in rows} >= {"https://w3id.org/cvekg/id/country/france"}
    assert PLACES in graph_names(store)


def test_prefixes_are_pre_bound(store) -> None:
    rows = select(store, "SELECT ?c WHERE { ?c a cvekg:FrenchCity }")
    assert {r["c"] for r in rows} >= {CITY + "lyon", CITY + "marseille"}
    assert CITY + "orlando" not in {r["c"] for r in rows}


def test_unknown_prefix_points_at_the_name(store) -> None:
    query = "SELECT ?x WHERE {\n  ?x a cvek:City .\n}"
    error = _error(store, query)
    assert (error.line, error.column) == (2, 8)
    assert "unknown prefix cvek:" in error.message and "did you mean cvekg:?" in error.message
    assert str(error).splitlines()[1:] == ["    ?x a cvek:City .", "         ^"]


def test_misspelt_keyword_gets_a_suggestion(store) -> None:
    error = _error(store, "SELECT ?x WHERE { ?x a cvekg:City }\nORDER BY ?x LIMT 3")
    assert (error.line, error.column) == (2, 13)
    assert "LIMT (did you mean LIMIT?)" in error.message


def test_unclosed_parenthesis_names_its_opening(store) -> None:
    query = 'SELECT ?x WHERE {\n  ?x rdfs:label ?l\n  FILTER(LANG(?l) = "en"\n}'
    error = _error(store, query)
    assert (error.line, error.column) == (4, 1)
    assert "closes the ( opened at line 3, column 9" in error.message


def test_unclosed_string(store) -> None:
    error = _error(store, 'SELECT ?x WHERE { ?x rdfs:label "Lyon }')
    assert (error.line, error.column) == (1, 33)
    assert "never closed" in error.message


def test_missing_object_points_at_the_pattern_not_the_end(store) -> None:
    # Oxigraph itself reports the end of the query (1:26) for this one.
    error = _error(store, "SELECT ?x WHERE { ?x ?y }")
    assert (error.line, error.column) == (1, 19)


def test_unfinished_query(store) -> None:
    error = _error(store, "SELECT ?x WHERE { ?x a cvekg:City } ORDER BY ?x LIMIT")
    assert error.message == "the query ends too early: 'LIMIT' is not finished"


def test_column_counts_characters_not_bytes(store) -> None:
    query = 'SELECT ?x WHERE { ?x rdfs:label "Élysée" . ?x a Citi }'
    error = _error(store, query)
    assert (error.line, error.column) == (1, query.index("Citi") + 1)
    assert error.column != query.encode("utf-8").index(b"Citi") + 1
    assert error.message.startswith("unknown word Citi")


def test_caret_sits_under_the_mistake_after_tabs_and_wide_characters(store) -> None:
    query = 'SELECT ?x WHERE {\n\t\t?x rdfs:label "東京" . ?x a Citi }'
    text, caret = str(_error(store, query)).splitlines()[1:3]
    assert text == '  \t\t?x rdfs:label "東京" . ?x a Citi }'
    # On a terminal, tabs stay tabs and each wide character takes two columns.
    assert caret == "  \t\t" + " " * (len('?x rdfs:label "') + 4 + len('" . ?x a ')) + "^"


def test_ungrouped_variable_gets_advice(store) -> None:
    error = _error(store, "SELECT ?x (COUNT(?y) AS ?n) WHERE { ?x ?p ?y }")
    assert "GROUP BY" in error.message and error.line == 1


def test_execute_reads_every_form(store) -> None:
    select_ = execute(store, "SELECT ?c WHERE { ?c a cvekg:FrenchCity } ORDER BY ?c")
    assert select_.form == "SELECT" and select_.variables == ["c"] and len(select_) == 9
    ask = execute(store, "ASK { city:lyon a cvekg:USCity }")
    assert ask.form == "ASK" and ask.boolean is False and len(ask) == 0
    construct = execute(store, "CONSTRUCT { ?c a cvekg:City } WHERE { ?c a cvekg:FrenchCity }")
    assert construct.form == "CONSTRUCT" and construct.is_graph and len(construct) == 9
    describe = execute(store, "DESCRIBE city:lyon")
    assert describe.form == "DESCRIBE" and all(
        t.subject == ox.NamedNode(CITY + "lyon") for t in describe.triples
    )


def test_execute_caps_rows(store) -> None:
    capped = execute(store, "SELECT * WHERE { ?s ?p ?o }", max_rows=5)
    assert len(capped.rows) == 5 and capped.truncated
    whole = execute(store, "SELECT ?c WHERE { ?c a cvekg:FrenchCity }", max_rows=9)
    assert len(whole.rows) == 9 and not whole.truncated


def test_protocol_dataset_selects_local_graphs_only(store) -> None:
    outcome = execute(store, "SELECT ?c WHERE { ?c a cvekg:Country }", default_graph_uris=[PLACES])
    assert len(outcome.rows) == 8
    with pytest.raises(QueryRefusedError, match="default-graph-uri"):
        execute(store, "ASK { ?s ?p ?o }", default_graph_uris=["http://example.org/remote"])


def test_check_query_reports_form() -> None:
    assert check_query("DESCRIBE <urn:x>").form == "DESCRIBE"
    assert check_query("# SELECT in a comment\nASK {}").form == "ASK"
