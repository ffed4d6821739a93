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
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from graph.build.inputs import OUTPUT_FILES, check_out, input_files
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
from graph.rdf import bulk_load_in_parts
from graph.resources import sources_dir
from graph.store import STORE_FOLDER, Store, open_endpoints, open_store

if TYPE_CHECKING:
    import networkx as nx

    from graph.build.result import BuildResult

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
    from graph.build.run import build_graph  # rdflib and every stage: only to build

    sources = Path(sources) if sources else sources_dir()
    out = Path(out) if out else Path("build")
    check_out(out, sources)
    phases = Phases(progress)
    with FolderLock(out):
        remove_leftovers(out)
        with StagedFolder(out) as staged:
            # The on-disk store loads from graph.nq in native code as soon as that is written,
            # while the other graph files are written, the graph is validated and the views
            # are drawn. The pool is left (its load finished) before a failed build's staging
            # folder is removed.
            with ThreadPoolExecutor(max_workers=1) as pool:
                store_files: list[Future[list[Path]]] = []

                def load_store(folder: Path) -> None:
                    store_files.append(pool.submit(_write_store, folder))

                result = build_graph(
                    sources, staged.path, ontology, shapes, phases, on_nquads=load_store
                )
                files = list(result.files)
                if views:
                    files += _write_views(result.store, staged.path, phases)
                waited = time.perf_counter()
                files += store_files[0].result()
                logger.info("waited %.2f s for the on-disk store", time.perf_counter() - waited)
            staged.carry_over(_kept(staged.target, new_build=True))
            record = {**result.info, "views": views}
            record["seconds"] = {k: round(v, 4) for k, v in phases.seconds.items()}
            staged.publish(record, files)
    result.out = out
    result.files = [out / f.relative_to(staged.path) for f in files] + [out / MANIFEST]
    return result


def write_views(
    out: Path | None = None, sources: Path | None = None, endpoints: list[str] | None = None
) -> list[Path]:
    """Write the views of the build in ``out`` anew: ``cvekg views``.

    The build is made first when missing or stale (without views: they are written here);
    the new views are published with it as one unit, like a build's. With ``endpoints``,
    the views of the dataset they serve go into ``out/views`` (no build is read).
    """
    if endpoints:
        return _remote_views(open_endpoints(endpoints), Path(out or "build") / "views")
    out = ensure_built(out, sources, views=False)
    return _republish_views(out)


def _write_store(folder: Path) -> list[Path]:
    """The on-disk Oxigraph store of the build (``store/``), loaded from its ``graph.nq``:
    what every later command opens read-only in milliseconds instead of parsing the graph
    again. Its files are outputs like the others (listed, hashed, published with them).
    Loaded in parts (:func:`graph.rdf.bulk_load_in_parts`): the loader runs beside the
    build's in-memory store, and in one go it would hold 1.8 GB more at 1M triples. Then
    compacted (``optimize``): the parts leave overlapping files that every index lookup of a
    query must search; compacted, the shipped queries at 1M answer 1.5-3x faster (03 3.9 ->
    2.6 s, 08 7.2 -> 4.7 s) for about 12 s more in this thread."""
    started = time.perf_counter()
    path = folder / STORE_FOLDER
    disk = ox.Store(str(path))
    bulk_load_in_parts(disk, str(folder / "graph.nq"), ox.RdfFormat.N_QUADS)
    loaded = time.perf_counter()
    disk.optimize()
    disk.flush()
    logger.info("on-disk store compacted in %.2f s", time.perf_counter() - loaded)
    del disk  # closes it: nothing may write to its files once they are listed
    logger.info("on-disk store loaded and compacted in %.2f s", time.perf_counter() - started)
    return sorted(p for p in path.rglob("*") if p.is_file())


def _write_views(store: ox.Store, folder: Path, phases: Phases) -> list[Path]:
    from graph.views import write_views as write  # NetworkX and Jinja2: only when asked

    phases.start("views")
    files = write(store, folder / "views")
    phases.done("views")
    return files


