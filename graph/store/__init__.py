"""The store stage: a built graph opened for questions.

Every command that reads a build (``query``, ``serve``, ``path``, ``views``…) opens it here,
from a path, and never builds: :mod:`graph.pipeline` alone decides that a build is missing or
stale and makes it. The store is Oxigraph in memory, loaded from ``graph.trig``, or a remote
SPARQL endpoint (Virtuoso in production, replicas of one dump) behind the same API
(:class:`graph.store.remote.RemoteStore`, from :func:`open_endpoints`): one interface, so no
command has a code path of its own for either.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from graph.errors import CvekgError, display_path
from graph.store.remote import EndpointError, RemoteQueryError, RemoteStore, TruncatedAnswerError

__all__ = [
    "open_store",
    "STORE_FOLDER",
    "open_endpoints",
    "open_source",
    "graph_names",
    "Store",
    "RemoteStore",
    "EndpointError",
    "RemoteQueryError",
    "TruncatedAnswerError",
]

#: What a command reads: the embedded store or a remote endpoint, with the same methods.
Store = ox.Store | RemoteStore


#: The folder of a build that holds its on-disk Oxigraph store.
STORE_FOLDER = "store"


def open_store(out: Path) -> ox.Store:
    """The build in folder ``out`` as an Oxigraph store: its on-disk store (``store/``),
    opened read-only (milliseconds at any size, shared by every process through the page
    cache), or for a build made before there was one, ``graph.trig`` loaded into memory.

    Raises ``CvekgError`` when ``out`` holds no build (run ``cvekg build`` first).
    """
    disk = Path(out) / STORE_FOLDER
    if (disk / "CURRENT").is_file():
        try:
            return ox.Store.read_only(str(disk))
        except OSError as exc:
            raise CvekgError(
                f"{display_path(disk)}: cannot open the build's store ({exc}): "
                f"run cvekg build --out {display_path(Path(out))} again"
            ) from None
    trig = Path(out) / "graph.trig"
    if not trig.is_file():
        raise CvekgError(
            f"{display_path(Path(out))}/: no build here (no graph.trig): "
            f"run cvekg build --out {display_path(Path(out))} first"
        )
    store = ox.Store()
    store.bulk_load(path=str(trig), format=ox.RdfFormat.TRIG)
    return store


def open_endpoints(endpoints: list[str], timeout: float = 120.0) -> RemoteStore:
    """The dataset served by ``endpoints`` (SPARQL 1.1 query URLs, replicas of one dump).

    Raises ``EndpointError`` naming them when none answers, so a command fails at once with
    a message rather than on its first question.
    """
    store = RemoteStore(endpoints, timeout=timeout)
    state = store.ping()
    if all(problem for _, problem in state):
        raise EndpointError(
            "no SPARQL endpoint answered: " + "; ".join(f"{u}: {p}" for u, p in state)
        )
    return store


def open_source(source: str) -> Store:
    """A store from a one-line description (what a server's worker is given): a path to a
    ``graph.trig``, loaded into memory, or ``endpoint:`` followed by space-separated endpoint
    URLs. A worker runs under a cap on its address space (``--max-memory``), which the
    on-disk store's threads and maps do not fit in: it parses the graph instead."""
    if source.startswith("endpoint:"):
        return open_endpoints(source.removeprefix("endpoint:").split())
    store = ox.Store()
    store.bulk_load(path=source, format=ox.RdfFormat.TRIG)
    return store


def graph_names(store: Store) -> set[str]:
    """The IRIs of the store's named graphs (what ``FROM`` may select)."""
    return {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)}
