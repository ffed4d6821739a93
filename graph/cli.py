"""The ``cvekg`` command. Each sub-command parses its arguments and calls one library function.

Exit codes: 0 success; 1 the build found problems (or, with ``--fail-empty``, no results);
2 bad input (a syntax error, an unknown name, a refused query, a missing file); 3 a query
stopped by ``--timeout``; 130 interrupted (Ctrl+C).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from graph import __version__
from graph.errors import CvekgError, display_path

__all__ = ["main"]


T = TypeVar("T")


def _print_err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class QueryTimeoutError(CvekgError):
    """A query ran past ``--timeout``."""

    exit_code = 3


def _interruptible(work: Callable[[], T], timeout: float | None, what: str = "query") -> T:
    """``work()`` in a thread the main thread watches, so Ctrl+C and ``timeout`` stop it.

    Oxigraph evaluates a query in native code without returning to Python, where a signal
    would wait for it to finish; it releases the GIL meanwhile, so the main thread stays free
    to notice. A query cannot be cancelled from outside, so stopping one ends the process.
    """
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["value"] = work()
        except BaseException as exc:  # handed to the main thread, without the frames
            exc.__traceback__ = None  # that hold Oxigraph results, which die in this thread
            box["error"] = exc

    thread = threading.Thread(target=run, name=f"cvekg-{what}", daemon=True)
    thread.start()
    try:
        thread.join(timeout)
    except KeyboardInterrupt:
        _print_err(f"cvekg: interrupted; the {what} was stopped")
        os._exit(130)  # the thread is still in native code: no clean way to unwind it
    if thread.is_alive():
        _print_err(f"cvekg: {what} stopped: it ran past --timeout {timeout:g} s")
        os._exit(QueryTimeoutError.exit_code)
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


def _offline(work: Callable[[], T], timeout: float | None = None, what: str = "query") -> T:
    """``work()`` in a child process without network access, its value handed back; Ctrl+C
    and ``timeout`` stop it as :func:`_interruptible` does.

    Oxigraph evaluates ``SERVICE`` over HTTP; the gate refuses it, and the child cannot reach
    the network anyway (:func:`graph.sandbox.drop_network`, called right after the fork, while
    the child has one thread). Where the OS gives no way, a warning says so and only the gate
    stands. Without ``fork`` (not Linux), ``work`` runs here, as before.
    """
    import pickle
    import select

    if not hasattr(os, "fork"):
        return _interruptible(work, timeout, what)
    sys.stdout.flush()
    sys.stderr.flush()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: no network, then the work
        os.close(read_end)
        code = 0
        try:
            from graph import sandbox

            why = sandbox.drop_network()
            if why:
                _print_err(f"cvekg: warning: the {what} runs with network access ({why})")
            value: tuple = ("ok", work())
        except CvekgError as exc:
            value = ("error", str(exc), exc.exit_code)
        except OSError as exc:  # a read-only folder, a full disk: as main() says it
            value = ("error", _os_message(exc), 2)
        except BaseException as exc:  # handed to the parent as a message
            value = ("error", f"{type(exc).__name__}: {exc}", 2)
        try:
            data = pickle.dumps(value)
        except Exception as exc:
            data = pickle.dumps(("error", f"cannot hand back the answer: {exc}", 2))
        with os.fdopen(write_end, "wb") as pipe:
            try:
                pipe.write(data)
            except BrokenPipeError:
                code = 1
        os._exit(code)
    os.close(write_end)
    chunks: list[bytes] = []
    try:
        with os.fdopen(read_end, "rb") as pipe:
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
                ready, _, _ = select.select([pipe], [], [], left)
                if not ready:
                    os.kill(pid, 9)
                    os.waitpid(pid, 0)
                    _print_err(f"cvekg: {what} stopped: it ran past --timeout {timeout:g} s")
                    os._exit(QueryTimeoutError.exit_code)
                chunk = os.read(pipe.fileno(), 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
    except KeyboardInterrupt:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        _print_err(f"cvekg: interrupted; the {what} was stopped")
        os._exit(130)
    _, status = os.waitpid(pid, 0)
    if not chunks:
        signal_number = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        raise CvekgError(f"the {what} process stopped unexpectedly (signal {signal_number})")
    value = pickle.loads(b"".join(chunks))
    if value[0] == "error":
        error = CvekgError(value[1])
        error.exit_code = value[2]
        raise error
    return value[1]


def _checked(convert: Callable[[str], T], accept: Callable[[T], bool], what: str):
    """An argparse ``type``: ``convert`` the text, and refuse it, naming ``what`` it must be,
    unless ``accept`` takes the value (argparse prefixes the option's name)."""

    def parse(text: str) -> T:
        try:
            value = convert(text)
        except ValueError:
            value = None
        if value is None or not accept(value):
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}")
        return value

    return parse


