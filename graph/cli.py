"""The ``cvekg`` command. Each sub-command parses its arguments and calls one library function.

Exit codes: 0 success; 1 the build found problems (or, with ``--fail-empty``, no results);
2 bad input (a syntax error, an unknown name, a refused query, a missing file).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from graph import __version__
from graph.errors import CvekgError

__all__ = ["main"]


def _print_err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- build ---------------------------------------------------------------------------------


def _add_build(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "build",
        help="build, validate and write the graph and its views",
        description="Build the graph from the ontology and the sources, validate it, and write "
        "build/graph.{trig,ttl,jsonld,nt}, build/report.md and build/views/.",
    )
    p.add_argument("--sources", type=Path, help="sources folder (default: the shipped sources)")
    p.add_argument("--out", type=Path, default=Path("build"), help="output folder (default: build)")
    p.add_argument("--no-views", action="store_true", help="skip the HTML views")
    p.add_argument("-q", "--quiet", action="store_true", help="print only the summary")
    p.set_defaults(run=_run_build)


def _run_build(args: argparse.Namespace) -> int:
    from graph.build import build

    progress = None if args.quiet else (lambda line: _print_err(f"cvekg: {line}"))
    result = build(
        sources=args.sources,
        out=args.out,
        views=not args.no_views,
        progress=progress or (lambda line: None),
    )
    print(result.summary())
    return 0


#: Sub-commands in the order ``cvekg --help`` lists them.
COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [_add_build]


def parser() -> argparse.ArgumentParser:
    """The argument parser of ``cvekg``."""
    p = argparse.ArgumentParser(
        prog="cvekg",
        description="A sourced knowledge graph of French-US city partnerships that counter "
        "violent extremism.",
    )
    p.add_argument("--version", action="version", version=f"cvekg {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="log what each step does")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in COMMANDS:
        add(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run ``cvekg``; return the exit code."""
    args = parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return args.run(args)
    except CvekgError as exc:
        _print_err(f"cvekg: {exc}")
        return exc.exit_code
    except KeyboardInterrupt:
        _print_err("cvekg: interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
