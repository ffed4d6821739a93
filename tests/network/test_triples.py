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