_at_least_one = _checked(int, lambda n: n >= 1, "a whole number of 1 or more")
_port = _checked(int, lambda n: 0 <= n <= 65535, "a port (0 to 65535; 0 picks one)")
_megabytes = _checked(int, lambda n: n == 0 or n >= 128, "0 (no cap) or at least 128 (MB)")
_positive_seconds = _checked(float, lambda s: s > 0, "a positive number of seconds")


def _rebuilt(one: str = "") -> tuple[str, str]:
    """The exit codes of a command that may have to build first: ``one`` (its own meaning of
    1, if it has one), or the build's problems; 75 when another process is writing it."""
    problems = "the build it had to make first found problems"
    return (
        f"1 {one}, or {problems}" if one else f"1 {problems}",
        "75 it had to be built and another process is writing the build",
    )


def _exit_codes(*codes: str) -> str:
    """The ``Exit codes:`` line every command's help ends with: its own ``codes``, then the
    two every command shares (2 for bad input, 130 for Ctrl+C)."""
    mine = [c for c in codes if not c.startswith(("2 ", "130 "))]
    bad = next((c for c in codes if c.startswith("2 ")), "2 bad input (a message names it)")
    stop = next((c for c in codes if c.startswith("130 ")), "130 interrupted (Ctrl+C)")
    ordered = sorted([*mine, bad, stop], key=lambda c: int(c.split()[0]))
    return "Exit codes: " + "; ".join(ordered) + "."


# --- build ---------------------------------------------------------------------------------


def _add_build(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "build",
        help="build, validate and write the graph and its views",
        description="Build the graph from the ontology and the sources, validate it, and write "
        "build/graph.{trig,ttl,jsonld,nt}, build/report.md and build/views/.",
        epilog=_exit_codes(
            "0 built",
            "1 the build found problems (listed; the folder keeps its previous build)",
            "2 bad input (an unreadable or invalid source, a folder that cannot be written)",
            "75 another process is writing the folder",
        ),
    )
    p.add_argument(
        "--sources", type=Path, metavar="DIR", help="sources folder (default: the shipped sources)"
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path("build"),
        metavar="DIR",
        help="the build folder to write (default: build)",
    )
    p.add_argument("--no-views", action="store_true", help="skip the HTML views")
    p.add_argument("-q", "--quiet", action="store_true", help="print only the summary")
    p.set_defaults(run=_run_build)


def _run_build(args: argparse.Namespace) -> int:
    from graph.pipeline import build
    from graph.progress import progress_for

    # A bar on a terminal, one line per phase otherwise (CI logs).
    progress = progress_for(sys.stderr, "cvekg: ") if not args.quiet else (lambda line: None)
    result = build(
        sources=args.sources,
        out=args.out,
        views=not args.no_views,
        progress=progress,
    )
    print(result.summary())
    return 0


# --- query, queries, serve (SPARQL) ---------------------------------------------------------


