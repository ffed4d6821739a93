"""The network as a file: GraphML and GEXF for Gephi, node-link JSON for D3."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.errors import CvekgError
from graph.network.groups import GROUPS

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["EXPORT_FORMATS", "sanitize_for_export", "export"]


#: ``cvekg export --format`` choices and their file suffix.
EXPORT_FORMATS = {"graphml": ".graphml", "gexf": ".gexf", "json": ".json"}


def _flat(value: Any) -> Any:
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple | set) and all(isinstance(v, str) for v in value):
        return "; ".join(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def sanitize_for_export(G: nx.MultiDiGraph, flat: bool = True) -> nx.MultiDiGraph:
    """A copy fit for GraphML and GEXF: no ``None``, no nested values (``flat``).

    Lists of strings become ``"a; b"``, other nested values JSON text. Graph-level data (the
    claims) is dropped, since each edge carries its own claim and quote. Without ``flat``
    (JSON export), only ``None`` values are dropped.
    """
    import networkx as nx

    H = nx.MultiDiGraph()
    H.graph["name"] = "cvekg"
    for n, d in G.nodes(data=True):
        H.add_node(n, **{k: _flat(v) if flat else v for k, v in d.items() if v is not None})
    for u, v, key, d in G.edges(keys=True, data=True):
        H.add_edge(
            u, v, key=key, **{a: _flat(x) if flat else x for a, x in d.items() if x is not None}
        )
    return H


def _gexf_viz(H: nx.MultiDiGraph) -> None:
    """Gephi's colour and label of each node: its group's colour, its English label (GEXF
    labels a node without one by its id, the IRI)."""
    colors = {g.key: g.color for g in GROUPS}
    for n, d in H.nodes(data=True):
        d["label"] = d.get("label_en") or str(n)
        color = colors.get(d.get("group", "other"), "#9ca3af")
        d["viz"] = {
            "color": {"r": int(color[1:3], 16), "g": int(color[3:5], 16), "b": int(color[5:7], 16)}
        }


def export(G: nx.MultiDiGraph, fmt: str, out: Path) -> Path:
    """Write the network for Gephi (``graphml``, ``gexf``) or D3 (``json``, node-link).

    The file is written to a temporary name and renamed, so a failed export leaves no file.
    """
    import networkx as nx

    from graph.files import atomic_writer

    if fmt not in EXPORT_FORMATS:
        raise CvekgError(f"unknown export format {fmt!r}; choose {', '.join(EXPORT_FORMATS)}")
    out = Path(out)
    if fmt == "json":
        H = sanitize_for_export(G, flat=False)
        data = nx.node_link_data(H, edges="links")
        with atomic_writer(out) as handle:
            json.dump(data, handle, ensure_ascii=False, indent=1, default=str)
        return out
    H = sanitize_for_export(G)
    with atomic_writer(out, "wb") as handle:
        if fmt == "graphml":
            nx.write_graphml(H, handle, named_key_ids=True)
        else:
            _gexf_viz(H)
            nx.write_gexf(H, handle)
    return out
