"""``cvekg serve``: a read-only SPARQL 1.1 endpoint, a query page, and a page per entity.

The HTTP side is the standard library's ``ThreadingHTTPServer``; nothing else listens. Queries
run in worker processes, each holding the graph loaded from ``graph.trig``: an Oxigraph query
cannot be cancelled from Python, so a query past the time limit is stopped by killing its
worker, which is replaced while the other workers keep answering.

Routes
------
``/``                         the query page (``graph/server/web/``), offline, no CDN
``/sparql``                   SPARQL 1.1 Protocol: GET ``?query=``, POST form or
                              ``application/sparql-query``; JSON/XML/CSV/TSV results, Turtle/
                              TriG/JSON-LD/N-Triples graphs; read-only (an update gets 403)
``/view``                     a CONSTRUCT (or SELECT ?s ?p ?o) answer drawn as a graph
``/entity/<kind>/<slug>``     an entity: labels and every triple about it with its quote; RDF
                              through content negotiation (or ``?format=turtle``…)
``/id/<kind>/<slug>``         the instance IRI's path: 303 to its entity page (Linked Data)
``/api/queries``              the named queries, for the page's examples
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import queue
import re
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from graph import __version__
from graph.errors import CvekgError
from graph.namespaces import CVEKG, GRAPH, ID

__all__ = [
    "Reply",
    "QueryPool",
    "SparqlServer",
    "serve",
    "negotiate",
    "entity_path",
    "entity_reply",
    "view_reply",
    "script_hashes_csp",
    "RESULT_MEDIA",
    "GRAPH_MEDIA",
    "ENTITY_MEDIA",
]

logger = logging.getLogger(__name__)

WEB = Path(__file__).resolve().parent / "web"
ID_NAMESPACE = str(ID)
_CVEKG = str(CVEKG)
_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"

#: Media types a SELECT/ASK answer can take, in order of preference, and their format names.
RESULT_MEDIA = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
}
#: Media types a CONSTRUCT/DESCRIBE answer can take.
GRAPH_MEDIA = {
    "text/turtle": "turtle",
    "application/trig": "trig",
    "application/ld+json": "jsonld",
    "application/n-triples": "nt",
    "application/x-turtle": "turtle",
    "application/json": "jsonld",
    "text/plain": "nt",
}
#: Media types of an entity: its page, or its triples.
ENTITY_MEDIA = {"text/html": "html", "application/xhtml+xml": "html", **GRAPH_MEDIA}

_FORMAT_MEDIA = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "trig": "application/trig; charset=utf-8",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples; charset=utf-8",
    "html": "text/html; charset=utf-8",
}
_STATIC_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".html": "text/html; charset=utf-8",
}
_TEXT = "text/plain; charset=utf-8"
_MAX_BODY = 1_000_000
#: Pages we write ourselves load scripts and styles from this server only.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "X-SPARQL-MaxRows, X-Query-Seconds",
}


@dataclass
class Reply:
    """An HTTP answer built by a worker or the server: status, media type, body, headers."""

    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def text(cls, status: int, message: str, **headers: str) -> Reply:
        """A plain-text answer (errors, mostly): the message and a newline."""
        return cls(status, _TEXT, (message.rstrip() + "\n").encode("utf-8"), dict(headers))


# --- content negotiation --------------------------------------------------------------------


def _accept_items(accept: str) -> list[tuple[str, float]]:
    items = []
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        items.append((fields[0].lower(), q))
    return items


def negotiate(accept: str | None, offers: dict[str, str]) -> str | None:
    """The format of the offered media type the ``Accept`` header prefers, or ``None`` (406).

    The most specific matching range sets each offer's quality; ties go to the offer listed
    first.

    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", RESULT_MEDIA)
    'xml'
    >>> negotiate("*/*", GRAPH_MEDIA), negotiate(None, RESULT_MEDIA)
    ('turtle', 'json')
    >>> negotiate("image/png", RESULT_MEDIA) is None
    True
    """
    if not accept or not accept.strip():
        return next(iter(offers.values()))
    ranges = _accept_items(accept)
    best, best_q = None, 0.0
    for media, fmt in offers.items():
        kind = media.split("/")[0]
        quality, specificity = 0.0, -1
        for pattern, q in ranges:
            rank = 2 if pattern == media else 1 if pattern == f"{kind}/*" else 0
            if pattern in {media, f"{kind}/*", "*/*"} and rank > specificity:
                quality, specificity = q, rank
        if quality > best_q:
            best, best_q = fmt, quality
    return best


# --- the worker side ------------------------------------------------------------------------


def _worker_entry(fd: int, trig: str, max_rows: int) -> None:
    """Start of a worker process (``python -c``): talk to the server over socket ``fd``.

    Workers are plain subprocesses rather than ``multiprocessing`` children, so starting one
    never re-imports the caller's ``__main__`` (a script without a main guard still works).
    """
    import os
    import sys
    from multiprocessing.connection import Connection

    # Anything a library prints goes to stderr; stdout is not ours to use.
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    _worker_main(Connection(fd), trig, max_rows)


def _worker_main(conn, trig: str, max_rows: int) -> None:
    """A query worker: load the graph, then answer jobs from ``conn`` until told to stop."""
    import pyoxigraph as ox

    from graph.store import graph_names

    store = ox.Store()
    store.bulk_load(path=trig, format=ox.RdfFormat.TRIG)
    conn.send(("ready", sorted(graph_names(store)), len(store)))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            reply = _handle_job(store, job, max_rows)
        except CvekgError as exc:  # e.g. Oxigraph failed while evaluating the query
            reply = Reply.text(500, str(exc))
        except Exception as exc:  # a bug must not kill the worker: report it as a 500
            logger.exception("query worker failed on %s", job.get("kind"))
            reply = Reply.text(500, f"internal error: {type(exc).__name__}: {exc}")
        conn.send(reply)


def _handle_job(store, job: dict, max_rows: int) -> Reply:
    if job["kind"] == "sparql":
        return _sparql_reply(store, job, max_rows)
    if job["kind"] == "entity":
        return entity_reply(store, job["kind_"], job["slug"], job["format"])
    if job["kind"] == "view":
        return view_reply(
            store, job["query"], job.get("title") or "", max_rows, job.get("views", False)
        )
    return Reply.text(500, f"unknown job {job['kind']!r}")


def _sparql_reply(store, job: dict, max_rows: int) -> Reply:
    from graph.query.results import serialize
    from graph.query.sparql import QueryRefusedError, QuerySyntaxError, execute

    try:
        outcome = execute(
            store,
            job["query"],
            max_rows,
            default_graph_uris=job.get("default"),
            named_graph_uris=job.get("named"),
        )
    except QuerySyntaxError as exc:
        return Reply.text(400, str(exc))
    except QueryRefusedError as exc:
        return Reply.text(403, str(exc))
    fmt = job["graph_format"] if outcome.is_graph else job["result_format"]
    if fmt is None:
        wanted = GRAPH_MEDIA if outcome.is_graph else RESULT_MEDIA
        return Reply.text(
            406,
            f"cannot answer a {outcome.form} query as {job.get('accept') or 'that'}; "
            f"available: {', '.join(dict.fromkeys(wanted))}",
        )
    headers = {"X-Query-Seconds": f"{outcome.seconds:.4f}"}
    if outcome.truncated:
        headers["X-SPARQL-MaxRows"] = str(max_rows)
    return Reply(200, _FORMAT_MEDIA[fmt], serialize(outcome, fmt), headers)


# --- entity pages and graph views (rendered in a worker) -------------------------------------

_GRAPH_NS = str(GRAPH)
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"


def entity_path(iri: str) -> str | None:
    """The server path of an instance IRI, or ``None`` for any other IRI.

    >>> entity_path("https://w3id.org/cvekg/id/city/new-orleans")
    '/entity/city/new-orleans'
    """
    if not iri.startswith(ID_NAMESPACE):
        return None
    rest = iri[len(ID_NAMESPACE) :]
    kind, _, slug = rest.partition("/")
    if not kind or not slug or "/" in slug:
        return None
    return f"/entity/{urllib.parse.quote(kind)}/{urllib.parse.quote(slug)}"


def _templates():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(WEB)),
        autoescape=True,  # every value is text, never markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _cell(term, names: dict[str, str], focus: str | None = None) -> dict:
    """How a term shows in a page: text, a link for instances, the full IRI as a tooltip."""
    import pyoxigraph as ox

    from graph.query.results import compact, term_text

    if isinstance(term, ox.NamedNode):
        return {
            "text": term_text(term, names),
            "href": None if term.value == focus else entity_path(term.value),
            "title": compact(term.value),
            "focus": term.value == focus,
            "note": "",
        }
    note = ""
    if isinstance(term, ox.Literal):
        if term.language:
            note = f"@{term.language}"
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            note = compact(term.datatype.value)
    return {"text": term_text(term, names), "href": None, "title": "", "focus": False, "note": note}


def _sentence_parts(sentence: str, quote: str) -> tuple[str, str, str]:
    """The sentence split around the quote (found whatever the spacing), to mark it."""
    words = quote.split()
    if words:
        pattern = r"\s+".join(re.escape(w) for w in words)
        match = re.search(pattern, sentence)
        if match:
            return sentence[: match.start()], match.group(), sentence[match.end() :]
    return "", sentence, ""


def _entity_quads(store, iri: str) -> list:
    import pyoxigraph as ox

    try:
        node = ox.NamedNode(iri)
    except ValueError:  # a slug no IRI can hold (a space, a '>'...): no such entity
        return []
    quads = list(store.quads_for_pattern(node, None, None, None))
    quads += [q for q in store.quads_for_pattern(None, None, node, None) if q.subject != node]
    return [q for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)]


def entity_reply(store, kind: str, slug: str, fmt: str) -> Reply:
    """An entity's page (``html``) or its triples (an RDF format) with their claims."""
    import difflib

    import pyoxigraph as ox

    from graph.query.results import claim_sources, labels, provenance_quads, serialize_rdf

    iri = f"{ID_NAMESPACE}{kind}/{slug}"
    quads = _entity_quads(store, iri)
    if not quads:
        prefix = f"{ID_NAMESPACE}{kind}/"
        known = sorted(
            {
                q.subject.value[len(prefix) :]
                for q in store.quads_for_pattern(None, ox.NamedNode(_RDF_TYPE), None, None)
                if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(prefix)
            }
        )
        close = difflib.get_close_matches(slug, known, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(f'{kind}/{c}' for c in close)}?" if close else ""
        return Reply.text(404, f"no entity {kind}/{slug} in the graph{hint}")
    provenance = ox.NamedNode(_GRAPH_NS + "provenance")
    claim_type = ox.NamedNode(_CVEKG + "Claim")
    claim_graphs = {
        q.graph_name.value
        for q in quads
        if isinstance(q.graph_name, ox.NamedNode)
        and ox.Quad(q.graph_name, ox.NamedNode(_RDF_TYPE), claim_type, provenance) in store
    }
    sources = claim_sources(store, claim_graphs)
    if fmt != "html":
        statements: list = []
        if fmt in {"trig", "jsonld"}:
            statements = list(quads) + provenance_quads(sources)
        else:
            statements = list({ox.Triple(q.subject, q.predicate, q.object) for q in quads})
        return Reply(200, _FORMAT_MEDIA[fmt], serialize_rdf(statements, fmt))

    node = ox.NamedNode(iri)
    terms = {t for q in quads for t in (q.subject, q.predicate, q.object)}
    names = labels(store, terms)
    page_labels = [
        (q.object.value, q.object.language or "")
        for q in quads
        if q.subject == node and q.predicate.value == _LABEL and isinstance(q.object, ox.Literal)
    ]
    alt = sorted(
        {q.object.value for q in quads if q.subject == node and q.predicate.value == _SKOS_ALT}
    )
    inferred = ox.NamedNode(_GRAPH_NS + "inferred")
    types = sorted(
        {
            (names.get(q.object.value, q.object.value), q.graph_name == inferred)
            for q in quads
            if q.subject == node
            and q.predicate.value == _RDF_TYPE
            and q.object.value.startswith(_CVEKG)
        }
    )
    # A class both stated and inferred is shown once, as stated.
    stated = {name for name, is_inferred in types if not is_inferred}
    types = [(name, flag) for name, flag in types if not (flag and name in stated)]

    def row(q) -> dict:
        return {
            "s": _cell(q.subject, names, iri),
            "p": _cell(q.predicate, names),
            "o": _cell(q.object, names, iri),
        }

    def rows(selected: list) -> list[dict]:
        order = sorted(selected, key=lambda q: (q.subject != node, str(q.predicate), str(q.object)))
        return [row(q) for q in order]

    claims, others = [], {}
    by_graph: dict[str, list] = {}
    for q in quads:
        by_graph.setdefault(q.graph_name.value, []).append(q)
    for graph, selected in by_graph.items():
        if graph in sources:
            source = sources[graph]
            before, marked, after = _sentence_parts(source.sentence or source.quote, source.quote)
            claims.append(
                {
                    "key": (source.document, source.start),
                    "name": source.name,
                    "document": _cell(ox.NamedNode(source.document), names),
                    "before": before,
                    "quote": marked,
                    "after": after,
                    "rows": rows(selected),
                }
            )
        else:
            others[graph] = rows(selected)
    claims.sort(key=lambda c: c["key"])
    sections = []
    # What is stated (reference data) before what is derived from it or describes it.
    order = ("reference/", "inferred", "provenance", "ontology")

    def rank(graph: str) -> tuple[int, str]:
        tail = graph.removeprefix(_GRAPH_NS)
        return next((i for i, o in enumerate(order) if tail.startswith(o)), len(order)), graph

    for graph, graph_rows in sorted(others.items(), key=lambda item: rank(item[0])):
        if graph == _GRAPH_NS + "inferred":
            heading = (
                "Inferred by the build (from the ontology: types, inverses, transitive places)"
            )
        elif graph == _GRAPH_NS + "provenance":
            heading = "Provenance (claims and annotations that cite it)"
        elif graph == _GRAPH_NS + "ontology":
            heading = "Ontology"
        elif graph.startswith(_GRAPH_NS + "reference/"):
            title = _reference_title(store, graph)
            heading = f"Reference data: {title}"
        else:
            heading = f"Graph {graph}"
        sections.append({"heading": heading, "graph": graph, "rows": graph_rows})
    english = [text for text, lang in page_labels if lang == "en"]
    title = english[0] if english else names.get(iri, f"{kind}/{slug}")
    base = entity_path(iri) or ""
    page = (
        _templates()
        .get_template("entity.html.j2")
        .render(
            title=title,
            iri=iri,
            labels=sorted(page_labels, key=lambda pair: (pair[1] != "en", pair[1])),
            alt=alt,
            types=types,
            claims=claims,
            sections=sections,
            formats=[
                ("Turtle", f"{base}?format=turtle"),
                ("TriG, with quotes", f"{base}?format=trig"),
                ("JSON-LD, with quotes", f"{base}?format=jsonld"),
                ("N-Triples", f"{base}?format=nt"),
            ],
            count=len(quads),
        )
    )
    return Reply(200, _FORMAT_MEDIA["html"], page.encode("utf-8"))