def _add_query(sub: argparse._SubParsersAction) -> None:
    from graph.query.formats import FORMATS

    p = sub.add_parser(
        "query",
        help="answer a SPARQL query (a named one, a .rq file, -e TEXT or - for stdin)",
        description="Answer a SPARQL 1.1 query on the built graph (building it first when "
        "build/ is missing or older than the sources). The usual prefixes are pre-bound "
        "(cvekg, city, event…, rdf, rdfs, owl, xsd, skos, schema, prov, oa, org, time, geo).",
        epilog=_exit_codes(
            "0 answered",
            "2 bad input (a syntax error, an unknown name, a refused query, a missing file)",
            "3 stopped by --timeout",
            *_rebuilt("no results (with --fail-empty)"),
        ),
    )
    p.add_argument(
        "query",
        nargs="?",
        help="a named query (08, 08-learned-about, learned-about), FILE.rq, or -",
    )
    p.add_argument("-e", "--expression", metavar="QUERY", help="the query text itself")
    p.add_argument(
        "-f",
        "--format",
        choices=FORMATS,
        help="table (default for SELECT/ASK), csv, tsv, json, xml; turtle (default for "
        "CONSTRUCT/DESCRIBE), trig, jsonld, nt",
    )
    p.add_argument("--iris", action="store_true", help="in a table, show IRIs, not labels")
    p.add_argument(
        "--with-sources", action="store_true", help="add the quote(s) each result row comes from"
    )
    p.add_argument(
        "--stated-only",
        action="store_true",
        help="answer from claims the source's words state, leaving out those read from context "
        "(and what was inferred from them)",
    )
    p.add_argument(
        "--width",
        type=_at_least_one,
        metavar="COLUMNS",
        help="fit a table to this many columns, wrapping long cells and quotes "
        "(default: the terminal's width)",
    )
    p.add_argument(
        "--fail-empty", action="store_true", help="exit 1 when there is no result (or ASK is no)"
    )
    p.add_argument(
        "--timeout",
        type=_positive_seconds,
        metavar="SECONDS",
        help="stop the query after this long, exit 3 (default: no limit; Ctrl+C stops it too)",
    )
    _add_graph_options(p)
    p.set_defaults(run=_run_query)


def _add_graph_options(p: argparse.ArgumentParser) -> None:
    _add_build_options(p)
    _add_queries_folder(p)


def _add_queries_folder(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--queries",
        type=Path,
        metavar="DIR",
        help="folder of named queries (default: the shipped ones)",
    )


def _run_query(args: argparse.Namespace) -> int:
    from graph.pipeline import open_built
    from graph.query.results import answer

    text, _ = _read_query(args, args.queries)
    say = lambda line: _print_err(f"cvekg: {line}")  # noqa: E731
    store = open_built(args.out, args.sources, say, endpoints=args.endpoint)
    from graph.query.terms import unknown_terms

    for warning in unknown_terms(text, store):  # valid SPARQL, but it silently matches nothing
        _print_err(f"cvekg: warning: {warning}")
    if args.stated_only:
        from graph.query.stated import stated_only

        store = stated_only(store)

    def work() -> tuple[bytes, int]:
        result = answer(
            store,
            text,
            args.format,
            iris=args.iris,
            with_sources=args.with_sources,
            width=args.width,
        )
        return result.body, len(result.outcome)

    # A remote endpoint runs the query itself: only a local evaluation is kept off the network.
    run = _interruptible if args.endpoint else _offline
    body, count = run(work, args.timeout)
    sys.stdout.buffer.write(body)
    sys.stdout.flush()
    return 1 if args.fail_empty and count == 0 else 0


def _read_query(args: argparse.Namespace, folder: Path | None = None) -> tuple[str, str]:
    """The query ``args`` name (QUERY or ``-e``), and where it came from. Query text given as
    QUERY (``cvekg view 'CONSTRUCT …'``) is not taken for a query's name: the user is told
    to give it with ``-e``."""
    from graph.query.named import read_query

    source = args.query
    if source and not Path(source).exists() and any(c in source for c in " \t\n{"):
        raise CvekgError(
            f"{source[:40]!r}{'…' if len(source) > 40 else ''} is not a query's name or file: "
            f"give the text of a query with -e: cvekg {args.command} -e 'QUERY'"
        )
    return read_query(source, args.expression, folder)


def _add_queries(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "queries",
        help="list the named (competency) queries with their questions",
        description="List the named queries, each with the question it answers; with a NAME, "
        "print that query.",
        epilog=_exit_codes("0 listed", "2 bad input (an unknown name, an unreadable folder)"),
    )
    p.add_argument("name", nargs="?", help="print this query (question, notes and text)")
    _add_queries_folder(p)
    _add_endpoint(p, "also count each query's rows on the dataset this endpoint serves")
    p.set_defaults(run=_run_queries)


