"""The store stage: a built graph opened for questions.

Every command that reads a build (``query``, ``serve``, ``path``, ``views``…) opens it here,
from a path, and never builds: :mod:`graph.pipeline` alone decides that a build is missing or
stale and makes it. Today the store is Oxigraph in memory, loaded from ``graph.trig``.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from graph.errors import CvekgError, display_path

__all__ = ["open_store", "graph_names"]


def open_store(out: Path) -> ox.Store:
    """Load the build in folder ``out`` (its ``graph.trig``) into an in-memory Oxigraph store.

    Raises ``CvekgError`` when ``out`` holds no build (run ``cvekg build`` first).
    """
    trig = Path(out) / "graph.trig"
    if not trig.is_file():
        raise CvekgError(
            f"{display_path(Path(out))}/: no build here (no graph.trig): "
            f"run cvekg build --out {display_path(Path(out))} first"
        )
    store = ox.Store()
    store.bulk_load(path=str(trig), format=ox.RdfFormat.TRIG)
    return store


def graph_names(store: ox.Store) -> set[str]:
    """The IRIs of the store's named graphs (what ``FROM`` may select)."""
    return {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)}
