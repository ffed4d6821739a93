"""What a build reads and writes, known without running it: its input files, its output
files, and whether a folder may take a build.

Apart from :mod:`graph.build.run`, which imports rdflib and every stage, so that
:mod:`graph.pipeline` can tell whether a build is up to date (before every query) without
importing them.
"""

from __future__ import annotations

from pathlib import Path

from graph.errors import CvekgError, display_path
from graph.resources import ontology_file

__all__ = ["OUTPUT_FILES", "input_files", "check_out"]

#: Files every successful build writes into its folder, besides ``views/`` (and
#: ``build-info.json``, the record the pipeline writes last when it publishes them).
OUTPUT_FILES = ("graph.trig", "graph.ttl", "graph.jsonld", "graph.nt", "graph.nq", "report.md")


def input_files(sources: Path, ontology: Path | None = None) -> list[Path]:
    """Every file a build reads: the ontology folder's Turtle and the sources."""
    ontology = ontology or ontology_file()
    files = [ontology, ontology.parent / "shapes.ttl"]
    files += sorted(p for p in sources.iterdir() if p.suffix in {".trig", ".ttl", ".txt"})
    return [f for f in files if f.is_file()]


def check_out(out: Path, sources: Path) -> None:
    """Refuse, before any work, an output folder the build cannot or must not write to."""
    existing = next(p for p in (out, *out.absolute().parents) if p.exists())
    if not existing.is_dir():
        raise CvekgError(
            f"{display_path(existing)}: cannot write the build here: it is a file, not a folder"
        )
    resolved, sources = out.resolve(), sources.resolve()
    if resolved == sources or sources in resolved.parents:
        # The next build would read the outputs (graph.ttl…) as sources.
        raise CvekgError(
            f"{display_path(out)}: cannot write the build here: it is inside the sources "
            f"folder {display_path(sources)} (choose an output folder outside it)"
        )
