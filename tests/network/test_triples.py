"""The projection of any triples (graph/network/triples.py)."""

from __future__ import annotations

from graph import network as gn

ID = "https://w3id.org/cvekg/id/"
LYON = f"{ID}city/lyon"
EXCHANGE = f"{ID}event/city-pair-lyon"


def test_triples_of_a_construct_borrow_the_quote_of_their_asserted_inverse(trig_store):
    store = trig_store("network.trig")
    triples = list(
        store.query(
            "PREFIX cvekg: <https://w3id.org/cvekg/ontology#> "
            "CONSTRUCT { ?c cvekg:sentDelegation ?e } WHERE { ?c cvekg:sentDelegation ?e }",
            use_default_graph_as_union=True,
        )
    )
    G = gn.project_triples(store, triples)
    edge = G.edges[LYON, EXCHANGE, "sentDelegation"]
    assert edge["quote"] == "a delegation from Lyon visited New Orleans"
    assert edge["inferred"] == "inverse of delegation from"
    assert G.nodes[LYON]["group"] == "french-city"


# --- cvekg view of ?s ?p ?o: what the build inferred is folded, vocabulary values are facts ---

EVERYTHING = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
LYON_2017 = f"{ID}event/city-pair-lyon-2017"
NEW_ORLEANS = f"{ID}city/new-orleans"
TIME = "http://www.w3.org/2006/time#"


def _everything(store):
    from graph.query.sparql import run_query

    return gn.project_triples(store, list(run_query(store, EVERYTHING)))


def test_inferred_super_properties_are_not_stacked_parallel_links(store):
    """Each relation a claim states came back with every super-property and inverse the build
    inferred from it (seven links between an exchange and its host city, their labels drawn
    over each other); the most specific is drawn, the rest listed in its ``also``."""
    from graph.network.ontology import read_ontology
    from graph.network.triples import _super_properties

    G = _everything(store)
    assert sorted(G[LYON_2017][NEW_ORLEANS]) == ["hostCity", "place"]
    assert NEW_ORLEANS not in G.succ or LYON_2017 not in G[NEW_ORLEANS]  # inverses folded
    host = G.edges[LYON_2017, NEW_ORLEANS, "hostCity"]
    assert host["quote"] and "inferred" not in host
    assert [(a["label_en"], a["inverse"]) for a in host["also"]][:2] == [
        ("partner city", False),
        ("participant", False),
    ]
    assert ("hosted exchange", True) in [(a["label_en"], a["inverse"]) for a in host["also"]]
    above = _super_properties(read_ontology(store))
    for u, v in {(u, v) for u, v in G.edges()}:
        drawn = [d["predicate"] for d in G[u][v].values()]
        inferred = [d["predicate"] for d in G[u][v].values() if d.get("inferred")]
        for p in inferred:  # what a claim states is drawn even beside a sub-property
            assert not any(p in above.get(q, ()) for q in drawn if q != p), (u, v, drawn)


def test_owl_time_units_are_facts_of_their_events_not_hub_nodes(store):
    G = _everything(store)
    assert not [n for n in G if n.startswith(f"{TIME}unit")]  # unitMonth had 10 links
    facts = {(f.label_en, f.value) for f in G.nodes[LYON_2017]["facts"]}
    assert ("date precision", "month") in facts
    assert G.nodes[LYON_2017]["date_precision"] == "month"


def test_inferred_super_property_of_a_date_is_not_a_second_fact(store):
    G = _everything(store)
    dates = [f for f in G.nodes[LYON_2017]["facts"] if f.value == "2017-12"]
    assert [(f.label_en, bool(f.claim)) for f in dates] == [("date", True)]


def test_a_construct_of_an_ontology_axiom_still_draws_its_terms(store):
    from graph.query.sparql import run_query

    query = "CONSTRUCT WHERE { cvekg:hostCity rdfs:subPropertyOf ?p }"
    G = gn.project_triples(store, list(run_query(store, query)))
    assert set(G) == {
        "https://w3id.org/cvekg/ontology#hostCity",
        "https://w3id.org/cvekg/ontology#partnerCity",
    }


# --- where a triple no claim states comes from --------------------------------------------

BOSTON = f"{ID}city/boston"
CVEKG = "https://w3id.org/cvekg/ontology#"


def test_regression_ontology_and_query_made_triples_were_called_inferred_by_the_build(store):
    """Every triple in no claim or reference graph was marked "inferred by the build": a
    subclass axiom of the ontology, and a link the CONSTRUCT itself made up (Lyon located in
    Boston), read to a user as the build's own reasoning. Each now says where it is from."""
    from graph.query.sparql import run_query

    made_up = f"CONSTRUCT {{ <{LYON}> <{CVEKG}locatedIn> <{BOSTON}> }} WHERE {{}}"
    G = gn.project_triples(store, list(run_query(store, made_up)))
    edge = G.edges[LYON, BOSTON, "locatedIn"]
    assert edge["origin"] == "query" and "inferred" not in edge
    assert edge["claim"] is None and edge["claims"] == []

    axioms = (
        "CONSTRUCT { ?c rdfs:subClassOf ?d } WHERE { GRAPH <https://w3id.org/cvekg/graph/"
        "ontology> { ?c rdfs:subClassOf ?d FILTER(isIRI(?d)) } }"
    )
    G = gn.project_triples(store, list(run_query(store, axioms)))
    origins = {d.get("origin") for *_, d in G.edges(data=True)}
    assert origins == {"ontology"}
    assert not any("inferred" in d for *_, d in G.edges(data=True))


def test_an_inverse_the_build_inferred_says_how_in_both_languages(store):
    from graph.query.sparql import run_query

    inverses = (
        "CONSTRUCT { ?p cvekg:gavePresentation ?e } WHERE { GRAPH <https://w3id.org/cvekg/graph/"
        "inferred> { ?p cvekg:gavePresentation ?e } }"
    )
    G = gn.project_triples(store, list(run_query(store, inverses)))
    edges = [d for *_, d in G.edges(data=True)]
    assert edges and all(d["origin"] == "inferred" for d in edges)
    assert all(d["inferred"].startswith("inverse of ") and d["quote"] for d in edges)
    assert all(d["inferred_fr"].startswith("inverse de « ") for d in edges)
