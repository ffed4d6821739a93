"""The top of the package: build, then views, published as one unit; and when to rebuild.

Every command that reads a build asks :func:`ensure_built` (or :func:`open_built`,
:func:`load`) first, and this module alone decides that a build is missing or stale and
makes it; nothing below it starts a build. The library functions underneath take a store or
a build folder and only read it.

A build is staged whole beside its folder (graph files, report, views), then swapped in for
the published one in one step, ``build-info.json`` written last as the record of every
output with its size and hash (:mod:`graph.files`). So a build killed at any point leaves the
previous build complete, a folder whose files do not match its record is known to be
incomplete (and is rebuilt), and a second build into a folder that one is writing stops at
once, naming the other process.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from graph.build.run import OUTPUT_FILES, BuildResult, build_graph, check_out, input_files
from graph.errors import CvekgError, display_path
from graph.files import (
    MANIFEST,
    FolderLock,
    StagedFolder,
    manifest_problems,
    read_manifest,
    remove_leftovers,
)
from graph.progress import Phases, Progress
from graph.resources import sources_dir
from graph.store import open_store

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "build",
    "write_views",
    "is_stale",
    "stale_reason",
    "sources_of",
    "ensure_built",
    "open_built",
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
    """Build the graph from ``sources`` into ``out``, then its views: ``cvekg build``.

    Raises ``BuildError`` (problems in the sources), ``CvekgError`` (unreadable input, an
    output folder that cannot be written) or ``FolderBusyError`` (another process is writing
    ``out``); ``out`` is untouched then.
    """
    sources = Path(sources) if sources else sources_dir()
    out = Path(out) if out else Path("build")
    check_out(out, sources)
    phases = Phases(progress)
    with FolderLock(out):
        remove_leftovers(out)
        with StagedFolder(out) as staged:
            result = build_graph(sources, staged.path, ontology, shapes, phases)
            files = list(result.files)
            if views:
                files += _write_views(result.store, staged.path, phases)
            staged.carry_over(_kept(staged.target, new_build=True))
            record = {**result.info, "views": views}
            record["seconds"] = {k: round(v, 4) for k, v in phases.seconds.items()}
            staged.publish(record, files)
    result.out = out
    result.files = [out / f.relative_to(staged.path) for f in files] + [out / MANIFEST]
    return result


def write_views(out: Path | None = None, sources: Path | None = None) -> list[Path]:
    """Write the views of the build in ``out`` anew: ``cvekg views``.

    The build is made first when missing or stale (without views: they are written here);
    the new views are published with it as one unit, like a build's.
    """
    out = ensure_built(out, sources, views=False)
    return _republish_views(out)


def _write_views(store: ox.Store, folder: Path, phases: Phases) -> list[Path]:
    from graph.views import write_views as write  # NetworkX and Jinja2: only when asked

    phases.start("views")
    files = write(store, folder / "views")
    phases.done("views")
    return files


def _kept(target: Path, new_build: bool) -> Callable[[Path], bool]:
    """Which files of the published folder ``target`` a new one carries over.

    Always the pages ``cvekg view`` wrote into ``views/`` and the files a user put there;
    never the record, nor hidden files. A new build also leaves out the previous build's
    outputs; new views alone keep the graph files and the report (hard links, no copy).
    """
    from graph.views import is_written_on_demand

    previous = set((read_manifest(target) or {}).get("outputs") or {}) | set(OUTPUT_FILES)

    def keep(relative: Path) -> bool:
        name = relative.as_posix()
        if name == MANIFEST or relative.name.startswith("."):
            return False
        if relative.parts[0] == "views":
            return is_written_on_demand(target / relative)
        return not (new_build and name in previous)

    return keep


def _republish_views(out: Path) -> list[Path]:
    """New views for the build in ``out``, published with its graph files (linked, not copied
    or read again) as one unit."""
    phases = Phases(None)
    with FolderLock(out):
        remove_leftovers(out)
        record = read_manifest(out) or {}
        store = open_store(out)
        with StagedFolder(out) as staged:
            files = _write_views(store, staged.path, phases)
            staged.carry_over(_kept(staged.target, new_build=False))
            graph_files = [staged.path / name for name in OUTPUT_FILES]
            previous = record.get("outputs") or {}
            seconds = {**record.get("seconds", {}), "views": round(phases.seconds["views"], 4)}
            record = {k: v for k, v in record.items() if k != "outputs"}
            staged.publish({**record, "views": True, "seconds": seconds}, graph_files + files,
                           known=previous)  # fmt: skip
    return [out / f.relative_to(staged.path) for f in files]


# --- Is the build up to date? ------------------------------------------------------------------


def _recorded_sources(out: Path) -> Path | None:
    """The sources folder ``out/build-info.json`` says the build in ``out`` was made from."""
    recorded = (read_manifest(out) or {}).get("sources")
    return Path(recorded) if isinstance(recorded, str) else None


def sources_of(out: Path, sources: Path | None = None) -> Path:
    """The sources folder to check the build in ``out`` against, and to rebuild it from.

    ``sources`` when given; else the folder the build recorded in its ``build-info.json``;
    else (no build there yet) the shipped sources. A build of another folder is so kept up
    to date from that folder, never rebuilt from another corpus: see :func:`ensure_built`
    for a recorded folder that is gone.
    """
    if sources is not None:
        return Path(sources)
    recorded = _recorded_sources(Path(out))
    return recorded if recorded is not None else sources_dir()


def stale_reason(out: Path, sources: Path | None = None, views: bool = False) -> str | None:
    """Why the build in ``out`` must be made again, or ``None`` when it is up to date.

    Stale: no complete build there (a file missing or not as its ``build-info.json``
    records it), a build of another sources folder than ``sources`` (default
    :func:`sources_of`), or an input newer than the build. Only sizes and times are read,
    never the graph: this runs before every query.
    """
    out = Path(out)
    if not (out / MANIFEST).is_file():
        return "no build here"
    problems = manifest_problems(out)
    if problems:
        return f"the build is incomplete ({problems[0]})"
    sources = sources_of(out, sources)
    recorded = _recorded_sources(out)
    if recorded is None or recorded.resolve() != sources.resolve():
        return f"it was built from {recorded}, not {display_path(sources)}"
    built = (out / MANIFEST).stat().st_mtime
    newer = [f for f in input_files(sources) if f.stat().st_mtime > built]
    if newer:
        return f"{display_path(newer[0])} changed since it was built"
    return None


def is_stale(out: Path, sources: Path | None = None) -> bool:
    """True when the build in ``out`` must be made again (:func:`stale_reason`)."""
    return stale_reason(out, sources) is not None


def ensure_built(
    out: Path | None = None,
    sources: Path | None = None,
    progress: Callable[[str], None] | None = None,
    views: bool = True,
) -> Path:
    """The build folder ``out`` (default ``build/``), built first if missing or stale.

    A fresh build is only checked (sizes and file times), never re-validated: no SHACL, no
    inference, no browser. A stale one is rebuilt as ``cvekg build`` would (the views only if
    ``views``: ``cvekg path``, ``stats`` and ``export`` do not read them); a fresh build made
    without views gets them when ``views`` asks for them.
    """
    out = Path(out) if out else Path("build")
    say = progress or (lambda line: logger.info(line))
    given = sources is not None
    sources = sources_of(out, sources)  # by default, the folder the build was made from
    if not given and not sources.is_dir():
        return _built_from_a_missing_folder(out, sources, say)
    reason = stale_reason(out, sources)
    if reason is not None:
        say(f"{display_path(out)}/ must be built first: {reason}")
        build(sources=sources, out=out, views=views, progress=say)
    elif views and not (read_manifest(out) or {}).get("views"):
        say(f"{display_path(out)}/ has no views yet: writing them")
        _republish_views(out)
    return out


def _built_from_a_missing_folder(out: Path, sources: Path, say: Callable[[str], None]) -> Path:
    """A build whose sources folder is gone is used as it is, if complete; it is never
    rebuilt from other sources behind the user's back."""
    problems = manifest_problems(out)
    rebuild = f"cvekg build --sources DIR --out {display_path(out)}"
    if problems:
        raise CvekgError(
            f"{display_path(out)}/: the build is incomplete ({problems[0]}) and the sources it "
            f"was built from, {sources}, are gone: rebuild it with {rebuild}"
        )
    say(
        f"{display_path(out)}/ was built from {sources}, which is gone: using the build as it "
        f"is (to rebuild it: {rebuild}, or give --sources DIR)"
    )
    return out


def open_built(
    out: Path | None = None,
    sources: Path | None = None,
    progress: Callable[[str], None] | None = None,
    views: bool = True,
) -> ox.Store:
    """The built graph in ``out`` as an Oxigraph store, building it first when needed."""
    return open_store(ensure_built(out, sources, progress, views))


def load(out: Path | None = None, sources: Path | None = None) -> nx.MultiDiGraph:
    """The network projection of the build in ``out``, rebuilt first (without views) when
    stale: what ``cvekg path``, ``stats`` and ``export`` read."""
    from graph.network import project

    return project(open_built(out, sources, views=False))
