"""Measure the views: ``python -m graph.views.bench 1000 5000 20000 100000``.

For each size, on a synthetic graph of that many entities (the shape of ours: a
Barabási–Albert skeleton, two links per node, the colour groups in the seed graph's
proportions, a claim and quote on every edge), it prints the median of ``--repeat`` runs of:

- ``layout``: :func:`graph.views.layout.force_layout` alone;
- ``page``: one page of the whole graph (layout, page data, HTML), as ``cvekg view`` or the
  server draws a large query result;
- ``pyvis``: the same nodes and edges through PyVis's own ``add_node``/``add_edge`` and
  ``generate_html`` (quadratic: each call scans every node or edge added before), in a child
  process stopped after ``--cap`` seconds, with the speed-up of ``page`` over it;
- ``views``: every view :class:`graph.views.ViewWriter` writes (the projection excluded), the
  files and megabytes written, and the largest page;
- ``frame``: the first frame of the largest page written and of the whole-graph page in
  Chromium: the time from navigation to the first ``afterDrawing`` event of the vis Network
  that has nodes to draw (``--no-browser`` skips it).

``--built DIR`` measures a built graph instead (``cvekg build --out DIR``): the projection and
:func:`graph.views.write_views`, with the peak memory of the process. ``scripts/bench.py`` can
import :func:`synthetic`, :func:`measure`, :func:`pyvis_seconds` and :func:`first_frame`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["synthetic", "measure", "measure_built", "pyvis_seconds", "first_frame", "main"]

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

#: Chromium as the tests launch it: no sandbox (containers), no GPU, nothing in the background.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


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


def _median(work: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


_PYVIS = """
import sys, time
from graph.views.bench import synthetic
from graph.views.layout import force_layout
G = synthetic(int(sys.argv[1]))
pos = force_layout(G)
from pyvis.network import Network
started = time.perf_counter()
net = Network(directed=True, height="100%", width="100%", cdn_resources="in_line")
for n, d in G.nodes(data=True):
    net.add_node(n, label=d["label_en"], title=d["class_en"], group=d["group"],
                 x=pos[n][0], y=pos[n][1], physics=False)
for u, v, d in G.edges(data=True):
    net.add_edge(u, v, title=d.get("quote") or "", label=d.get("label_en", ""))
net.toggle_physics(False)
html = net.generate_html()
print(time.perf_counter() - started)
"""


def pyvis_seconds(n: int, cap: float = 300.0) -> float | None:
    """Seconds PyVis's own path takes to build and render the synthetic graph of ``n``
    entities (layout excluded), or ``None`` when it passes ``cap`` seconds and is stopped."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", _PYVIS, str(n)],
            capture_output=True,
            text=True,
            timeout=cap,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return None
    return float(done.stdout.strip().splitlines()[-1])


#: Marks the first frame with nodes: wraps ``vis.Network`` as the page defines it, so the
#: pages need no hook of their own.
_FRAME_HOOK = """(() => {
  let vis;
  Object.defineProperty(window, "vis", { configurable: true, get() { return vis; }, set(v) {
    vis = v;
    let Wrapped;
    Object.defineProperty(v, "Network", { configurable: true, enumerable: true,
      get() { return Wrapped; },
      set(Network) {
        Wrapped = function (...args) {
          const network = new Network(...args);
          const seen = () => {
            if (!network.body.nodeIndices.length) return;
            performance.mark("cvekg-first-frame");
            network.off("afterDrawing", seen);
          };
          network.on("afterDrawing", seen);
          return network;
        };
        Wrapped.prototype = Network.prototype;
      } });
  } });
})();"""

_FIRST_FRAME = """() => new Promise(resolve => {
  const look = () => {
    const found = performance.getEntriesByName("cvekg-first-frame");
    if (found.length) resolve(found[0].startTime); else setTimeout(look, 10);
  };
  look();
})"""


def first_frame(path: Path, repeat: int = 3, browser=None, timeout: float = 120.0) -> float:
    """Median seconds from navigation to the first frame of ``path`` in Chromium (a fresh
    context each time, so nothing is cached)."""
    if browser is None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            launched = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                return first_frame(path, repeat, launched, timeout)
            finally:
                launched.close()
    times = []
    for _ in range(repeat):
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        try:
            page = context.new_page()
            page.set_default_timeout(timeout * 1000)
            page.add_init_script(_FRAME_HOOK)
            page.goto(Path(path).resolve().as_uri(), wait_until="commit")
            times.append(page.evaluate(_FIRST_FRAME) / 1000)
        finally:
            context.close()
    return statistics.median(times)


def _size(folder: Path) -> tuple[int, int, Path | None]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    largest = max((p for p in files if p.suffix == ".html"), key=lambda p: p.stat().st_size)
    return len(files), sum(p.stat().st_size for p in files), largest


