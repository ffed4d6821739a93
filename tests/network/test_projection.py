"""The projection rules (graph/network/projection.py), on a hand-made graph and the seed graph."""

from __future__ import annotations

import networkx as nx
import pyoxigraph as ox
import pytest

from graph import network as gn

ID = "https://w3id.org/cvekg/id/"
LYON, NEW_ORLEANS = f"{ID}city/lyon", f"{ID}city/new-orleans"
EXCHANGE, KATRINA = f"{ID}event/city-pair-lyon", f"{ID}incident/katrina"


@pytest.fixture(scope="module")
def small(trig_store) -> nx.MultiDiGraph:
    return gn.project(trig_store("network.trig"))


def test_entities_are_nodes_and_literals_and_provenance_are_not(small):
    assert set(small) == {
        LYON,
        NEW_ORLEANS,
        f"{ID}country/france",
        f"{ID}country/united-states",
        EXCHANGE,
        KATRINA,
        f"{ID}source/test",
    }
    assert not any(n.startswith("https://w3id.org/cvekg/claim/") for n in small)


def test_edges_are_asserted_triples_only_so_inverses_do_not_double(small):
    edges = {(u, k, v) for u, v, k in small.edges(keys=True)}
    assert edges == {
        (EXCHANGE, "delegationFrom", LYON),
        (EXCHANGE, "hostCity", NEW_ORLEANS),
        (EXCHANGE, "learnedAbout", KATRINA),
        (LYON, "locatedIn", f"{ID}country/france"),
        (NEW_ORLEANS, "locatedIn", f"{ID}country/united-states"),
    }


def test_classes_include_the_inferred_french_and_us_city(small):
    assert small.nodes[LYON]["class"] == "FrenchCity"
    assert small.nodes[LYON]["group"] == "french-city"
    assert small.nodes[NEW_ORLEANS]["group"] == "us-city"
    assert small.nodes[EXCHANGE]["class"] == "CityPairExchange"
    assert small.nodes[EXCHANGE]["group"] == "exchange"
    assert small.nodes[KATRINA]["group"] == "incident"


def test_nodes_carry_labels_coordinates_dates_and_country(small):
    new_orleans = small.nodes[NEW_ORLEANS]
    assert (new_orleans["label_en"], new_orleans["label_fr"]) == (
        "New Orleans",
        "La Nouvelle-Orléans",
    )
    assert (new_orleans["lat"], new_orleans["lon"]) == (29.95, -90.07)
    assert new_orleans["country"] == f"{ID}country/united-states"
    exchange = small.nodes[EXCHANGE]
    assert (exchange["date"], exchange["date_precision"]) == ("2017-12", "month")
    assert small.nodes[KATRINA]["date_description"] == "years before"
    assert small.nodes[KATRINA]["alt_labels"] == ["Katrina"]


def test_edges_carry_claim_quote_and_sentence_reference_edges_none(small):
    host = small.edges[EXCHANGE, NEW_ORLEANS, "hostCity"]
    assert host["claim"] == "https://w3id.org/cvekg/claim/test/exchange"
    assert host["quote"] == "a delegation from Lyon visited New Orleans"
    assert host["sentence"].startswith("In December 2017")
    assert (host["label_en"], host["label_fr"]) == ("host city", "ville hôte")
    located = small.edges[LYON, f"{ID}country/france", "locatedIn"]
    assert located["reference"] is True and located["quote"] is None
    note = small.graph["claims"]["https://w3id.org/cvekg/claim/test/learned"]["note"]
    assert note == "A test note."


def test_projection_without_statements_keeps_everything_else(store, seed):
    lean = gn.project(store, statements=False)
    assert set(lean.nodes) == set(seed.nodes)
    assert lean.number_of_edges() == seed.number_of_edges()
    assert all(not c["statements"] for c in lean.graph["claims"].values())
    marseille = f"{ID}city/marseille"
    assert lean.nodes[marseille] == seed.nodes[marseille]
    claim = seed.nodes[marseille]["claims"][0]
    assert sorted(gn.claim_statements(store, claim)) == sorted(
        seed.graph["claims"][claim]["statements"]
    )


def test_source_document_typed_only_in_provenance_is_an_entity(small):
    assert small.nodes[f"{ID}source/test"]["group"] == "document"


def test_a_blank_node_value_is_neither_an_entity_nor_a_fact(trig_store):
    store = trig_store("network.trig")
    claim = next(g for g in store.named_graphs() if "/claim/" in g.value)
    note = ox.BlankNode()
    comment = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
    store.add(ox.Quad(ox.NamedNode(LYON), comment, note, claim))
    G = gn.project(store)
    assert note.value not in G and f"_:{note.value}" not in G
    assert all(f.value != note.value for f in G.nodes[LYON]["facts"])


def test_load_without_a_build_says_so_and_builds_nothing(tmp_path, monkeypatch):
    """`python -c "from graph.network import load; load()"` built into the current folder
    without a word; a library function reads a build, and names the command that makes one."""
    from graph.errors import CvekgError

    monkeypatch.chdir(tmp_path)
    with pytest.raises(CvekgError) as raised:
        gn.load()
    assert (
        str(raised.value)
        == "build/: no build here (no graph.trig): run cvekg build --out build first"
    )
    assert list(tmp_path.iterdir()) == []


def test_regression_predicate_and_term_tables_followed_the_stores_iteration_order(store):
    """``G.graph["predicates"]`` and ``["terms"]`` (written into the views' pages) came out in
    the order the store yielded its quads, which varies between loads: the same graph made
    different pages. Fed the same quads in the reverse order, the tables are the same."""
    from graph.network.ontology import read_ontology
    from graph.network.projection import Projector

    onto = read_ontology(store)
    quads = [
        (f"{ID}g/{i}", f"{ID}city/c{i}", p, f"{ID}city/d{i}", True)
        for i, p in enumerate(
            f"https://w3id.org/cvekg/ontology#{name}"
            for name in ("partnerCity", "hostCity", "locatedIn", "delegationFrom", "after")
        )
    ]
    tables = []
    for order in (quads, quads[::-1]):
        projector = Projector(onto, statements=False)
        for quad in order:
            projector.add_quad(*quad)
        G = projector.build()
        tables.append((list(G.graph["predicates"]), list(G.graph["terms"])))
    assert tables[0] == tables[1]
    assert tables[0][0] == sorted(tables[0][0]) and len(tables[0][1]) > 5