def _run_queries(args: argparse.Namespace) -> int:
    from graph.query.named import find_query, list_queries

    if args.name:
        print(find_query(args.name, args.queries).text, end="")
        return 0
    problems: list[str] = []
    queries = list_queries(args.queries, problems)
    for problem in problems:  # the readable ones are listed all the same
        _print_err(f"cvekg: warning: {problem}")
    if not queries and not problems:  # a folder given by mistake: say so, not nothing
        raise CvekgError(f"{args.queries}: no named queries here (files NAME.rq)")
    width = max((len(q.name) for q in queries), default=0)
    if args.endpoint:  # each question with the rows the remote dataset answers it with
        from graph.pipeline import open_built
        from graph.query.named import row_counts

        counts = row_counts(open_built(endpoints=args.endpoint), queries)
        for q in queries:
            print(f"{q.name:<{width}}  {counts[q.name]:>6}  {q.question}")
        return 0
    for q in queries:
        print(f"{q.name:<{width}}  {q.question}")
    return 0


def _add_serve(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "serve",
        help="serve a read-only SPARQL endpoint, a query page and entity pages",
        description="Serve the built graph: the SPARQL 1.1 Protocol at /sparql (read-only), a "
        "query page at / that works offline, and a page per entity at /entity/KIND/SLUG. "
        "It serves until Ctrl+C stops it.",
        epilog=_exit_codes(
            "2 bad input (a port in use or out of range, no build)",
            *_rebuilt(),
            "130 stopped by Ctrl+C (how a server ends)",
        ),
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    p.add_argument(
        "--port", type=_port, default=8000, metavar="PORT", help="port (default: 8000; 0 picks one)"
    )
    p.add_argument(
        "--timeout",
        type=_positive_seconds,
        default=10.0,
        metavar="SECONDS",
        help="query time limit, seconds (default: 10)",
    )
    p.add_argument(
        "--max-rows",
        type=_at_least_one,
        default=10000,
        metavar="ROWS",
        help="result row cap (default: 10000)",
    )
    p.add_argument(
        "--workers",
        type=_at_least_one,
        default=2,
        metavar="N",
        help="query worker processes (default: 2)",
    )
    p.add_argument(
        "--max-memory",
        type=_megabytes,
        default=1024,
        metavar="MB",
        help="memory cap of each query worker, MB (default: 1024; 0: none); a query past it "
        "gets 503",
    )
    p.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="also answer requests for this Host name (repeatable); others get 421",
    )
    _add_graph_options(p)
    p.set_defaults(run=_run_serve)


def _run_serve(args: argparse.Namespace) -> int:
    from graph.pipeline import ensure_built
    from graph.server import serve

    say = lambda line: _print_err(f"cvekg: {line}")  # noqa: E731
    serve(
        out=args.out if args.endpoint else ensure_built(args.out, args.sources, say),
        endpoints=args.endpoint,
        queries=args.queries,
        host=args.host,
        port=args.port,
        timeout=args.timeout,
        max_rows=args.max_rows,
        workers=args.workers,
        say=say,
        max_memory=args.max_memory,
        allowed_hosts=tuple(args.allowed_host),
    )
    return 130  # serve returns once Ctrl+C has stopped it (and its workers)


# --- views, view, path, stats, export (the network) -----------------------------------------


