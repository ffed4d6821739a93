"""Measure view generation on synthetic graphs: ``python -m graph.views.bench 5000 20000``.

A synthetic graph has the shape of ours (a Barabási–Albert skeleton, two links per node, the
colour groups in the seed graph's proportions, a claim and quote on every edge). For each size
it prints the median of ``--repeat`` runs of: the force layout alone, one page of the whole
graph (layout, page data, HTML), and every view :func:`graph.views.write_views` writes.
``scripts/bench.py`` can import :func:`synthetic` and :func:`measure` to add these figures to
its table.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["synthetic", "measure", "main"]

_MIX = [
    ("french-city", "city", 9),
    ("us-city", "city", 10),
    ("topic", "topic", 13),
    ("event", "event", 12),
    ("attack", "attack", 9),
    ("exchange", "event", 8),
    ("program", "program", 8),
    ("organization", "organization", 15),
    ("country", "country", 9),
]


def synthetic(n: int, seed: int = 1) -> nx.MultiDiGraph:
    """A projected-graph look-alike with ``n`` entities (deterministic for a seed)."""
    import random

    import networkx as nx

    rng = random.Random(seed)
    skeleton = nx.barabasi_albert_graph(n, 2, seed=seed)
    weights = [w for *_, w in _MIX]
    G = nx.MultiDiGraph(claims={}, sources=[], references=[])
    ID = "https://w3id.org/cvekg/id/"
    for i in skeleton:
        group, kind, _ = rng.choices(_MIX, weights)[0]
        node = f"{ID}{kind}/{group}-{i}"
        data = {
            "iri": node,
            "key": f"{kind}-{group}-{i}",
            "kind": kind,
            "label_en": f"{group.title()} {i}",
            "label_fr": f"{group.title()} {i} (fr)",
            "alt_labels": [],
            "class_en": group,
            "class_fr": group,
            "group": group,
            "claims": [],
            "facts": [],
        }
        if kind == "city":
            data["lat"], data["lon"] = (
                rng.uniform(25, 50),
                rng.choice([-1, 1]) * rng.uniform(0, 120),
            )
        if group in ("event", "attack", "exchange"):
            data["date"] = f"{rng.randint(2010, 2019)}-{rng.randint(1, 12):02d}"
        G.add_node(node, **data)
    nodes = list(G.nodes)
    for u, v in skeleton.edges():
        claim = f"https://w3id.org/cvekg/claim/synthetic/{u}-{v}"
        G.graph["claims"][claim] = {"name": f"{u}-{v}", "quote": f"quote {u} {v}",
                                    "sentence": f"The sentence of {u} and {v}.", "source": None,
                                    "note": None, "statements": []}  # fmt: skip
        G.nodes[nodes[u]]["claims"].append(claim)
        G.add_edge(nodes[u], nodes[v], key="topic", label_en="topic", label_fr="thème",
                   claim=claim, quote=f"quote {u} {v}", sentence="", reference=False)  # fmt: skip
    return G


def _median(work, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(n: int, repeat: int = 3) -> dict[str, float]:
    """Median seconds of the layout, one whole-graph page and every view, at ``n`` entities."""
    from graph.views import ViewWriter, render_graph_page
    from graph.views.layout import force_layout

    G = synthetic(n)
    with tempfile.TemporaryDirectory() as folder:
        figures = {
            "layout": _median(lambda: force_layout(G), repeat),
            "page": _median(lambda: render_graph_page(G, f"{n} nodes"), repeat),
            "all views": _median(lambda: ViewWriter(G, Path(folder)).write(), repeat),
        }
        html = render_graph_page(G, f"{n} nodes")
        figures["page MB"] = len(html.encode()) / 1e6
        figures["views MB"] = sum(p.stat().st_size for p in Path(folder).rglob("*")) / 1e6
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m graph.views.bench", description=__doc__)
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 5000, 20000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    print("| entities | layout s | whole-graph page s | page MB | all views s | views MB |")
    print("|---:|---:|---:|---:|---:|---:|")
    for n in args.sizes:
        f = measure(n, args.repeat)
        print(
            f"| {n:,} | {f['layout']:.2f} | {f['page']:.2f} | {f['page MB']:.1f} "
            f"| {f['all views']:.2f} | {f['views MB']:.0f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
