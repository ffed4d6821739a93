"""What the views draw: the city pairs and induced subgraphs (graph/network/subgraphs.py)."""

from __future__ import annotations

from graph import network as gn

ID = "https://w3id.org/cvekg/id/"


def test_city_pairs_fold_each_exchange_into_labelled_edges(seed):
    C = gn.city_pair_graph(seed)
    lyon = C.get_edge_data(f"{ID}city/lyon", f"{ID}city/new-orleans")
    (edge,) = lyon.values()
    assert edge["label_en"] == "Dec 2017 · City Pair"
    assert edge["label_fr"] == "déc. 2017 · City Pair"
    assert edge["quote"].startswith("During a City Pair in December 2017")
    (orlando,) = C.get_edge_data(f"{ID}city/marseille", f"{ID}city/orlando").values()
    assert orlando["kind"] == "exchange"  # the delegation met Orlando's mayor: a visit
    # "participated in a City Pair with Orlando and Tampa": no direction, so Tampa is linked
    # to Marseille by an undirected partner edge, never an arrow
    (tampa,) = C.get_edge_data(f"{ID}city/marseille", f"{ID}city/tampa").values()
    assert tampa["kind"] == "partners"
    assert tampa["quote"].startswith("Marseille participated in a City Pair with Orlando and Tampa")
    assert {d["group"] for _, d in C.nodes(data=True)} <= {"french-city", "us-city", "city"}


def test_induced_keeps_the_edges_among_the_members_and_shares_their_data(seed):
    members = [n for n in seed if seed.degree(n) > 2][:10]
    H = gn.induced(seed, [*members, members[0]])
    reference = seed.subgraph(members)
    assert list(H) == members
    assert sorted(H.edges(keys=True)) == sorted(reference.edges(keys=True))
    u, v, k = next(iter(H.edges(keys=True)))
    assert H.edges[u, v, k] is seed.edges[u, v, k]
    assert H.nodes[u] is seed.nodes[u]