def _add_build_options(p: argparse.ArgumentParser) -> None:
    # The folder these commands read is the build; only `cvekg build --out` writes one.
    p.add_argument(
        "--build",
        dest="out",
        type=Path,
        default=Path("build"),
        metavar="DIR",
        help="the build folder to read (default: build)",
    )
    p.add_argument(
        "--out", dest="out", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    p.add_argument(
        "--sources",
        type=Path,
        metavar="DIR",
        help="the sources folder to rebuild from when the build is stale (default: the one it "
        "was built from)",
    )
    _add_endpoint(p)


def _add_endpoint(p: argparse.ArgumentParser, what: str = "") -> None:
    p.add_argument(
        "--endpoint",
        action="append",
        metavar="URL",
        help=what
        or "read the dataset this SPARQL 1.1 endpoint serves instead of the build (repeat it "
        "for replicas of one dump: queries are spread over them, and go to another when one "
        "does not answer)",
    )


def _add_views(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "views",
        help="write the HTML views (index, overview, city pairs, timeline, entity pages)",
        description="Write build/views/: index.html and every view, each a self-contained page "
        "that works offline. cvekg build writes them too.",
        epilog=_exit_codes("0 written", *_rebuilt()),
    )
    _add_build_options(p)
    p.set_defaults(run=_run_views)


def _run_views(args: argparse.Namespace) -> int:
    from graph.pipeline import write_views

    files = write_views(args.out, args.sources, args.endpoint)
    print(f"wrote {len(files)} files: open {args.out / 'views' / 'index.html'}")
    return 0


def _add_view(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "view",
        help="draw a CONSTRUCT query's result (or one entity) as an interactive page",
        description="Run a CONSTRUCT or DESCRIBE query (or a SELECT of ?s ?p ?o) and write its "
        "triples as an interactive page, with the quote of every asserted triple. QUERY is a "
        "named query, a .rq file, or - (stdin); -e gives the text itself.",
        epilog=_exit_codes(
            "0 written",
            "2 bad input (a syntax error, a query that is not CONSTRUCT, DESCRIBE or a SELECT "
            "of ?s ?p ?o, no triples, an unknown entity)",
            *_rebuilt(),
        ),
    )
    p.add_argument("query", nargs="?", help="a named query, FILE.rq, or -")
    p.add_argument("-e", "--expression", metavar="QUERY", help="the query text itself")
    p.add_argument("--entity", metavar="NAME", help="instead, write this entity's page")
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="page to write (default: build/views/query-NAME.html)",
    )
    p.add_argument("--title", help="the page's title (default: the query's name)")
    _add_build_options(p)
    p.set_defaults(run=_run_view)


def _run_view(args: argparse.Namespace) -> int:
    from graph.network import entity_key
    from graph.pipeline import open_built
    from graph.views import write_entity_view, write_query_view

    store = open_built(args.out, args.sources, views=True, endpoints=args.endpoint)
    if args.entity:
        run = _interruptible if args.endpoint else _offline
        print(run(lambda: write_entity_view(store, args.entity, args.out / "views"), None))
        return 0
    text, name = _read_query(args)
    title = args.title or (f"Query {name}" if name != "-e" else "Query")
    # A page per query, and per title of a query given with -e: one never overwrites another.
    stem = Path(name).stem if name != "-e" else (args.title or "e").lower()
    output = args.output or args.out / "views" / f"query-{entity_key(stem)}.html"
    run = _interruptible if args.endpoint else _offline
    print(run(lambda: write_query_view(store, text, title, output), None))
    return 0


def _add_path(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "path",
        help="the shortest chains of quoted relations linking two entities",
        description="Print the shortest chains linking two entities, named in English or "
        "French, with or without accents (Nice, 'la nouvelle-orleans', city:boston), each step "
        "with its direction and the quote that supports it.",
        epilog=_exit_codes(
            "0 found",
            "2 bad input (an unknown or ambiguous name: the closest are listed)",
            *_rebuilt("no chain links them"),
        ),
    )
    p.add_argument("a", help="an entity name")
    p.add_argument("b", help="another entity name")
    p.add_argument(
        "-k",
        type=_at_least_one,
        default=3,
        metavar="N",
        help="at most this many chains (default: 3)",
    )
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

    from graph.network import format_path, path
    from graph.pipeline import load

    network = load(args.out, args.sources, args.endpoint)
    chains = path(network, args.a, args.b, k=args.k, sourced_only=not args.with_reference)
    if args.json:
        print(json.dumps([[dataclasses.asdict(s) for s in c] for c in chains], indent=1))
        return 0 if chains else 1
    if not chains:
        print(f"no chain of quoted relations links {args.a!r} and {args.b!r}")
        return 1
    print(format_path(network, chains, args.lang), end="")
    return 0


