"""``cvekg serve``: a read-only SPARQL 1.1 endpoint, a query page, and a page per entity.

The HTTP side is Starlette on uvicorn; nothing else listens. Queries run in worker processes,
each holding the graph loaded from ``graph.trig``, without network access and under a memory
cap: an Oxigraph query cannot be cancelled from Python, so a query past the time limit is
stopped by killing its worker, which is replaced while the other workers keep answering.

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

Modules
-------
:mod:`~graph.server.http`       the HTTP layer (Starlette on uvicorn): the routes above, the
                                Host check, reading a request's body; :class:`SparqlServer`
:mod:`~graph.server.pool`       the worker processes and :class:`QueryPool` (time limit, reload
                                when ``graph.trig`` changes), and what a worker runs for a job
:mod:`~graph.server.pages`      what a worker renders besides SPARQL results: entity pages,
                                graph views, the templates in ``web/``, the pages' CSPs
:mod:`~graph.server.negotiate`  media types, ``Accept`` negotiation, the ``?format=`` override
:mod:`~graph.server.reply`      :class:`Reply`, the answer each of them builds

Each imports only those listed below it; :func:`serve` here runs them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from graph.server.http import SparqlServer
from graph.server.negotiate import ENTITY_MEDIA, GRAPH_MEDIA, RESULT_MEDIA, negotiate
from graph.server.pages import entity_path, entity_reply, script_hashes_csp, view_reply
from graph.server.pool import QueryPool
from graph.server.reply import Reply

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


def serve(
    out: Path,
    queries: Path | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    timeout: float = 10.0,
    max_rows: int = 10000,
    workers: int = 2,
    say: Callable[[str], None] | None = None,
    endpoints: list[str] | None = None,
    max_memory: int = 1024,
    allowed_hosts: tuple[str, ...] = (),
) -> None:
    """Serve the build in folder ``out`` until interrupted: what ``cvekg serve`` does (after
    :func:`graph.pipeline.ensure_built`); with ``endpoints``, the dataset those SPARQL
    endpoints serve, behind our gate, pages and views (``out/views`` if present)."""
    say = say or (lambda line: logger.warning(line))
    out = Path(out)
    where = " ".join(endpoints) if endpoints else out / "graph.trig"
    with SparqlServer(
        out, host, port, timeout, max_rows, workers, queries, endpoints, max_memory, allowed_hosts
    ) as server:
        if host not in {"127.0.0.1", "localhost", "::1"}:
            say(f"listening on {host}: anyone who can reach it can query the graph (read-only)")
        memory = f"{max_memory} MB" if max_memory else "no memory limit"
        network = server.pool.network
        if network.startswith("network NOT"):
            offline = f"WARNING: {network}; only the query gate keeps SERVICE off the network"
        elif network.startswith("network kept"):
            offline = network  # the remote engine runs the queries: the gate reads them first
        else:
            offline = f"no network: {network}"
        say(
            f"serving {server.pool.triples} triples from {where} with "
            f"{workers} worker(s), {timeout:g} s limit, {max_rows} row cap, {memory} each, "
            f"{offline}"
        )
        say(f"query page: {server.url}   SPARQL endpoint: {server.url}sparql   (Ctrl+C stops)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            say("stopped")
