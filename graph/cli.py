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


# --- views, view, path, stats, export (the network) -----------------------------------------


def _add_build_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, default=Path("build"), help="built graph (default: build)")
    p.add_argument("--sources", type=Path, help="sources to rebuild from when stale")


def _add_views(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "views",
        help="write the HTML views (index, overview, city pairs, timeline, entity pages)",
        description="Write build/views/: index.html and every view, each a self-contained page "
        "that works offline. cvekg build writes them too.",
    )
    _add_build_options(p)
    p.set_defaults(run=_run_views)


def _run_views(args: argparse.Namespace) -> int:
    from graph.network import open_built
    from graph.views import write_views

    files = write_views(open_built(args.out, args.sources), args.out / "views")
    print(f"wrote {len(files)} files: open {args.out / 'views' / 'index.html'}")
    return 0


def _add_view(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "view",
        help="draw a CONSTRUCT query's result (or one entity) as an interactive page",
        description="Run a CONSTRUCT or DESCRIBE query (or a SELECT of ?s ?p ?o) and write its "
        "triples as an interactive page, with the quote of every asserted triple. QUERY is a "
        "named query, a .rq file, or - (stdin); -e gives the text itself.",
    )
    p.add_argument("query", nargs="?", help="a named query, FILE.rq, or -")
    p.add_argument("-e", "--expression", metavar="QUERY", help="the query text itself")
    p.add_argument("--entity", metavar="NAME", help="instead, write this entity's page")
    p.add_argument("-o", "--output", type=Path, help="page to write (default: build/views/…)")
    p.add_argument("--title", help="the page's title (default: the query's name)")
    _add_build_options(p)
    p.set_defaults(run=_run_view)


def _run_view(args: argparse.Namespace) -> int:
    from graph.network import entity_key, open_built
    from graph.views import write_entity_view, write_query_view

    store = open_built(args.out, args.sources)
    if args.entity:
        print(write_entity_view(store, args.entity, args.out / "views"))
        return 0
    try:
        from graph.queries import read_query
    except ImportError:  # the named queries arrive with the SPARQL commands
        read_query = _read_query_text
    text, name = read_query(args.query, args.expression)
    title = args.title or (f"Query {name}" if name != "-e" else "Query")
    output = args.output or args.out / "views" / f"query-{entity_key(Path(name).stem)}.html"
    print(write_query_view(store, text, title, output))
    return 0


def _read_query_text(source: str | None, expression: str | None) -> tuple[str, str]:
    if expression is not None:
        return expression, "-e"
    if source == "-":
        return sys.stdin.read(), "stdin"
    if source and Path(source).is_file():
        return Path(source).read_text(encoding="utf-8"), source
    raise CvekgError(f"no query file {source!r}: give FILE.rq, - or -e 'QUERY'")


def _add_path(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "path",
        help="the shortest chains of quoted relations linking two entities",
        description="Print the shortest chains linking two entities, named in English or "
        "French, with or without accents (Nice, 'la nouvelle-orleans', city:boston), each step "
        "with its direction and the quote that supports it.",
    )
    p.add_argument("a", help="an entity name")
    p.add_argument("b", help="another entity name")
    p.add_argument("-k", type=int, default=3, help="at most this many chains (default 3)")
    p.add_argument(
        "--with-reference", action="store_true", help="also walk reference data (located in)"
    )
    p.add_argument("--lang", choices=("en", "fr"), default="en", help="labels in this language")
    p.add_argument("--json", action="store_true", help="print JSON")
    _add_build_options(p)
    p.set_defaults(run=_run_path)


def _run_path(args: argparse.Namespace) -> int:
    import dataclasses
    import json

    from graph.network import format_path, load, path

    network = load(args.out, args.sources)
    chains = path(network, args.a, args.b, k=args.k, sourced_only=not args.with_reference)
    if args.json:
        print(json.dumps([[dataclasses.asdict(s) for s in c] for c in chains], indent=1))
    elif not chains:
        print(f"no chain of quoted relations links {args.a!r} and {args.b!r}")
        return 1
    else:
        print(format_path(network, chains, args.lang), end="")
    return 0


def _add_stats(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "stats",
        help="counts, most connected entities, brokers of France-US ties, communities",
        description="Print what the network holds and who holds it together: counts, degree "
        "and betweenness rankings, the brokers of France-US ties, and its communities.",
    )
    p.add_argument("-k", type=int, default=10, help="length of each ranking (default 10)")
    p.add_argument(
        "--with-reference", action="store_true", help="also count reference data (located in)"
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    _add_build_options(p)
    p.set_defaults(run=_run_stats)


def _run_stats(args: argparse.Namespace) -> int:
    import json

    from graph.network import format_stats, load, stats

    result = stats(load(args.out, args.sources), args.k, sourced_only=not args.with_reference)
    print(json.dumps(result, indent=1, ensure_ascii=False) if args.json else format_stats(result))
    return 0


def _add_export(sub: argparse._SubParsersAction) -> None:
    from graph.network import EXPORT_FORMATS

    p = sub.add_parser(
        "export",
        help="write the network for Gephi (graphml, gexf) or D3 (json)",
        description="Write the network (entities, relations with their quotes) as GraphML or "
        "GEXF for Gephi, or node-link JSON for D3.",
    )
    p.add_argument("--format", choices=EXPORT_FORMATS, default="graphml", help="default graphml")
    p.add_argument("-o", "--output", type=Path, help="file to write (default: build/network.*)")
    _add_build_options(p)
    p.set_defaults(run=_run_export)


def _run_export(args: argparse.Namespace) -> int:
    from graph.network import EXPORT_FORMATS, export, load

    output = args.output or args.out / f"network{EXPORT_FORMATS[args.format]}"
    network = load(args.out, args.sources)
    export(network, args.format, output)
    print(f"wrote {output} ({network.number_of_nodes()} nodes, {network.number_of_edges()} edges)")
    return 0


#: Sub-commands in the order ``cvekg --help`` lists them.
COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    _add_build,
    _add_views,
    _add_view,
    _add_path,
    _add_stats,
    _add_export,
]


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
