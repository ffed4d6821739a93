"""One entity's neighbourhood, from a projection and from the store
(graph/network/neighbourhoods.py)."""

from __future__ import annotations

import networkx as nx

from graph import network as gn

ID = "https://w3id.org/cvekg/id/"


def test_neighbourhood_read_from_the_store_matches_the_projection(store, seed):
    hoods = gn.Neighbourhoods(seed)
    for node in seed:
        for limit in (120, 6):
            G, (kept, distance, hidden) = gn.neighbourhood(store, node, 2, limit)
            assert (kept, distance, hidden) == hoods.ego(node, 2, limit), (node, limit)
            assert set(G) == set(kept)
            assert G.number_of_edges() == seed.subgraph(kept).number_of_edges()
            assert G.nodes[node]["claims"] == seed.nodes[node]["claims"]


def test_neighbourhood_keeps_the_nearest_then_the_best_connected(seed):
    lyon = f"{ID}city/lyon"
    kept, distance, hidden = gn.Neighbourhoods(seed).ego(lyon, 2, limit=8)
    assert kept[0] == lyon and len(kept) == 8
    first = [n for n in kept if distance[n] == 1]
    assert first == sorted(first, key=lambda n: (-seed.degree(n), n))
    assert all(distance[n] <= 2 for n in kept)
    everything = gn.Neighbourhoods(seed).ego(lyon, 2, limit=10_000)
    assert sum(hidden) == len(everything[0]) - 8
    # Reference data (Lyon located in France) is one step, never a way further.
    assert f"{ID}city/paris" not in everything[0]


def test_neighbourhood_counts_left_out_neighbours_apart_from_those_two_steps_away():
    G = nx.MultiDiGraph()
    for i in range(130):
        G.add_edge("hub", f"n{i:03d}", quote="q")
        G.add_edge(f"n{i:03d}", f"far{i:03d}a", quote="q")
        G.add_edge(f"n{i:03d}", f"far{i:03d}b", quote="q")
    hoods = gn.Neighbourhoods(G)
    assert hoods.ego("hub", 2, limit=120)[2] == gn.LeftOut(near=11, far=260)
    assert hoods.ego("hub", 2, limit=200)[2] == gn.LeftOut(near=0, far=260 - 69)
    assert hoods.ego("n000", 2, limit=120)[2] == gn.LeftOut(near=0, far=129 - 116)