def _add_stats(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "stats",
        help="counts, most connected entities, brokers of France-US ties, communities",
        description="Print what the network holds and who holds it together: counts, degree "
        "and betweenness rankings, the brokers of France-US ties, and its communities.",
        epilog=_exit_codes("0 printed", *_rebuilt()),
    )
    p.add_argument(
        "-k",
        type=_at_least_one,
        default=10,
        metavar="N",
        help="length of each ranking (default: 10)",
    )
    p.add_argument(
        "--with-reference", action="store_true", help="also count reference data (located in)"
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    _add_build_options(p)
    p.set_defaults(run=_run_stats)


def _run_stats(args: argparse.Namespace) -> int:
    import json

    from graph.network import format_stats, stats
    from graph.pipeline import load

    result = stats(
        load(args.out, args.sources, args.endpoint), args.k, sourced_only=not args.with_reference
    )
    print(json.dumps(result, indent=1, ensure_ascii=False) if args.json else format_stats(result))
    return 0


def _add_export(sub: argparse._SubParsersAction) -> None:
    from graph.network import EXPORT_FORMATS

    p = sub.add_parser(
        "export",
        help="write the network for Gephi (graphml, gexf) or D3 (json)",
        description="Write the network (entities, relations with their quotes) as GraphML or "
        "GEXF for Gephi, or node-link JSON for D3.",
        epilog=_exit_codes("0 written", *_rebuilt()),
    )
    p.add_argument("--format", choices=EXPORT_FORMATS, default="graphml", help="(default: graphml)")
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="file to write (default: build/network.FORMAT)",
    )
    _add_build_options(p)
    p.set_defaults(run=_run_export)


def _run_export(args: argparse.Namespace) -> int:
    from graph.network import EXPORT_FORMATS, export
    from graph.pipeline import load

    output = args.output or args.out / f"network{EXPORT_FORMATS[args.format]}"
    network = load(args.out, args.sources, args.endpoint)
    export(network, args.format, output)
    print(f"wrote {output} ({network.number_of_nodes()} nodes, {network.number_of_edges()} edges)")
    return 0


# --- publish, virtuoso (a production SPARQL server) ----------------------------------------


def _add_publish(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "publish",
        help="put the build on SPARQL servers (Virtuoso's bulk loader, or Graph Store PUTs)",
        description="Publish build/graph.nq to production SPARQL servers, replacing what an "
        "earlier publish put there, and leave it read-only: Virtuoso through its bulk loader "
        "(isql-vt), any other server through the SPARQL 1.1 Graph Store Protocol. Query it "
        "with --endpoint on any reading command.",
        epilog=_exit_codes(
            "0 published",
            "2 bad input (no server given, a server that refuses or cannot be reached)",
            *_rebuilt(),
        ),
    )
    add = p.add_argument
    add("--virtuoso", action="append", metavar="HOST:PORT", help="a Virtuoso SQL port (1111)")
    add(
        "--graph-store", action="append", metavar="URL", help="a Graph Store URL (Oxigraph: /store)"
    )
    p.add_argument("--user", default="dba", help="the server account (default: dba)")
    p.add_argument("--password-file", type=Path, metavar="FILE", help="file holding its password")
    add("--load-dir", type=Path, metavar="DIR", help="where Virtuoso may load (its DirsAllowed)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only the summary")
    _add_build_options(p)  # --endpoint lists the graphs a Graph Store already holds
    p.set_defaults(run=_run_publish)


def _run_publish(args: argparse.Namespace) -> int:
    from graph.pipeline import ensure_built
    from graph.progress import progress_for
    from graph.publish import publish

    say = lambda line: _print_err(f"cvekg: {line}")  # noqa: E731
    progress = progress_for(sys.stderr, "cvekg: ") if not args.quiet else (lambda line: None)
    result = publish(
        ensure_built(args.out, args.sources, say, views=False),
        virtuoso=args.virtuoso, user=args.user, password_file=args.password_file,
        graph_store=args.graph_store, endpoint=(args.endpoint or [None])[0],
        load_dir=args.load_dir, progress=progress,
    )  # fmt: skip
    print(result.summary())
    return 0