def _reference_title(store, graph: str) -> str:
    import pyoxigraph as ox

    for q in store.quads_for_pattern(
        ox.NamedNode(graph),
        ox.NamedNode("http://purl.org/dc/terms/title"),
        None,
        ox.NamedNode(graph),
    ):
        return q.object.value
    return graph


def view_reply(store, query: str, title: str, max_rows: int, views: bool = False) -> Reply:
    """A CONSTRUCT/DESCRIBE answer, or the ``?s ?p ?o`` rows of a SELECT, drawn as a graph by
    ``graph.views.render_triples_page``; a table of the triples if drawing fails.

    Entities link to their ``/entity/`` pages; the menu links to the built views at
    ``/views/`` when ``views`` says the build has them."""
    import pyoxigraph as ox

    from graph.query.results import labels
    from graph.query.sparql import QueryRefusedError, QuerySyntaxError, execute

    try:
        outcome = execute(store, query, max_rows)
    except QuerySyntaxError as exc:
        return Reply.text(400, str(exc))
    except QueryRefusedError as exc:
        return Reply.text(403, str(exc))
    if outcome.is_graph:
        triples = outcome.triples
    elif outcome.form == "SELECT" and {"s", "p", "o"} <= set(outcome.variables):
        s, p, o = (outcome.variables.index(v) for v in ("s", "p", "o"))
        triples = [
            ox.Triple(row[s], row[p], row[o])
            for row in outcome.rows
            if isinstance(row[s], ox.NamedNode | ox.BlankNode)
            and isinstance(row[p], ox.NamedNode)
            and row[o] is not None
        ]
    else:
        return Reply.text(
            400, "a graph view needs a CONSTRUCT or DESCRIBE query, or a SELECT of ?s ?p ?o"
        )
    title = title or "Query result"
    from graph.views import render_triples_page

    try:
        page = render_triples_page(store, triples, title, "/views/" if views else None, entity_path)
    except Exception as exc:  # the table still answers the question
        logger.exception("graph view failed")
        note = f"The graph view failed ({type(exc).__name__}: {exc}): the triples as a table."
    else:
        return Reply(
            200,
            _FORMAT_MEDIA["html"],
            page.encode("utf-8"),
            {"Content-Security-Policy": script_hashes_csp(page)},
        )
    names = labels(store, (t for triple in triples for t in triple))
    rows = [
        {"s": _cell(t.subject, names), "p": _cell(t.predicate, names), "o": _cell(t.object, names)}
        for t in triples
    ]
    page = (
        _templates()
        .get_template("triples.html.j2")
        .render(title=title, rows=rows, truncated=outcome.truncated, max_rows=max_rows, note=note)
    )
    return Reply(200, _FORMAT_MEDIA["html"], page.encode("utf-8"))