def measure(
    n: int,
    repeat: int = 3,
    cap: float = 300.0,
    browser: bool = True,
    frames: Path | None = None,
) -> dict[str, Any]:
    """Medians of the layout, one whole-graph page and every view at ``n`` entities, with
    PyVis's own path (stopped at ``cap`` seconds) and, with ``browser``, first frames."""
    from graph.views import ViewWriter, render_graph_page
    from graph.views.layout import force_layout

    G = synthetic(n)
    figures: dict[str, Any] = {"entities": n, "edges": G.number_of_edges()}
    figures["layout s"] = _median(lambda: force_layout(G), repeat)
    figures["page s"] = _median(lambda: render_graph_page(G, f"{n} nodes"), repeat)
    html = render_graph_page(G, f"{n} nodes")
    figures["page MB"] = len(html.encode()) / 1e6
    pyvis = pyvis_seconds(n, cap) if cap > 0 else None
    figures["pyvis s"] = pyvis if pyvis is not None else (f"> {cap:g}" if cap > 0 else "-")
    if pyvis is not None:
        figures["speed-up"] = pyvis / figures["page s"]
    elif cap > 0:
        figures["speed-up"] = f"> {cap / figures['page s']:.0f}"
    with tempfile.TemporaryDirectory() as temp:
        runs = [Path(temp) / f"run-{i}" for i in range(repeat)]
        figures["views s"] = statistics.median(
            _timed(lambda out=out: ViewWriter(G, out).write()) for out in runs
        )
        count, size, largest = _size(runs[0])
        figures["files"] = count
        figures["views MB"] = size / 1e6
        figures["largest"] = str(largest.relative_to(runs[0]))
        figures["largest MB"] = largest.stat().st_size / 1e6
        if browser:
            figures["frame largest s"] = first_frame(largest, repeat)
            page = Path(temp) / "whole.html"
            page.write_text(html, encoding="utf-8")
            figures["frame page s"] = first_frame(page, repeat)
            if frames:
                frames.mkdir(parents=True, exist_ok=True)
                page.replace(frames / f"whole-{n}.html")
    return figures


def _timed(work: Callable[[], Any]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def measure_built(out: Path, repeat: int = 3, browser: bool = True) -> dict[str, Any]:
    """Projection and :func:`graph.views.write_views` on a built graph (``cvekg build --out
    OUT``), medians of ``repeat`` runs, with the process's peak memory."""
    import resource

    from graph import network as gn
    from graph.store import open_store
    from graph.views import write_views

    store = open_store(Path(out))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures: dict[str, Any] = {"built": str(out)}
    figures["projection s"] = _median(lambda: gn.project(store, statements=False), repeat)
    G = gn.project(store, statements=False)
    figures["entities"], figures["edges"] = G.number_of_nodes(), G.number_of_edges()
    del G
    with tempfile.TemporaryDirectory() as temp:
        target = Path(temp) / "views"
        figures["write_views s"] = _median(lambda: write_views(store, target), repeat)
        count, size, largest = _size(target)
        figures["files"], figures["views MB"] = count, size / 1e6
        figures["largest"] = str(largest.relative_to(target))
        figures["largest MB"] = largest.stat().st_size / 1e6
        if browser:
            figures["frame largest s"] = first_frame(largest, repeat)
    figures["store MB"] = before
    figures["peak MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}" if value < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _table(rows: list[dict[str, Any]]) -> str:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    lines = ["| " + " | ".join(columns) + " |", "|" + "---:|" * len(columns)]
    lines += ["| " + " | ".join(_cell(row.get(c, "")) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m graph.views.bench",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 5000, 20000])
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    parser.add_argument(
        "--cap", type=float, default=300.0, help="stop PyVis's path after this many seconds"
    )
    parser.add_argument("--no-pyvis", action="store_true", help="skip PyVis's own path")
    parser.add_argument("--no-browser", action="store_true", help="skip first frames")
    parser.add_argument("--built", type=Path, action="append", default=[], metavar="DIR",
                        help="also measure write_views on a built graph (repeatable)")  # fmt: skip
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    rows = []
    for n in args.sizes:
        rows.append(measure(n, args.repeat, 0 if args.no_pyvis else args.cap, not args.no_browser))
        print(_table(rows[-1:]), flush=True)
    built = [measure_built(out, args.repeat, not args.no_browser) for out in args.built]
    if rows:
        print("\nSynthetic graphs (seconds are medians of", args.repeat, "runs):")
        print(_table(rows))
        base = rows[0]
        for row in rows[1:]:
            ratio = (row["views s"] / base["views s"]) / (row["entities"] / base["entities"])
            print(f"  views time per entity at {row['entities']:,} / at {base['entities']:,}: "
                  f"{ratio:.2f} (1 = linear)")  # fmt: skip
    if built:
        print("\nBuilt graphs:")
        print(_table(built))
    if args.json:
        args.json.write_text(json.dumps({"synthetic": rows, "built": built}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
