"""Where the shipped ontology, shapes, competency queries and sources live.

They ship as package data (``graph.ontology`` is the repository's ``ontology/`` folder, mapped
in ``pyproject.toml``), so a non-editable install runs from any folder.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["ontology_dir", "ontology_file", "shapes_file", "queries_dir", "sources_dir"]


def _package_dir(name: str) -> Path:
    # Through the regular package ``graph``: its data folders have no __init__.py, and
    # importlib.resources gives a namespace package a MultiplexedPath, not a Path.
    return Path(str(resources.files("graph").joinpath(name)))


def ontology_dir() -> Path:
    """The folder holding ``cvekg.ttl``, ``shapes.ttl`` and ``queries/``.

    In a checkout (or an editable install) that is the repository's ``ontology/``; in an
    installed wheel, the package data ``graph/ontology``.
    """
    checkout = Path(__file__).resolve().parent.parent / "ontology"
    if (checkout / "cvekg.ttl").is_file():
        return checkout
    return _package_dir("ontology")


def ontology_file() -> Path:
    """The OWL ontology in Turtle."""
    return ontology_dir() / "cvekg.ttl"


def shapes_file() -> Path:
    """The SHACL shapes."""
    return ontology_dir() / "shapes.ttl"


def queries_dir() -> Path:
    """The competency queries, ``NN-name.rq``."""
    return ontology_dir() / "queries"


def sources_dir() -> Path:
    """The shipped source documents with their claims, and the reference data."""
    return _package_dir("sources")