def _remote_views(store: Store, views: Path) -> list[Path]:
    """The views of a remote dataset, written beside ``views`` and swapped in when done."""
    import os
    import shutil

    from graph.views import write_views as write

    views.parent.mkdir(parents=True, exist_ok=True)
    fresh = views.with_name(f".views.new-{os.getpid()}")
    old = views.with_name(f".views.old-{os.getpid()}")
    shutil.rmtree(fresh, ignore_errors=True)
    try:
        files = write(store, fresh)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    if views.exists():
        views.rename(old)
    fresh.rename(views)
    shutil.rmtree(old, ignore_errors=True)
    return [views / f.relative_to(fresh) for f in files]


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
            previous = record.get("outputs") or {}
            kept = [n for n in previous if not n.startswith("views/")] or list(OUTPUT_FILES)
            graph_files = [staged.path / name for name in kept]  # the store's files too
            seconds = {**record.get("seconds", {}), "views": round(phases.seconds["views"], 4)}
            record = {k: v for k, v in record.items() if k != "outputs"}
            staged.publish({**record, "views": True, "seconds": seconds}, graph_files + files,
                           known=previous)  # fmt: skip
    return [out / f.relative_to(staged.path) for f in files]


# --- Is the build up to date? ------------------------------------------------------------------


def _recorded_sources(record: dict | None) -> Path | None:
    """The sources folder a build record (``build-info.json``) says the build was made from."""
    recorded = (record or {}).get("sources")
    return Path(recorded) if isinstance(recorded, str) else None


def sources_of(out: Path, sources: Path | None = None, record: dict | None = None) -> Path:
    """The sources folder to check the build in ``out`` against, and to rebuild it from.

    ``sources`` when given; else the folder the build recorded in its ``build-info.json``
    (``record``, read from ``out`` when not given); else (no build there yet) the shipped
    sources. A build of another folder is so kept up to date from that folder, never rebuilt
    from another corpus: see :func:`ensure_built` for a recorded folder that is gone.
    """
    if sources is not None:
        return Path(sources)
    recorded = _recorded_sources(read_manifest(Path(out)) if record is None else record)
    return recorded if recorded is not None else sources_dir()


def stale_reason(out: Path, sources: Path | None = None, record: dict | None = None) -> str | None:
    """Why the build in ``out`` must be made again, or ``None`` when it is up to date.

    Stale: no complete build there (a file missing or not as its ``build-info.json``
    records it), a build of another sources folder than ``sources`` (default
    :func:`sources_of`), or an input newer than the build. Only sizes and times are read,
    never the graph, and the record once (``record`` when the caller read it): this runs
    before every query.
    """
    out = Path(out)
    record = read_manifest(out) if record is None else record
    if record is None:
        return "no build here"
    problems = manifest_problems(out, manifest=record)
    if problems:
        return f"the build is incomplete ({problems[0]})"
    sources = sources_of(out, sources, record)
    recorded = _recorded_sources(record)
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
    # A library caller is told too (on standard error, by logging's last resort): building
    # writes a folder, which should never happen silently.
    say = progress or (lambda line: logger.warning(line))
    given = sources is not None
    record = read_manifest(out)  # read once: at scale it lists every view and store file
    sources = sources_of(out, sources, record)  # by default, the folder it was built from
    if not given and not sources.is_dir():
        return _built_from_a_missing_folder(out, sources, say, record)
    reason = stale_reason(out, sources, record)
    if reason is not None:
        say(f"{display_path(out)}/ must be built first: {reason}")
        build(sources=sources, out=out, views=views, progress=say)
    elif views and not (record or {}).get("views"):
        say(f"{display_path(out)}/ has no views yet: writing them")
        _republish_views(out)
    return out


def _built_from_a_missing_folder(
    out: Path, sources: Path, say: Callable[[str], None], record: dict | None
) -> Path:
    """A build whose sources folder is gone is used as it is, if complete; it is never
    rebuilt from other sources behind the user's back."""
    problems = manifest_problems(out, manifest=record)
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
    endpoints: list[str] | None = None,
) -> Store:
    """The built graph in ``out`` as an Oxigraph store, building it first when needed; or,
    with ``endpoints``, the dataset those SPARQL endpoints serve (no build is read)."""
    if endpoints:
        return open_endpoints(endpoints)
    return open_store(ensure_built(out, sources, progress, views))


def load(
    out: Path | None = None, sources: Path | None = None, endpoints: list[str] | None = None
) -> nx.MultiDiGraph:
    """The network projection of the build in ``out``, rebuilt first (without views) when
    stale, or of the dataset ``endpoints`` serve: what ``cvekg path``, ``stats`` and
    ``export`` read."""
    from graph.network import project

    return project(open_built(out, sources, views=False, endpoints=endpoints))
