"""The top of the package: run the build, then the views, and decide when a build is stale.

Every command that reads a build asks :func:`ensure_built` (or :func:`open_built`) first;
nothing below this module starts a build. The library functions underneath take a store or a
build folder and only read it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from graph.build.run import OUTPUT_FILES, BuildResult, build_graph, input_files
from graph.progress import Phases, Progress
from graph.resources import sources_dir
from graph.store import open_store

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "build",
    "is_stale",
    "sources_of",
    "ensure_built",
    "open_built",
    "write_views",
    "load",
]

logger = logging.getLogger(__name__)


def build(
    sources: Path | None = None,
    out: Path | None = None,
    ontology: Path | None = None,
    shapes: Path | None = None,
    views: bool = True,
    progress: Callable[[str], None] | Progress | None = None,
) -> BuildResult:
    """Build the graph from ``sources`` into ``out``, then its views: ``cvekg build``."""
    phases = Phases(progress)
    result = build_graph(sources, out, ontology, shapes, phases)
    if views:
        from graph.views import write_views as write  # NetworkX and Jinja2: only when asked

        phases.start("views")
        result.files += write(result.store, result.out / "views")
        phases.done("views")
    return result


def _recorded_sources(out: Path) -> Path | None:
    """The sources folder ``out/build-info.json`` says the build in ``out`` was made from."""
    try:
        recorded = json.loads((out / "build-info.json").read_text(encoding="utf-8"))["sources"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return Path(recorded) if isinstance(recorded, str) else None


def sources_of(out: Path, sources: Path | None = None) -> Path:
    """The sources folder to check the build in ``out`` against, and to rebuild it from.

    ``sources`` when given; else the folder the build recorded in its ``build-info.json``,
    if that folder still exists; else the shipped sources. So a build of another folder is
    kept up to date from that folder, never silently rebuilt from the shipped sources.
    """
    if sources is not None:
        return Path(sources)
    recorded = _recorded_sources(Path(out))
    if recorded is not None and recorded.is_dir():
        return recorded
    return sources_dir()


def is_stale(out: Path, sources: Path | None = None) -> bool:
    """True when ``out`` lacks a build, was built from another folder than ``sources``, or
    any input file is newer than it (``sources`` defaults to :func:`sources_of`)."""
    out = Path(out)
    if not all((out / name).is_file() for name in OUTPUT_FILES):
        return True
    sources = sources_of(out, sources)
    recorded = _recorded_sources(out)
    if recorded is None or recorded.resolve() != sources.resolve():
        return True
    built = (out / "build-info.json").stat().st_mtime
    return any(f.stat().st_mtime > built for f in input_files(sources))


def ensure_built(
    out: Path | None = None,
    sources: Path | None = None,
    progress: Callable[[str], None] | None = None,
    views: bool = True,
) -> Path:
    """The build folder ``out`` (default ``build/``), rebuilt first if missing or stale.

    A fresh build is only checked (file times), never re-validated: no SHACL, no inference,
    no browser. A stale one is rebuilt as ``cvekg build`` would (the views only if
    ``views``: ``cvekg path``, ``stats`` and ``export`` do not read them).
    """

    out = Path(out) if out else Path("build")
    sources = sources_of(out, sources)  # by default, the folder the build was made from
    if is_stale(out, sources):
        say = progress or (lambda line: logger.info(line))
        say(f"{out}/ is missing or older than the sources: building it first")
        build(sources=sources, out=out, views=views, progress=say)
    return out


def open_built(
    out: Path | None = None,
    sources: Path | None = None,
    progress: Callable[[str], None] | None = None,
    views: bool = True,
) -> ox.Store:
    """The built graph in ``out`` as an Oxigraph store, building it first when needed."""
    return open_store(ensure_built(out, sources, progress, views))


def write_views(out: Path | None = None, sources: Path | None = None) -> list[Path]:
    """Write the views of the build in ``out`` (rebuilt first when stale): ``cvekg views``."""
    from graph.views import write_views as write

    out = ensure_built(out, sources, views=False)
    return write(open_store(out), out / "views")


def load(out: Path | None = None, sources: Path | None = None) -> nx.MultiDiGraph:
    """The network projection of the build in ``out``, rebuilt first (without views) when
    stale: what ``cvekg path``, ``stats`` and ``export`` read."""
    from graph.network import project

    return project(open_built(out, sources, views=False))
