"""Load and query times on Virtuoso against the embedded store, side by side (medians).

    python scripts/bench_virtuoso.py                  # the seed graph and a 20k corpus
    python scripts/bench_virtuoso.py --triples 100000 --runs 5

For each corpus: ``cvekg build`` (without views), then the load of ``graph.nq`` by bare
pyoxigraph (in memory) and by ``cvekg publish`` (Virtuoso's bulk loader through ``isql-vt``,
clearing our graphs first, checkpoint and lock-down included), then every competency query
through ``graph.query.sparql.execute`` on both stores (all rows read; the remote side
includes HTTP and the JSON round trip). A Virtuoso is started in a temporary folder for the
run and stopped at the end.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyoxigraph as ox  # noqa: E402

from graph.pipeline import build  # noqa: E402
from graph.publish import publish  # noqa: E402
from graph.publish import virtuoso as vt  # noqa: E402
from graph.query.named import list_queries  # noqa: E402
from graph.query.sparql import execute  # noqa: E402
from graph.store import open_endpoints, open_store  # noqa: E402


def _median(work, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _seconds(value: float) -> str:
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def bench(name: str, out: Path, server: vt.LocalServer, runs: int) -> list[str]:
    """The table rows for the build in ``out``."""
    nquads = out / "graph.nq"
    bare = _median(
        lambda: ox.Store().bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS), runs
    )
    loads = []
    for _ in range(runs):
        result = publish(out, [server.address], password_file=server.password_file)
        loads.append(result.seconds)
    local, remote = open_store(out), open_endpoints([server.endpoint])
    lines = [
        f"\n### {name}: {result.quads:,} quads, {result.graphs:,} graphs\n",
        "| | embedded (pyoxigraph) | Virtuoso |",
        "|---|---:|---:|",
        f"| load `graph.nq` | {_seconds(bare)} | {_seconds(statistics.median(loads))} |",
    ]
    totals = [0.0, 0.0]
    for query in list_queries(None):
        a = _median(lambda q=query: execute(local, q.text), runs)
        b = _median(lambda q=query: execute(remote, q.text), runs)
        totals[0] += a
        totals[1] += b
        lines.append(f"| {query.name} | {_seconds(a)} | {_seconds(b)} |")
    lines.append(f"| **all 24 queries** | **{_seconds(totals[0])}** | **{_seconds(totals[1])}** |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, action="append", help="synthetic sizes (20000)")
    parser.add_argument("--runs", type=int, default=3, help="runs per measure (median)")
    args = parser.parse_args()
    sizes = args.triples or [20000]
    with tempfile.TemporaryDirectory(prefix="cvekg-bench-virtuoso-") as tmp:
        folder = Path(tmp)
        server = vt.start(folder / "virtuoso", max_rows=1000000)
        try:
            lines = []
            seed = folder / "seed"
            build(out=seed, views=False)
            lines += bench("seed", seed, server, args.runs)
            for size in sizes:
                sources, out = folder / f"synth-{size}", folder / f"out-{size}"
                subprocess.run(
                    [sys.executable, str(ROOT / "scripts" / "synth.py"), "--triples", str(size),
                     "--out", str(sources)], check=True, capture_output=True,
                )  # fmt: skip
                build(sources=sources, out=out, views=False)
                lines += bench(f"synthetic {size:,} asserted", out, server, args.runs)
        finally:
            vt.stop(folder / "virtuoso")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