# --- the pool of workers --------------------------------------------------------------------


@dataclass(eq=False)
class _Worker:
    process: object
    conn: object
    number: int
    generation: int = 0


class QueryPool:
    """Worker processes that answer jobs, each within ``timeout`` seconds or killed.

    A job waits at most ``timeout`` for a free worker, then at most ``timeout`` for its
    answer; a worker past the limit is killed and a fresh one started in the background.

    When ``graph.trig`` changes (``cvekg build`` rewrote it), a new set of workers loads it
    in the background while the old ones keep answering; then the new ones take over.
    """

    def __init__(self, trig: Path, workers: int = 2, timeout: float = 10.0, max_rows: int = 10000):
        if workers < 1:
            raise CvekgError("--workers must be at least 1")
        if timeout <= 0:
            raise CvekgError("--timeout must be positive")
        self.trig, self.size, self.timeout, self.max_rows = Path(trig), workers, timeout, max_rows
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._started = 0
        self._closed = False
        self.graphs: set[str] = set()
        self.triples = 0
        self.replaced = 0
        self.generation = 0
        self.reloads = 0
        self._stamp = self._file_stamp()
        self._reloading = False

    def _file_stamp(self) -> tuple[int, int, int] | None:
        try:
            info = self.trig.stat()
        except OSError:
            return None
        return info.st_mtime_ns, info.st_size, info.st_ino

    def reload_if_changed(self) -> bool:
        """Start loading ``graph.trig`` into fresh workers if the file changed since the
        current ones loaded it (a stat per request); ``True`` if a reload started."""
        stamp = self._file_stamp()
        with self._lock:
            if stamp is None or stamp == self._stamp or self._reloading or self._closed:
                return False
            self._reloading, self._stamp = True, stamp
        threading.Thread(target=self._reload, name="cvekg-reload", daemon=True).start()
        return True

    def _reload(self) -> None:
        generation = self.generation + 1
        fresh: list[_Worker] = []
        try:
            fresh = [self._spawn(generation) for _ in range(self.size)]
            for worker in fresh:
                self._await_ready(worker, deadline=300.0)
        except CvekgError:
            logger.exception("could not load the new %s; serving the old graph", self.trig)
            for worker in fresh:
                self._kill(worker)
            with self._lock:
                self._reloading = False
            return
        with self._lock:
            self.generation = generation
            self.reloads += 1
            self._reloading = False
        while True:  # the old idle workers go now; busy ones when they are done
            try:
                old = self._idle.get_nowait()
            except queue.Empty:
                break
            self._kill(old)
        for worker in fresh:
            if self._closed:
                self._kill(worker)
            else:
                self._idle.put(worker)
        logger.warning("reloaded %s: %s triples", self.trig, self.triples)

    def start(self) -> QueryPool:
        """Start every worker and wait until each has loaded the graph."""
        pending = [self._spawn() for _ in range(self.size)]
        for worker in pending:
            self._await_ready(worker, deadline=60.0)
            self._idle.put(worker)
        return self

    def _spawn(self, generation: int | None = None) -> _Worker:
        import os
        import socket
        import subprocess
        import sys
        from multiprocessing.connection import Connection

        ours, theirs = socket.socketpair()
        package_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        try:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    "import sys; from graph.server import _worker_entry; "
                    "_worker_entry(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]))",
                    str(theirs.fileno()),
                    str(self.trig),
                    str(self.max_rows),
                ],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                env=env,
            )
        finally:
            theirs.close()
        with self._lock:
            self._started += 1
            worker = _Worker(
                process,
                Connection(ours.detach()),
                self._started,
                self.generation if generation is None else generation,
            )
            self._all.add(worker)
        return worker

    def _await_ready(self, worker: _Worker, deadline: float) -> None:
        if not worker.conn.poll(deadline):
            self._kill(worker)
            raise CvekgError(f"a query worker did not load {self.trig} within {deadline:.0f} s")
        try:
            _, graphs, triples = worker.conn.recv()
        except EOFError:
            self._kill(worker)
            raise CvekgError(f"a query worker could not load {self.trig}") from None
        if worker.generation >= self.generation:
            self.graphs, self.triples = set(graphs), triples

    def _kill(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.process.wait(5)
        worker.conn.close()
        with self._lock:
            self._all.discard(worker)

    def _replace(self, worker: _Worker) -> None:
        self._kill(worker)
        self.replaced += 1

        def start_one() -> None:
            if self._closed:
                return
            fresh = self._spawn()
            try:
                self._await_ready(fresh, deadline=60.0)
            except CvekgError:
                logger.exception("could not replace a query worker")
                return
            if self._closed:
                self._kill(fresh)
            else:
                self._idle.put(fresh)

        threading.Thread(target=start_one, name="cvekg-respawn", daemon=True).start()

    def run(self, job: dict) -> Reply:
        """Answer ``job`` in a worker, or a 503 when the time limit passes."""
        started = time.monotonic()
        self.reload_if_changed()
        while True:
            try:
                wait = max(0.0, self.timeout - (time.monotonic() - started))
                worker = self._idle.get(timeout=wait)
            except queue.Empty:
                return Reply.text(
                    503,
                    f"every query worker stayed busy for {self.timeout:g} s; try again",
                    **{"Retry-After": "1"},
                )
            if worker.generation >= self.generation:
                break
            self._kill(worker)  # it holds the graph as it was before a rebuild
        left = max(0.05, self.timeout - (time.monotonic() - started))
        try:
            worker.conn.send(job)
            if worker.conn.poll(left):
                reply = worker.conn.recv()
                if worker.generation < self.generation:
                    self._kill(worker)
                else:
                    self._idle.put(worker)
                return reply
        except (EOFError, OSError, BrokenPipeError):
            logger.warning("query worker %s died; replacing it", worker.number)
            self._replace(worker)
            return Reply.text(500, "the query worker stopped unexpectedly; try again")
        logger.warning("query past %.1f s: stopping worker %s", self.timeout, worker.number)
        self._replace(worker)
        return Reply.text(
            503,
            f"query stopped: it ran past the time limit of {self.timeout:g} s "
            "(cvekg serve --timeout SECONDS sets it)",
        )

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        with self._lock:
            workers = list(self._all)
        for worker in workers:
            try:
                worker.conn.send(None)
            except (OSError, BrokenPipeError):
                pass
        for worker in workers:
            try:
                worker.process.wait(1)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait(1)
            worker.conn.close()
        with self._lock:
            self._all.clear()


# --- the HTTP side --------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    server_version = f"cvekg/{__version__}"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the base class's name)
        logger.info("%s %s", self.address_string(), format % args)

    # Routing

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._route("GET")

    def do_HEAD(self) -> None:  # noqa: N802
        self._route("HEAD")

    def do_POST(self) -> None:  # noqa: N802
        self._route("POST")

    def do_OPTIONS(self) -> None:  # noqa: N802
        self._send(
            Reply(
                204,
                _TEXT,
                b"",
                {
                    **_CORS,
                    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                    "Access-Control-Allow-Headers": "Content-Type, Accept",
                    "Access-Control-Max-Age": "600",
                    "Allow": "GET, HEAD, POST, OPTIONS",
                },
            )
        )

    def _not_allowed(self) -> None:
        self._discard_body()
        self._send(
            Reply.text(
                405,
                f"{self.command} is not allowed: this endpoint is read-only (GET, POST, OPTIONS)",
                Allow="GET, HEAD, POST, OPTIONS",
            )
        )

    do_PUT = do_DELETE = do_PATCH = do_TRACE = do_CONNECT = _not_allowed  # noqa: N815

    def _route(self, method: str) -> None:
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)
        try:
            if path == "/sparql":
                reply = self._sparql(method, url.query)
            elif method == "POST" and path == "/view":
                reply = self._view(self._form_body())
            elif method == "POST":
                self._discard_body()
                reply = Reply.text(405, "POST goes to /sparql or /view", Allow="GET, HEAD")
            elif path == "/view":
                reply = self._view(urllib.parse.parse_qs(url.query))
            elif path in {"/", "/index.html"}:
                reply = self._static("index.html")
            elif path.startswith("/static/"):
                reply = self._static(path.removeprefix("/static/"))
            elif path in {"/views", "/views/"}:
                reply = Reply.text(303, "See /views/index.html", Location="/views/index.html")
            elif path.startswith("/views/"):
                reply = self._views_file(path.removeprefix("/views/"))
            elif path == "/api/queries":
                reply = self._queries()
            elif path.startswith("/entity/"):
                reply = self._entity(path.removeprefix("/entity/"), url.query)
            elif path.startswith("/id/"):
                target = "/entity/" + urllib.parse.quote(path.removeprefix("/id/"))
                reply = Reply.text(303, f"See {target}", Location=target, Vary="Accept")
            else:
                reply = Reply.text(404, f"nothing at {path}; the query page is at /")
        except _RequestError as exc:
            reply = exc.reply
        if method == "HEAD":
            reply.headers["Content-Length"] = str(len(reply.body))
            reply = Reply(reply.status, reply.content_type, b"", reply.headers)
        self._send(reply)

    # Helpers

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        headers = {
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            **reply.headers,
        }
        if reply.content_type.startswith("text/html") and "Content-Security-Policy" not in headers:
            headers["Content-Security-Policy"] = PAGE_CSP
        headers.setdefault("Content-Length", str(len(reply.body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if reply.body:
            self.wfile.write(reply.body)

    def _read_body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            raise _RequestError(Reply.text(411, "send the request body with a Content-Length"))
        try:
            size = int(length or 0)
        except ValueError:
            raise _RequestError(Reply.text(400, "bad Content-Length")) from None
        if size > _MAX_BODY:
            self.close_connection = True
            raise _RequestError(Reply.text(413, f"request body over {_MAX_BODY} bytes"))
        return self.rfile.read(size) if size else b""

    def _discard_body(self) -> None:
        try:
            self._read_body()
        except _RequestError:
            self.close_connection = True

    def _form_body(self) -> dict[str, list[str]]:
        media = self.headers.get_content_type()
        body = self._read_body()
        if media != "application/x-www-form-urlencoded":
            raise _RequestError(
                Reply.text(415, "send a form (application/x-www-form-urlencoded)", **_CORS)
            )
        return _parse_form(body)

    def _static(self, name: str) -> Reply:
        file = (WEB / name).resolve()
        if file.parent != WEB or file.suffix not in _STATIC_TYPES or not file.is_file():
            return Reply.text(404, f"no static file {name}")
        headers = {"Cache-Control": "no-cache"}
        return Reply(200, _STATIC_TYPES[file.suffix], file.read_bytes(), headers)

    def _views_file(self, name: str) -> Reply:
        """A page of the built views (``build/views``), under the CSP its inline scripts need;
        nothing outside that folder, and nothing but HTML."""
        root = self.server.views_folder
        if root is None or not root.is_dir():
            return Reply.text(404, "no views were built (run cvekg build without --no-views)")
        file = (root / name).resolve()
        if not file.is_relative_to(root) or file.suffix != ".html" or not file.is_file():
            return Reply.text(404, f"no view {name}")
        page = file.read_text(encoding="utf-8")
        headers = {"Cache-Control": "no-cache", "Content-Security-Policy": script_hashes_csp(page)}
        return Reply(200, _STATIC_TYPES[".html"], page.encode("utf-8"), headers)

    def _queries(self) -> Reply:
        from graph.namespaces import PREFIXES
        from graph.query.named import list_queries

        document = {
            "queries": [q.as_dict() for q in list_queries(self.server.queries_folder)],
            "prefixes": PREFIXES,
            "timeout": self.server.pool.timeout,
            "maxRows": self.server.pool.max_rows,
            "triples": self.server.pool.triples,
        }
        body = json.dumps(document, ensure_ascii=False).encode("utf-8")
        return Reply(200, "application/json", body, {"Cache-Control": "no-cache"})

    # SPARQL Protocol

    def _sparql(self, method: str, query_string: str) -> Reply:
        params = _parse_form(query_string.encode("ascii", "replace"))
        if method == "POST":
            media = self.headers.get_content_type()
            body = self._read_body()
            if media == "application/x-www-form-urlencoded":
                for name, values in _parse_form(body).items():
                    params.setdefault(name, []).extend(values)
            elif media == "application/sparql-query":
                params.setdefault("query", []).append(_utf8(body))
            elif media == "application/sparql-update":
                return Reply.text(403, "SPARQL Update is refused: the graph is read-only", **_CORS)
            else:
                return Reply.text(
                    415,
                    f"unsupported request type {media}: POST a form "
                    "(application/x-www-form-urlencoded) or application/sparql-query",
                    **_CORS,
                )
        if "update" in params:
            return Reply.text(403, "SPARQL Update is refused: the graph is read-only", **_CORS)
        queries = params.get("query", [])
        if not queries:
            return Reply.text(400, "no query: send ?query=… (SPARQL 1.1 Protocol)", **_CORS)
        if len(queries) > 1:
            return Reply.text(400, f"{len(queries)} queries sent; send exactly one", **_CORS)
        query = queries[0]
        from graph.query.sparql import QueryRefusedError, check_query

        try:
            info = check_query(query, self.server.pool.graphs)
        except QueryRefusedError as exc:
            return Reply.text(403, str(exc), **_CORS)
        accept = self.headers.get("Accept")
        override = (params.get("format") or params.get("output") or [None])[-1]
        if override:
            result_format = _override(override, RESULT_MEDIA)
            graph_format = _override(override, GRAPH_MEDIA)
            if result_format is None and graph_format is None:
                return Reply.text(400, f"unknown format {override!r}", **_CORS)
        else:
            result_format = negotiate(accept, RESULT_MEDIA)
            graph_format = negotiate(accept, GRAPH_MEDIA)
        expected = {"SELECT": result_format, "ASK": result_format}.get(info.form, graph_format)
        if info.form in {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"} and expected is None:
            offers = RESULT_MEDIA if info.form in {"SELECT", "ASK"} else GRAPH_MEDIA
            return Reply.text(
                406,
                f"cannot answer a {info.form} query as {override or accept}; "
                f"available: {', '.join(offers)}",
                **_CORS,
            )
        reply = self.server.pool.run(
            {
                "kind": "sparql",
                "query": query,
                "result_format": result_format,
                "graph_format": graph_format,
                "accept": accept,
                "default": params.get("default-graph-uri"),
                "named": params.get("named-graph-uri"),
            }
        )
        reply.headers.update(_CORS)
        reply.headers["Vary"] = "Accept"
        return reply

    def _view(self, params: dict[str, list[str]]) -> Reply:
        query = (params.get("query") or [""])[-1]
        if not query.strip():
            return Reply.text(400, "no query: /view?query=CONSTRUCT…")
        from graph.query.sparql import QueryRefusedError, check_query

        try:
            check_query(query, self.server.pool.graphs)
        except QueryRefusedError as exc:
            return Reply.text(403, str(exc))
        title = (params.get("title") or [""])[-1][:200]
        views = self.server.views_folder is not None and self.server.views_folder.is_dir()
        return self.server.pool.run(
            {"kind": "view", "query": query, "title": title, "views": views}
        )

    def _entity(self, rest: str, query_string: str) -> Reply:
        kind, _, slug = rest.partition("/")
        if not kind or not slug or "/" in slug:
            return Reply.text(404, "an entity page is /entity/KIND/SLUG, e.g. /entity/city/lyon")
        override = (_parse_form(query_string.encode("ascii", "replace")).get("format") or [None])[
            -1
        ]
        if override:
            fmt = _override(override, ENTITY_MEDIA)
        else:
            fmt = negotiate(self.headers.get("Accept"), ENTITY_MEDIA)
        if fmt is None:
            return Reply.text(406, f"available: {', '.join(ENTITY_MEDIA)}", Vary="Accept")
        reply = self.server.pool.run({"kind": "entity", "kind_": kind, "slug": slug, "format": fmt})
        reply.headers["Vary"] = "Accept"
        if fmt != "html":
            reply.headers.update(_CORS)
        return reply


class _RequestError(Exception):
    def __init__(self, reply: Reply):
        super().__init__(reply.body.decode("utf-8", "replace"))
        self.reply = reply


def _utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise _RequestError(Reply.text(400, "the query is not UTF-8 text", **_CORS)) from None


def _parse_form(body: bytes) -> dict[str, list[str]]:
    try:
        return urllib.parse.parse_qs(body.decode("ascii"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise _RequestError(Reply.text(400, "the form is not URL-encoded UTF-8", **_CORS)) from None


#: Names clients use for graph formats (SPARQLWrapper sends ``format=json`` for JSON-LD).
_ALIASES = {
    "json": "jsonld",
    "json-ld": "jsonld",
    "ttl": "turtle",
    "ntriples": "nt",
    "n-triples": "nt",
}


def _override(value: str, offers: dict[str, str]) -> str | None:
    """A ``format=`` parameter: a format name (``csv``) or a media type."""
    value = value.strip().lower()
    value = _ALIASES.get(value, value) if "jsonld" in offers.values() else value
    if value in offers.values():
        return value
    return offers.get(value)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    pool: QueryPool
    queries_folder: Path | None
    views_folder: Path | None


def script_hashes_csp(page: str) -> str:
    """A CSP for a self-contained page: its own inline scripts (by hash) and nothing remote."""
    hashes = []
    for body in re.findall(r"<script\b[^>]*>(.*?)</script>", page, re.S | re.I):
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    scripts = " ".join(hashes) or "'none'"
    return (
        f"default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; "
        "img-src 'self' data: blob:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'none'"
    )


class SparqlServer:
    """The server: an HTTP listener and a pool of query workers over ``out/graph.trig``.

    Use it as a context manager (``with SparqlServer(out, port=0) as server: ...``), run
    :meth:`serve_forever`, and read the bound address from :attr:`url`.
    """

    def __init__(
        self,
        out: Path,
        host: str = "127.0.0.1",
        port: int = 8000,
        timeout: float = 10.0,
        max_rows: int = 10000,
        workers: int = 2,
        queries: Path | None = None,
    ):
        trig = Path(out) / "graph.trig"
        if not trig.is_file():
            raise CvekgError(f"{trig}: no built graph (run cvekg build)")
        self.pool = QueryPool(trig, workers=workers, timeout=timeout, max_rows=max_rows)
        self.host, self.port, self.queries = host, port, queries
        self.views = (Path(out) / "views").resolve()
        self.httpd: _HTTPServer | None = None

    def start(self) -> SparqlServer:
        """Start the workers and bind the listening socket."""
        self.pool.start()
        try:
            self.httpd = _HTTPServer((self.host, self.port), _Handler)
        except OSError as exc:
            self.pool.close()
            raise CvekgError(f"cannot listen on {self.host}:{self.port}: {exc.strerror}") from None
        self.httpd.pool = self.pool
        self.httpd.queries_folder = self.queries
        self.httpd.views_folder = self.views
        return self

    @property
    def url(self) -> str:
        """The base URL, ``http://127.0.0.1:8000/``."""
        assert self.httpd is not None, "start() first"
        host, port = self.httpd.server_address[:2]
        shown = f"[{host}]" if ":" in str(host) else host
        return f"http://{shown}:{port}/"

    def serve_forever(self) -> None:
        """Answer requests until :meth:`shutdown` (or Ctrl+C)."""
        assert self.httpd is not None, "start() first"
        self.httpd.serve_forever(poll_interval=0.2)

    def shutdown(self) -> None:
        """Stop :meth:`serve_forever` (from another thread)."""
        if self.httpd is not None:
            self.httpd.shutdown()

    def close(self) -> None:
        """Release the socket and stop the workers."""
        if self.httpd is not None:
            self.httpd.server_close()
        self.pool.close()

    def __enter__(self) -> SparqlServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()


def serve(
    out: Path,
    queries: Path | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    timeout: float = 10.0,
    max_rows: int = 10000,
    workers: int = 2,
    say: Callable[[str], None] | None = None,
) -> None:
    """Serve the build in folder ``out`` until interrupted: what ``cvekg serve`` does (after
    :func:`graph.pipeline.ensure_built`)."""
    say = say or (lambda line: logger.warning(line))
    out = Path(out)
    with SparqlServer(out, host, port, timeout, max_rows, workers, queries) as server:
        if host not in {"127.0.0.1", "localhost", "::1"}:
            say(f"listening on {host}: anyone who can reach it can query the graph (read-only)")
        say(
            f"serving {server.pool.triples} triples from {out / 'graph.trig'} with "
            f"{workers} worker(s), {timeout:g} s limit, {max_rows} row cap"
        )
        say(f"query page: {server.url}   SPARQL endpoint: {server.url}sparql   (Ctrl+C stops)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            say("stopped")
