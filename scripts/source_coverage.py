"""How many rows of the shipped competency queries show at least one quote with sources.

Runs every query of ``ontology/queries`` on a build, works out each row's sources as
``cvekg query --with-sources`` does, and prints, per query and in total, the rows with at
least one quote over all rows (and how many rest only on a value-based guess).

Usage::

    PYTHONPATH=. python scripts/source_coverage.py [--out BUILD_DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from graph.pipeline import open_built
from graph.query.named import list_queries
from graph.query.results import row_sources
from graph.query.sparql import execute


def main() -> int:
    """Print the coverage table; exit 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("build"), help="build folder")
    args = parser.parse_args()
    store = open_built(args.out, None, lambda line: None)
    total = quoted = guessed = 0
    for named in list_queries():
        outcome = execute(store, named.text)
        sources = row_sources(store, outcome, named.text)
        rows = len(outcome.rows)
        ok = sum(1 for found in sources if any(s.quote for s in found))
        guess = sum(1 for found in sources if found and all(s.guess for s in found))
        total, quoted, guessed = total + rows, quoted + ok, guessed + guess
        print(f"{named.name:<30} {ok:>3}/{rows:<3} guessed {guess}")
    print(f"{'total':<30} {quoted:>3}/{total:<3} guessed {guessed}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
