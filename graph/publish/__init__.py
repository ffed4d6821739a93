"""``cvekg publish``: put a build on production SPARQL servers and leave it read-only there.

Two ways, one per kind of server:

- Virtuoso Open Source 7 (:mod:`graph.publish.virtuoso`): its bulk loader through
  ``isql-vt`` reads ``graph.nq``; publishing again drops every graph of ours first, so no
  stale claim graph survives; then system graphs are made private and the HTTP side
  read-only. ``cvekg virtuoso start|stop`` runs a local one for trying it.
- any server speaking the SPARQL 1.1 Graph Store HTTP Protocol
  (:mod:`graph.publish.graph_store`): one ``PUT`` per graph, for small builds.

Several servers (replicas of one dump, queried with several ``--endpoint``) are published
one after the other, so the others keep answering while one loads. This stage sits above the
server and below the pipeline: it reads a build folder and the store stage, nothing else.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from graph.errors import CvekgError, display_path
from graph.progress import Phases, Progress

__all__ = ["publish", "Published"]


@dataclass
class Published:
    """What :func:`publish` did on each server."""

    graphs: int
    quads: int
    servers: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        """One line for the terminal."""
        where = ", ".join(self.servers)
        # Only Virtuoso is locked down by publish; a Graph Store server is as it was set up.
        locked = ": read-only there" if all(s.startswith("Virtuoso") for s in self.servers) else ""
        done = f"published {self.quads} quads ({self.graphs} graphs) to {where}"
        return f"{done} in {self.seconds:.2f} s{locked}"


def _password(path: Path | None) -> str:
    if path is None:
        raise CvekgError("--password-file FILE is needed (cvekg virtuoso start writes one)")
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise CvekgError(f"{display_path(path)}: {exc.strerror}") from None


def _graph_count(nquads: Path) -> int:
    """Distinct graph names in an N-Quads file (the default graph counts as one)."""
    import pyoxigraph as ox

    names = {str(q.graph_name) for q in ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS)}
    return len(names)


class _Steps:
    """The loader's steps as phases (``clear 127.0.0.1:1111``…), one after the other."""

    def __init__(self, phases: Phases, where: str):
        self.phases, self.where, self.current = phases, where, ""

    def __call__(self, name: str) -> None:
        self.close()
        self.current = f"{name} {self.where}"
        self.phases.start(self.current)

    def close(self) -> None:
        if self.current:
            self.phases.done(self.current)
        self.current = ""


def publish(
    out: Path,
    virtuoso: list[str] | None = None,
    user: str = "dba",
    password_file: Path | None = None,
    graph_store: list[str] | None = None,
    endpoint: str | None = None,
    load_dir: Path | None = None,
    progress: Callable[[str], None] | Progress | None = None,
) -> Published:
    """Publish the build in ``out`` (its ``graph.nq``) to each Virtuoso SQL address
    (``HOST:PORT``) in ``virtuoso`` and each Graph Store URL in ``graph_store``."""
    from graph.publish import graph_store as gsp
    from graph.publish.virtuoso import Isql, bulk_load

    nquads = Path(out) / "graph.nq"
    if not nquads.is_file():
        raise CvekgError(
            f"{display_path(nquads)}: no N-Quads dump in this build: run cvekg build --out "
            f"{display_path(out)} (builds write graph.nq)"
        )
    if not virtuoso and not graph_store:
        raise CvekgError("give --virtuoso HOST:PORT or --graph-store URL (or several)")
    phases = Phases(progress)
    started = time.perf_counter()
    result = Published(graphs=_graph_count(nquads), quads=0)
    for address in virtuoso or []:
        isql = Isql(address, user, _password(password_file))

        steps = _Steps(phases, address)
        result.quads = bulk_load(isql, nquads, load_dir, steps)
        steps.close()
        result.servers.append(f"Virtuoso {address}")
    for url in graph_store or []:
        phases.start(f"put {url}")
        auth = f"{user}:{_password(password_file)}" if password_file else None
        result.graphs, result.quads = gsp.put_graphs(nquads, url, endpoint, auth, phases.advance)
        phases.done(f"put {url}")
        result.servers.append(url)
    result.seconds = time.perf_counter() - started
    return result
