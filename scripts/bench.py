"""Benchmark cvekg on synthetic corpora of 10k, 100k and 1M asserted triples, side by side.

For each size it generates a corpus (scripts/synth.py) and measures, as medians of repeated
runs:

* ``cvekg build`` end to end, each phase, and the peak memory: the larger of the build
  process's VmHWM and the peak of the proportional set sizes (PSS) of it and the processes
  it forks (the graph-file writers share its memory), sampled five times a second while
  they run;
* bare pyoxigraph loading the same files (the floor of the load phase);
* every competency query (ontology/queries/*.rq) and the 3-way join French city–exchange–US
  city on our engine (``graph.query.sparql.run_query``), on bare pyoxigraph (the floor) and on
  rdflib's in-memory store (the baseline, each query in a forked process killed after a cap);
* the first frame of the largest generated view in Chromium (Playwright).

Then, once: the seed graph's ``cvekg build`` and ``cvekg query`` wall time, and view
generation of a 20k-node graph against the pyvis ``add_node``/``add_edge`` path.

It writes ``build/bench/results.json`` and ``build/bench/results.md`` and prints the table and
the ratios. ``--quick`` runs the 10k and 100k sizes only (under 10 minutes on 2 cores).

Usage::

    python scripts/bench.py --quick
    python scripts/bench.py            # 10k, 100k and 1M; the 1M build takes minutes
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THREE_WAY_JOIN = """# The 3-way join: French city – City Pair exchange – US city.
SELECT ?french ?exchange ?us WHERE {
  ?exchange cvekg:delegationFrom ?french ; cvekg:hostCity ?us .
  ?french a cvekg:FrenchCity .
  ?us a cvekg:USCity .
}"""
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _synth():
    spec = importlib.util.spec_from_file_location("synth", ROOT / "scripts" / "synth.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("synth", module)
    spec.loader.exec_module(module)
    return module


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


# --- build ------------------------------------------------------------------------------------

_BUILD_RUNNER = textwrap.dedent(
    """
    import json, os, sys, threading, time
    from pathlib import Path

    def children(pid):
        found = []
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(c) for c in f.read().split()]
        return found

    def tree_kb():  # proportional set sizes of this process and its children (if it forks)
        pids, total = [os.getpid()], 0
        for pid in pids:
            try:
                pids += children(pid)
                with open(f"/proc/{pid}/smaps_rollup") as f:
                    total += next(int(l.split()[1]) for l in f if l.startswith("Pss:"))
            except (OSError, StopIteration):
                pass  # a child that just ended
        return total

    tree_peak, done = [0], threading.Event()
    def sample():  # only while the build has children: reading smaps_rollup of a 3 GB
        while not done.wait(0.2):  # process costs the kernel ~20 ms, VmHWM covers the rest
            if children(os.getpid()):
                tree_peak[0] = max(tree_peak[0], tree_kb())
    threading.Thread(target=sample, daemon=True).start()
    started = time.perf_counter()
    from graph.pipeline import build
    result = build(sources=Path(sys.argv[1]), out=Path(sys.argv[2]), views=sys.argv[3] == "1")
    total = time.perf_counter() - started
    done.set()
    peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
    print(json.dumps({"seconds": result.seconds, "total": total,
                      "peak_mb": max(peak, tree_peak[0]) / 1024, "process_peak_mb": peak / 1024,
                      "tree_peak_mb": tree_peak[0] / 1024,
                      "counts": result.counts, "claims": result.claims}))
    """
)


def measure_build(corpus: Path, out: Path, repeat: int, views: bool) -> dict:
    """``build()`` in a fresh process per run: phases, end-to-end seconds, peak memory."""
    runs = []
    for i in range(repeat):
        done = subprocess.run(
            [sys.executable, "-c", _BUILD_RUNNER, str(corpus), str(out), "1" if views else "0"],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        if done.returncode != 0:
            raise SystemExit(f"build of {corpus} failed:\n{done.stderr[-3000:]}")
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        _say(f"    build run {i + 1}/{repeat}: {runs[-1]['total']:.1f} s")
    phases = sorted({p for r in runs for p in r["seconds"]}, key=list(runs[0]["seconds"]).index)
    return {
        "phases": {p: _median([r["seconds"].get(p, 0.0) for r in runs]) for p in phases},
        "total": _median([r["total"] for r in runs]),
        "peak_mb": max(r["peak_mb"] for r in runs),
        "counts": runs[0]["counts"],
        "claims": runs[0]["claims"],
        "runs": len(runs),
    }


def measure_bare_load(corpus: Path, repeat: int) -> float:
    """Seconds for bare pyoxigraph to bulk-load the corpus files into one store."""
    import pyoxigraph as ox

    from graph.namespaces import REFERENCE_GRAPH

    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        store = ox.Store()
        for path in sorted(corpus.glob("*.trig")):
            store.bulk_load(path=str(path), format=ox.RdfFormat.TRIG)
        for path in sorted(corpus.glob("*.ttl")):
            graph = ox.NamedNode(str(REFERENCE_GRAPH[path.stem]))
            store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=graph)
        times.append(time.perf_counter() - started)
        del store
    return _median(times)


# --- queries ----------------------------------------------------------------------------------


def competency_queries() -> dict[str, str]:
    """Every named query, and the 3-way join."""
    from graph.resources import queries_dir

    queries = {p.stem: p.read_text(encoding="utf-8") for p in sorted(queries_dir().glob("*.rq"))}
    queries["3-way-join"] = THREE_WAY_JOIN
    return queries


def measure_queries(out: Path, queries: dict[str, str], repeat: int) -> dict[str, dict]:
    """Median seconds of each query on our engine and on bare pyoxigraph (all rows read)."""
    from graph.namespaces import PREFIXES
    from graph.query.sparql import run_query
    from graph.store import open_store

    started = time.perf_counter()
    store = open_store(out)
    _say(f"    store opened in {time.perf_counter() - started:.1f} s")
    figures = {}
    for name, query in queries.items():
        ours, first, bare, rows = [], [], [], 0
        for _ in range(repeat):
            t = time.perf_counter()
            rows, first_row = _read_all(run_query(store, query), t)
            ours.append(time.perf_counter() - t)
            first.append(first_row)
            t = time.perf_counter()
            _read_all(store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True), t)
            bare.append(time.perf_counter() - t)
        figures[name] = {
            "ours": _median(ours),
            "first_row": _median(first),
            "pyoxigraph": _median(bare),
            "rows": rows,
        }
    return figures


def _read_all(results, started: float) -> tuple[int, float]:
    """Rows read from an Oxigraph result, and the seconds from ``started`` to the first."""
    rows, first = 0, None
    for _ in results if not isinstance(results, bool) else ():
        if first is None:
            first = time.perf_counter() - started
        rows += 1
    return rows, first if first is not None else time.perf_counter() - started


_RDFLIB_RUNNER = textwrap.dedent(
    """
    import json, os, sys, time
    from rdflib import Dataset
    from graph.namespaces import PREFIXES
    path, cap = sys.argv[1], float(sys.argv[2])
    queries = json.load(sys.stdin)
    started = time.perf_counter()
    dataset = Dataset(default_union=True)
    dataset.parse(path, format="trig")
    print(json.dumps({"loaded": time.perf_counter() - started}), flush=True)
    for name, query in queries.items():
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the query runs in a child, killed when it outlives the cap
            os.close(read)
            t = time.perf_counter()
            rows = sum(1 for _ in dataset.query(query, initNs=PREFIXES))
            os.write(write, json.dumps([time.perf_counter() - t, rows]).encode())
            os._exit(0)
        os.close(write)
        deadline = time.perf_counter() + cap
        finished = False
        while not finished and time.perf_counter() < deadline:
            finished = os.waitpid(pid, os.WNOHANG) != (0, 0)
            time.sleep(0 if finished else 0.02)
        if not finished:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            print(json.dumps({"name": name, "seconds": None}), flush=True)
        else:
            seconds, rows = json.loads(os.read(read, 4096) or b"[null, 0]")
            print(json.dumps({"name": name, "seconds": seconds, "rows": rows}), flush=True)
        os.close(read)
    """
)


def measure_rdflib(out: Path, queries: dict[str, str], cap: float) -> dict:
    """Each query on rdflib's in-memory store (graph.trig parsed once), capped at ``cap`` s."""
    done = subprocess.run(
        [sys.executable, "-c", _RDFLIB_RUNNER, str(out / "graph.trig"), str(cap)],
        input=json.dumps(queries),
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise SystemExit(f"rdflib runner failed:\n{done.stderr[-3000:]}")
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return {
        "load": lines[0]["loaded"],
        "queries": {line["name"]: line["seconds"] for line in lines[1:]},
    }


# --- views ------------------------------------------------------------------------------------

_PYVIS_RUNNER = textwrap.dedent(
    """
    import json, sys, time
    from graph.views.bench import synthetic
    from pyvis.network import Network
    G = synthetic(int(sys.argv[1]))
    started = time.perf_counter()
    net = Network(directed=sys.argv[2] == "directed")
    for node, data in G.nodes(data=True):
        net.add_node(node, label=data["label_en"], title=data["label_en"], group=data["group"])
    for u, v, data in G.edges(data=True):
        net.add_edge(u, v, title=data.get("quote", ""))
    print(json.dumps(time.perf_counter() - started))
    """
)


def measure_pyvis(nodes: int, cap: float, kind: str) -> float | None:
    """Seconds pyvis takes to add the nodes and edges of the synthetic graph (None past cap).

    ``kind`` is ``directed`` or ``undirected`` (pyvis's default, which also looks for an
    existing edge, in Python, before adding each one).
    """
    try:
        done = subprocess.run(
            [sys.executable, "-c", _PYVIS_RUNNER, str(nodes), kind],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=cap,
        )
    except subprocess.TimeoutExpired:
        return None
    return json.loads(done.stdout.strip()) if done.returncode == 0 else None


def measure_page(nodes: int, repeat: int, folder: Path) -> dict:
    """Our page of a synthetic graph of ``nodes`` entities: seconds, size, and the file."""
    from graph.views import render_graph_page
    from graph.views.bench import synthetic

    graph = synthetic(nodes)
    times, html = [], ""
    for _ in range(repeat):
        started = time.perf_counter()
        html = render_graph_page(graph, f"{nodes} nodes")
        times.append(time.perf_counter() - started)
    path = folder / f"synthetic-{nodes}.html"
    path.write_text(html, encoding="utf-8")
    return {"seconds": _median(times), "mb": len(html.encode()) / 1e6, "path": str(path)}


def first_frame(page_path: Path, repeat: int = 2) -> float | None:
    """Seconds from navigation to the first frame drawn after the graph's canvas exists."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not Path(CHROMIUM).exists():
        return None
    times = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for _ in range(repeat):
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            started = time.perf_counter()
            page.goto(page_path.resolve().as_uri(), wait_until="commit", timeout=120_000)
            page.wait_for_selector("canvas", state="attached", timeout=120_000)
            page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            times.append(time.perf_counter() - started)
            page.close()
        browser.close()
    return _median(times)


def largest_view(out: Path) -> Path | None:
    pages = [p for p in (out / "views").rglob("*.html") if p.stat().st_size > 10_000]
    return max(pages, key=lambda p: p.stat().st_size) if pages else None


# --- the seed graph ---------------------------------------------------------------------------


def measure_seed(repeat: int) -> dict:
    """Wall time of ``cvekg build`` and ``cvekg query`` on the shipped sources (fresh processes).

    One run of each comes first and is not counted: it writes the package's bytecode, as an
    installed copy has it, where ``PYTHONDONTWRITEBYTECODE`` (set in some sandboxes) would
    have every process compile the package's modules again (0.1 s of a seed build here).
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "build"
        cvekg = [sys.executable, "-m", "graph.cli"]
        commands = {
            "build": [*cvekg, "build", "-q", "--out", str(out)],
            "query": [*cvekg, "query", "03-city-pairs", "--build", str(out)],
        }
        times: dict[str, list[float]] = {"build": [], "query": []}
        for name, command in commands.items():
            for run in range(repeat + 1):
                started = time.perf_counter()
                done = subprocess.run(command, capture_output=True, text=True, cwd=folder, env=env)
                if run:
                    times[name].append(time.perf_counter() - started)
                if done.returncode != 0:
                    raise SystemExit(f"seed {name} failed:\n{done.stderr}")
    return {name: _median(found) for name, found in times.items()}


def measure_query_cli(out: Path, name: str, repeat: int) -> float:
    """Wall seconds of ``cvekg query NAME --build OUT`` in a fresh process, from its start to
    its last row printed (the table read from a pipe, as a script would)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "graph.cli", "query", name, "--build", str(out)],
            capture_output=True,
            cwd=ROOT,
        )
        times.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise SystemExit(f"cvekg query {name} failed:\n{done.stderr.decode()[-3000:]}")
    return _median(times)


# --- targets (issue 15) -------------------------------------------------------------------------

#: Issue 15's limits: a measured value over its limit misses the target.
BUILD_SECONDS, BUILD_PEAK_MB, LOAD_RATIO, VIEWS_SECONDS = 45.0, 1500.0, 1.5, 10.0
QUERY_SECONDS, QUERY_ROWS, FIRST_ROW_SECONDS = 1.0, 20_000, 0.1
RDFLIB_SPEEDUP, OVER_BARE = 50.0, 1.2
SEED_BUILD_SECONDS, SEED_QUERY_SECONDS, QUERY_03_SECONDS = 0.6, 0.2, 2.0


def targets(results: dict) -> list[tuple[str, str, str, str, str]]:
    """Every issue-15 target this run measured: ``(target, limit, measured, ratio, verdict)``.

    The ratio is measured ÷ limit (a floor such as bare pyoxigraph is measured in the same
    run); for a speed-up target it is limit ÷ measured, so above 1 always misses.
    The size-bound targets read the largest size run, named in the row.
    """
    data = results["sizes"]
    large = max(data, key=lambda label: data[label]["asserted"])
    d = data[large]
    rows: list[tuple[str, str, str, str, str]] = []

    def add(target: str, limit: str, measured: str, ratio: float) -> None:
        verdict = "met" if ratio <= 1.0 else "missed"
        rows.append((target, limit, measured, f"{ratio:.2f}", verdict))

    build = d["build"]
    add(
        f"{large}: `cvekg build` end to end",
        f"{BUILD_SECONDS:.0f} s",
        _s(build["total"]),
        build["total"] / BUILD_SECONDS,
    )
    add(
        f"{large}: build peak memory",
        f"{BUILD_PEAK_MB:,.0f} MB",
        f"{build['peak_mb']:,.0f} MB",
        build["peak_mb"] / BUILD_PEAK_MB,
    )
    for label, entry in data.items():
        load, bare = entry["build"]["phases"].get("load", 0.0), entry["bare_load"]
        add(
            f"{label}: load ÷ bare pyoxigraph ({_s(bare)})",
            f"{LOAD_RATIO}x",
            f"{load / bare:.2f}x",
            load / bare / LOAD_RATIO,
        )
    views = build["phases"].get("views")
    if views is not None:
        add(f"{large}: views", f"{VIEWS_SECONDS:.0f} s", _s(views), views / VIEWS_SECONDS)
        per_triple = {
            label: e["build"]["phases"].get("views", 0.0) / e["asserted"]
            for label, e in data.items()
        }
        smallest = min(data, key=lambda label: data[label]["asserted"])
        if smallest != large:
            growth = per_triple[large] / per_triple[smallest]
            add(
                f"views linear in size: seconds per triple, {large} ÷ {smallest}",
                "1.0x",
                f"{growth:.2f}x",
                growth,
            )
    for name, q in d["queries"].items():
        if q["rows"] <= QUERY_ROWS:
            add(
                f"{large}: query {name} ({q['rows']:,} rows), all rows",
                f"{QUERY_SECONDS:.0f} s",
                _s(q["ours"]),
                q["ours"] / QUERY_SECONDS,
            )
        else:
            add(
                f"{large}: query {name} ({q['rows']:,} rows), first row",
                _s(FIRST_ROW_SECONDS),
                _s(q["first_row"]),
                q["first_row"] / FIRST_ROW_SECONDS,
            )
        over = q["ours"] / max(q["pyoxigraph"], 1e-6)
        add(
            f"{large}: query {name} ÷ bare pyoxigraph ({_s(q['pyoxigraph'])})",
            f"{OVER_BARE}x",
            f"{over:.2f}x",
            over / OVER_BARE,
        )
    for label, entry in data.items():
        rdflib = entry.get("rdflib")
        if not rdflib:
            continue
        for name, q in entry["queries"].items():
            theirs = rdflib["queries"].get(name)
            floor = max(q["ours"], 1e-4)
            if theirs is None:  # killed at the cap: at least this fast
                speedup, shown = rdflib["cap"] / floor, f"> {rdflib['cap'] / floor:,.0f}x"
            else:
                speedup, shown = theirs / floor, f"{theirs / floor:,.1f}x"
            add(
                f"{label}: query {name}, rdflib ÷ ours",
                f"≥ {RDFLIB_SPEEDUP:.0f}x",
                shown,
                RDFLIB_SPEEDUP / max(speedup, 1e-9),
            )
    seed = results["seed"]
    add(
        "seed graph: `cvekg build` wall",
        _s(SEED_BUILD_SECONDS),
        _s(seed["build"]),
        seed["build"] / SEED_BUILD_SECONDS,
    )
    add(
        "seed graph: `cvekg query 03-city-pairs` wall",
        _s(SEED_QUERY_SECONDS),
        _s(seed["query"]),
        seed["query"] / SEED_QUERY_SECONDS,
    )
    if "query_03_cli" in d:
        add(
            f"{large}: `cvekg query 03-city-pairs` wall, start to last row",
            f"{QUERY_03_SECONDS:.0f} s",
            _s(d["query_03_cli"]),
            d["query_03_cli"] / QUERY_03_SECONDS,
        )
    return rows


def targets_markdown(results: dict) -> str:
    """The targets as a Markdown table, and how many were met."""
    rows = targets(results)
    met = sum(1 for row in rows if row[4] == "met")
    lines = [
        f"## Issue 15 targets: {met} of {len(rows)} met (ratio = measured ÷ limit)",
        "",
        "| target | limit | measured | ratio | |",
        "|---|---:|---:|---:|---|",
    ]
    lines += [
        f"| {t} | {limit} | {measured} | {ratio} | {verdict} |"
        for t, limit, measured, ratio, verdict in rows
    ]
    return "\n".join(lines) + "\n"


# --- report -----------------------------------------------------------------------------------


def _s(value: float | None, cap: float | None = None) -> str:
    if value is None:
        return f"> {cap:.0f} s" if cap else "–"
    if value != value:  # NaN
        return "–"
    return f"{value * 1000:.1f} ms" if value < 0.1 else f"{value:.2f} s"


def _ratio(slow: float | None, fast: float, cap: float | None = None) -> str:
    if fast <= 0 or fast != fast:
        return "–"
    if slow is None:
        return f"> {cap / fast:,.0f}x" if cap else "–"
    return f"{slow / fast:,.1f}x"


def markdown(results: dict) -> str:
    """The results as Markdown tables."""
    sizes = list(results["sizes"])
    lines = [
        "# cvekg benchmark",
        "",
        f"{results['machine']}; `{results['command']}`; medians of {results['repeat']} runs "
        f"(1M: {results['repeat_large']}).",
        "",
        "## Build (`cvekg build`, views included)",
        "",
        "| | " + " | ".join(sizes) + " |",
        "|---|" + "---:|" * len(sizes),
    ]
    data = results["sizes"]
    phases = []
    for size in sizes:
        for phase in data[size]["build"]["phases"]:
            if phase not in phases:
                phases.append(phase)
    rows = [
        ("triples in the graph", lambda d: f"{sum(d['build']['counts'].values()):,}"),
        ("asserted (claims + reference)", lambda d: f"{d['asserted']:,}"),
        ("bare pyoxigraph load", lambda d: _s(d["bare_load"])),
    ]
    rows += [(p, lambda d, p=p: _s(d["build"]["phases"].get(p))) for p in phases]
    rows += [
        ("**end to end**", lambda d: f"**{_s(d['build']['total'])}**"),
        (
            "end to end without views",
            lambda d: _s(d["build"]["total"] - d["build"]["phases"].get("views", 0.0)),
        ),
        ("load ÷ bare pyoxigraph", lambda d: _ratio(d["build"]["phases"]["load"], d["bare_load"])),
        ("peak memory", lambda d: f"{d['build']['peak_mb']:,.0f} MB"),
        ("largest view, first frame", lambda d: _s(d.get("first_frame"))),
    ]
    for label, cell in rows:
        lines.append(f"| {label} | " + " | ".join(cell(data[s]) for s in sizes) + " |")
    lines += ["", "## Queries (all rows read)", ""]
    head = "| query | " + " | ".join(f"{s} ours | {s} pyoxigraph | {s} rdflib" for s in sizes)
    lines += [head + " |", "|---|" + "---:|---:|---:|" * len(sizes)]
    for name in data[sizes[0]]["queries"]:
        cells = []
        for size in sizes:
            q = data[size]["queries"][name]
            rdflib = data[size].get("rdflib")
            if rdflib is None:
                baseline = "not run"
            else:
                baseline = _s(rdflib["queries"].get(name), rdflib["cap"])
            cells.append(f"{_s(q['ours'])} | {_s(q['pyoxigraph'])} | {baseline}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "## Ratios", ""]
    for size in sizes:
        d = data[size]
        worst = max(d["queries"].values(), key=lambda q: q["ours"])
        over_floor = max(q["ours"] / max(q["pyoxigraph"], 1e-6) for q in d["queries"].values())
        line = (
            f"- {size}: slowest query {_s(worst['ours'])}; ours ÷ bare pyoxigraph at most "
            f"{over_floor:.1f}x"
        )
        rdflib = d.get("rdflib")
        if rdflib:
            speedups = [
                _ratio(rdflib["queries"].get(n), q["ours"], rdflib["cap"])
                for n, q in d["queries"].items()
            ]
            line += f"; rdflib ÷ ours per query: {', '.join(speedups)}"
        lines.append(line)
    seed = results["seed"]
    views = results["views"]
    lines += [
        "",
        "## Seed graph and views",
        "",
        f"- seed graph: `cvekg build` {_s(seed['build'])} wall, "
        f"`cvekg query 03-city-pairs` {_s(seed['query'])} wall (fresh processes)",
    ]
    for n, v in views.items():
        lines.append(
            f"- {int(n):,}-node page: ours {_s(v['ours'])} ({v['mb']:.1f} MB, first frame "
            f"{_s(v.get('first_frame'))}); pyvis add_node/add_edge "
            f"{_s(v['pyvis'], v['pyvis_cap'])} ({_ratio(v['pyvis'], v['ours'], v['pyvis_cap'])}; "
            f"pyvis's default undirected network), directed "
            f"{_s(v['pyvis_directed'], v['pyvis_cap'])} "
            f"({_ratio(v['pyvis_directed'], v['ours'], v['pyvis_cap'])})"
        )
    lines += ["", targets_markdown(results).rstrip("\n")]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the table and write build/bench/results.{json,md}."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10k and 100k only")
    parser.add_argument("--sizes", type=int, nargs="*", help="asserted triples per corpus")
    parser.add_argument("--repeat", type=int, help="runs per measure (3; quick 2)")
    parser.add_argument("--repeat-large", type=int, default=2, help="build runs at 1M and up")
    parser.add_argument("--rdflib-cap", type=float, help="seconds per rdflib query (30; quick 5)")
    parser.add_argument("--rdflib-max", type=int, default=200_000, help="largest size for rdflib")
    parser.add_argument("--pyvis-cap", type=float, default=60.0, help="seconds for pyvis")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench")
    args = parser.parse_args(argv)
    sizes = args.sizes or ([10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000])
    cap = args.rdflib_cap or (5.0 if args.quick else 30.0)
    args.repeat = args.repeat or (2 if args.quick else 3)
    args.out.mkdir(parents=True, exist_ok=True)
    synth = _synth()
    queries = competency_queries()
    results: dict = {
        "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}",
        "command": "python scripts/bench.py" + (" --quick" if args.quick else ""),
        "repeat": args.repeat,
        "repeat_large": args.repeat_large,
        "sizes": {},
    }
    started = time.perf_counter()
    for size in sizes:
        label = f"{size // 1000}k" if size < 1_000_000 else f"{size // 1_000_000}M"
        repeat = args.repeat if size < 1_000_000 else args.repeat_large
        _say(f"== {label}: corpus")
        corpus_dir = args.out / f"corpus-{label}"
        t = time.perf_counter()
        corpus = synth.generate(size, corpus_dir, seed=1)
        entry: dict = {"asserted": corpus.triples, "synth": time.perf_counter() - t}
        _say(f"== {label}: bare pyoxigraph load")
        entry["bare_load"] = measure_bare_load(corpus_dir, max(repeat, 3))
        _say(f"== {label}: cvekg build")
        out = args.out / f"build-{label}"
        entry["build"] = measure_build(corpus_dir, out, repeat, views=True)
        _say(f"== {label}: queries")
        entry["queries"] = measure_queries(out, queries, args.repeat)
        if size == max(sizes):
            _say(f"== {label}: cvekg query 03-city-pairs, a fresh process")
            entry["query_03_cli"] = measure_query_cli(out, "03-city-pairs", args.repeat)
        if size <= args.rdflib_max:
            _say(f"== {label}: rdflib baseline (cap {cap:.0f} s per query)")
            entry["rdflib"] = measure_rdflib(out, queries, cap) | {"cap": cap}
        page = largest_view(out)
        if page is not None:
            _say(f"== {label}: first frame of {page.relative_to(out)}")
            entry["largest_view"] = {
                "path": str(page.relative_to(out)),
                "mb": page.stat().st_size / 1e6,
            }
            entry["first_frame"] = first_frame(page)
        results["sizes"][label] = entry
    _say("== seed graph")
    results["seed"] = measure_seed(args.repeat)
    _say("== views: 20k-node page against pyvis")
    results["views"] = {}
    for nodes in (20_000,):
        page = measure_page(nodes, args.repeat, args.out)
        page["first_frame"] = first_frame(Path(page["path"]))
        page["pyvis"] = measure_pyvis(nodes, args.pyvis_cap, "undirected")
        page["pyvis_directed"] = measure_pyvis(nodes, args.pyvis_cap, "directed")
        page["pyvis_cap"] = args.pyvis_cap
        page["ours"] = page.pop("seconds")
        results["views"][str(nodes)] = page
    results["wall"] = time.perf_counter() - started
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    table = markdown(results)
    (args.out / "results.md").write_text(table, encoding="utf-8")
    print(table)
    print(f"benchmark wall time {results['wall'] / 60:.1f} min -> {args.out}/results.{{json,md}}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
