"""How a built graph is shaped: entities per kind, degree, exchanges per city pair, and the
size of the join that competency query 17 makes (attacks × exchanges hosted in one city).

The synthetic corpora (``scripts/synth.py``) should be shaped as the real graph is, only
bigger; this prints the figures side by side for build folders, e.g. the seed build and a
synthetic one::

    python scripts/corpus_shape.py build build/synth-1m-out

Every figure is read from the build's on-disk store with SPARQL (no build is made here).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

__all__ = ["shape", "main"]

KINDS = ("City", "CityPairExchange", "Attack", "Person", "Organization", "Topic", "Program")

_ASSERTED = """FILTER(STRSTARTS(STR(?g), "https://w3id.org/cvekg/claim/")
                       || STRSTARTS(STR(?g), "https://w3id.org/cvekg/graph/reference"))"""
_DEGREE = f"""SELECT ?n (COUNT(*) AS ?d) WHERE {{
  {{ GRAPH ?g {{ ?n ?p ?o }} FILTER(isIRI(?o) && ?p != rdf:type) }}
  UNION {{ GRAPH ?g {{ ?s ?p ?n }} FILTER(isIRI(?n) && ?p != rdf:type) }}
  {_ASSERTED} FILTER(STRSTARTS(STR(?n), "https://w3id.org/cvekg/id/"))
}} GROUP BY ?n"""
_PAIRS = """SELECT ?f ?u (COUNT(DISTINCT ?e) AS ?n) WHERE {
  ?e a cvekg:CityPairExchange ; cvekg:partnerCity ?f , ?u .
  ?f a cvekg:FrenchCity . ?u a cvekg:USCity .
} GROUP BY ?f ?u"""
_HOSTED = """SELECT ?c (COUNT(DISTINCT ?e) AS ?n) WHERE {
  ?e a cvekg:CityPairExchange ; cvekg:hostCity ?c } GROUP BY ?c"""
_ATTACKED = """SELECT ?c (COUNT(DISTINCT ?a) AS ?n) WHERE {
  ?a a cvekg:Attack ; cvekg:place ?c } GROUP BY ?c"""


def _counts(store, query: str) -> list[int]:
    from graph.namespaces import PREFIXES

    rows = store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True)
    return [int(row[len(row) - 1].value) for row in rows]


def _summary(values: list[int]) -> dict[str, float]:
    if not values:
        return {"count": 0, "median": 0, "p99": 0, "max": 0, "top1_share": 0.0}
    ordered = sorted(values)
    top = ordered[-max(1, len(ordered) // 100) :]
    return {
        "count": len(ordered),
        "median": statistics.median(ordered),
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        "max": ordered[-1],
        "top1_share": sum(top) / sum(ordered),
    }


def shape(out: Path) -> dict:
    """The shape figures of the build in ``out`` (its ``store/`` and ``build-info.json``)."""
    import json

    import pyoxigraph as ox

    info = json.loads((out / "build-info.json").read_text(encoding="utf-8"))
    asserted = info["triples"]["claims"] + info["triples"]["reference"]
    store = ox.Store.read_only(str(out / "store"))
    classes = info["classes"]
    hosted = dict(
        (row[0].value, int(row[1].value))
        for row in store.query(_HOSTED, prefixes=_prefixes(), use_default_graph_as_union=True)
    )
    attacked = dict(
        (row[0].value, int(row[1].value))
        for row in store.query(_ATTACKED, prefixes=_prefixes(), use_default_graph_as_union=True)
    )
    return {
        "asserted": asserted,
        "per_1k": {k: 1000 * classes.get(f"cvekg:{k}", 0) / asserted for k in KINDS},
        "degree": _summary(_counts(store, _DEGREE)),
        "pairs": _summary(_counts(store, _PAIRS)),
        "hosted": _summary(list(hosted.values())),
        "attacked": _summary(list(attacked.values())),
        # Query 17's rows before DISTINCT and labels: attacks × exchanges, city by city.
        "join_17": sum(n * attacked.get(city, 0) for city, n in hosted.items()),
    }


def _prefixes() -> dict[str, str]:
    from graph.namespaces import PREFIXES

    return PREFIXES


def markdown(shapes: dict[str, dict]) -> str:
    """The figures of each build as one Markdown table, a column per build."""
    names = list(shapes)
    lines = ["| | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]

    def row(label: str, cell) -> None:
        lines.append(f"| {label} | " + " | ".join(cell(shapes[n]) for n in names) + " |")

    row("asserted triples", lambda s: f"{s['asserted']:,}")
    for kind in KINDS:
        row(f"{kind} per 1,000 asserted", lambda s, k=kind: f"{s['per_1k'][k]:.2f}")
    for key, label in (
        ("degree", "entity degree (asserted links)"),
        ("pairs", "exchanges per city pair"),
        ("hosted", "exchanges hosted per city"),
        ("attacked", "attacks per city"),
    ):
        row(
            f"{label}: median / p99 / max",
            lambda s, k=key: f"{s[k]['median']:g} / {s[k]['p99']:g} / {s[k]['max']:g}",
        )
        row(f"{label}: share of the top 1%", lambda s, k=key: f"{100 * s[k]['top1_share']:.0f}%")
    row("query 17's join (attacks × exchanges per host city)", lambda s: f"{s['join_17']:,}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Print the shape table of the build folders given."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("builds", type=Path, nargs="+", help="build folders (with store/)")
    args = parser.parse_args(argv)
    print(markdown({str(out): shape(out) for out in args.builds}), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
