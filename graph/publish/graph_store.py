"""The SPARQL 1.1 Graph Store HTTP Protocol: any server that speaks it (Oxigraph's server,
Fuseki, Virtuoso's ``/sparql-graph-crud-auth``…) gets the build graph by graph.

One ``PUT`` per named graph (N-Triples), so a graph on the server is replaced whole; graphs
of ours the server holds and the build no longer has are deleted (they are listed through
the dataset's SPARQL query endpoint, when given). Measured on Virtuoso: about 87 graphs a
second, so 22 minutes for 114,867 claim graphs: for small builds; a bulk loader otherwise.
"""

from __future__ import annotations

import base64
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from graph.errors import CvekgError
from graph.store import RemoteStore

__all__ = ["put_graphs"]

_OURS = "https://w3id.org/cvekg/"


def _request(url: str, method: str, body: bytes | None, auth: str | None) -> int:
    headers = {"Content-Type": "application/n-triples", "User-Agent": "cvekg"}
    if auth:
        headers["Authorization"] = "Basic " + base64.b64encode(auth.encode()).decode()
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        if method == "DELETE" and exc.code == 404:
            return 404
        text = exc.read().decode("utf-8", "replace").strip().splitlines()[:2]
        raise CvekgError(f"{url}: HTTP {exc.code} {exc.reason}: {' '.join(text)}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise CvekgError(f"{url}: {getattr(exc, 'reason', exc)}") from None


def _graph_url(base: str, graph: str) -> str:
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}graph={urllib.parse.quote(graph, safe='')}"


def put_graphs(
    nquads: Path,
    url: str,
    endpoint: str | None = None,
    auth: str | None = None,
    advance: Callable[[int, int], None] | None = None,
) -> tuple[int, int]:
    """Put every graph of ``nquads`` on the Graph Store at ``url``; delete the server's
    graphs of ours the file does not hold (listed through ``endpoint``). ``auth`` is
    ``user:password`` for HTTP Basic. Returns (graphs, quads) written."""
    graphs: dict[str, list[ox.Triple]] = {}
    quads = 0
    for quad in ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS):
        name = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        graphs.setdefault(name, []).append(quad.triple)
        quads += 1
    stale: list[str] = []
    if endpoint:
        present = {g.value for g in RemoteStore([endpoint]).named_graphs()}
        stale = sorted(g for g in present if g.startswith(_OURS) and g not in graphs)
    total = len(graphs) + len(stale)
    for i, graph in enumerate(stale):
        _request(_graph_url(url, graph), "DELETE", None, auth)
        if advance:
            advance(i + 1, total)
    for i, (graph, triples) in enumerate(sorted(graphs.items())):
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        target = _graph_url(url, graph) if graph else f"{url}{'&' if '?' in url else '?'}default"
        _request(target, "PUT", body, auth)
        if advance:
            advance(len(stale) + i + 1, total)
    return len(graphs), quads