def _add_virtuoso(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "virtuoso",
        help="start or stop a local Virtuoso (loopback only) to try publish and --endpoint",
        description="Start Virtuoso Open Source 7 with its database in --dir, bound to "
        "127.0.0.1, the default dba password replaced by a random one in DIR/dba-password; or "
        "stop the one running there.",
        epilog=_exit_codes(
            "0 done (start, stop) or running (status)",
            "1 no Virtuoso runs there (stop, status)",
            "2 bad input (Virtuoso is not installed, a port in use)",
        ),
    )
    p.add_argument("action", choices=("start", "stop", "status"))
    p.add_argument(
        "--dir",
        type=Path,
        default=Path("virtuoso"),
        metavar="DIR",
        help="its database folder (default: virtuoso)",
    )
    p.add_argument(
        "--sql-port", type=_port, default=0, metavar="PORT", help="SQL port (default: a free one)"
    )
    p.add_argument(
        "--http-port", type=_port, default=0, metavar="PORT", help="HTTP port (default: a free one)"
    )
    p.add_argument(
        "--max-rows",
        type=_at_least_one,
        default=100000,
        metavar="ROWS",
        help="its result row cap, ResultSetMaxRows (default: 100000)",
    )
    p.set_defaults(run=_run_virtuoso)


def _run_virtuoso(args: argparse.Namespace) -> int:
    from graph.publish import virtuoso

    if args.action == "stop":
        pid = virtuoso.stop(args.dir)
        print(f"stopped Virtuoso (pid {pid})" if pid else f"no Virtuoso runs in {args.dir}")
        return 0 if pid else 1
    server = virtuoso.running(args.dir)
    if args.action == "start":
        server = virtuoso.start(args.dir, args.sql_port, args.http_port, args.max_rows)
    if server is None:
        print(f"no Virtuoso runs in {args.dir}")
        return 1
    print(f"Virtuoso runs (pid {server.pid}): SPARQL endpoint {server.endpoint}")
    print(f"publish: cvekg publish --virtuoso {server.address} --password-file "
          f"{display_path(server.password_file)}")  # fmt: skip
    return 0


#: Sub-commands in the order ``cvekg --help`` lists them.
COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [
    _add_build,
    _add_query,
    _add_queries,
    _add_serve,
    _add_views,
    _add_view,
    _add_path,
    _add_stats,
    _add_export,
    _add_publish,
    _add_virtuoso,
]


def parser() -> argparse.ArgumentParser:
    """The argument parser of ``cvekg``."""
    p = argparse.ArgumentParser(
        prog="cvekg",
        description="A sourced knowledge graph of French-US city partnerships that counter "
        "violent extremism.",
        epilog="cvekg COMMAND --help says what each does, and its exit codes: 0 done; 2 bad "
        "input, with a message naming the file, line or option; 130 interrupted (Ctrl+C).",
    )
    p.add_argument("--version", action="version", version=f"cvekg {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="log what each step does")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in COMMANDS:
        add(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run ``cvekg``; return the exit code."""
    try:  # building the parser imports the query formats, which takes a moment: Ctrl+C too
        args = parser().parse_args(argv)
    except KeyboardInterrupt:
        _print_err("cvekg: interrupted")
        return 130
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        code = args.run(args)
        sys.stdout.flush()  # here, where a closed pipe can still be caught
        return code
    except CvekgError as exc:
        _print_err(f"cvekg: {exc}")
        return exc.exit_code
    except KeyboardInterrupt:
        _print_err("cvekg: interrupted")
        return 130
    except BrokenPipeError:  # e.g. cvekg stats | head: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # a read-only folder, a full disk: the file and the reason
        _print_err(f"cvekg: {_os_message(exc)}")
        return 2


def run() -> None:
    """The ``cvekg`` command: :func:`main`, then exit without freeing what it built.

    A build's in-memory store and a large projection take seconds to free (2.4 s for the
    store of a million asserted triples) and nothing is left to do with them; every file is
    closed by then, and the output streams are flushed here.
    """
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # a reader gone, a stream closed: nothing lost
            pass
    os._exit(code)


def _os_message(exc: OSError) -> str:
    """What a failed file operation tells the user: the file, then the reason."""
    where = f"{display_path(exc.filename)}: " if exc.filename else ""
    return f"{where}{exc.strerror or exc}"


if __name__ == "__main__":
    run()
