"""Export for Gephi and D3 (graph/network/exports.py)."""

from __future__ import annotations

import json

import networkx as nx
import pytest

from graph import network as gn

ID = "https://w3id.org/cvekg/id/"
LYON, NEW_ORLEANS = f"{ID}city/lyon", f"{ID}city/new-orleans"


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
def test_export_round_trips(seed, tmp_path, fmt):
    out = gn.export(seed, fmt, tmp_path / f"network.{fmt}")
    if fmt == "graphml":
        back = nx.read_graphml(out)
    elif fmt == "gexf":
        back = nx.read_gexf(out)
    else:
        back = nx.node_link_graph(json.loads(out.read_text()), edges="links")
    assert back.number_of_nodes() == seed.number_of_nodes()
    assert back.number_of_edges() == seed.number_of_edges()
    assert [p.name for p in tmp_path.iterdir()] == [f"network.{fmt}"]  # no temporary left


def test_export_for_graphml_has_no_none_and_no_nested_values(seed):
    H = gn.sanitize_for_export(seed)
    for _, d in [*H.nodes(data=True), *((u, d) for u, _, d in H.edges(data=True))]:
        assert all(isinstance(v, str | int | float | bool) for v in d.values())


def test_gexf_labels_nodes_by_their_english_label(seed, tmp_path):
    back = nx.read_gexf(gn.export(seed, "gexf", tmp_path / "network.gexf"))
    assert back.nodes[LYON]["label"] == "Lyon"
    assert back.nodes[NEW_ORLEANS]["label"] == "New Orleans"
