"""What a fresh ``cvekg`` process imports (graph/cli.py): the start of a command is most of its
time on the seed graph, so the heavy modules it does not need stay out.

Read from ``python -X importtime``, which the query's forked child writes to the same standard
error, so what the child imports counts too. No timing here: the modules are what is pinned.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Never imported by ``cvekg query NAME`` on a build that is up to date.
NOT_FOR_A_QUERY = (
    "rdflib",  # the build stages and the lineage (``--with-sources``) use it
    "networkx",  # the network commands and the views
    "igraph",
    "numpy",
    "pyvis",
    "IPython",
    "jinja2",
    "graph.build.run",  # the pipeline asks graph.build.inputs whether a build is stale
    "graph.query.lineage",
    "graph.network.projection",  # cvekg's parser needs only graph.network.exports
    "urllib.request",  # only a remote store sends requests
    "xml.sax.saxutils",  # only the XML results format
)
#: Never imported by ``cvekg build``, views included.
NOT_FOR_A_BUILD = (
    "pyvis",  # its options are read from graph/views/vendor/pyvis-options.json
    "IPython",  # what importing pyvis imports
    "numpy",  # what igraph's Graph (not GraphBase) imports
)


def _imported(*args: str, cwd: Path) -> set[str]:
    """Every module a ``cvekg`` process (and its children) imported, run with ``args``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "graph.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return {
        line.rpartition("|")[2].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:")
    }


def _tops(imported: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if n in imported)


@pytest.fixture(scope="module")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[str]]:
    """A build of the seed graph by ``cvekg build`` in a fresh process, and what it imported."""
    out = tmp_path_factory.mktemp("startup") / "build"
    return out, _imported("build", "-q", "--out", str(out), cwd=out.parent)


def test_a_build_imports_neither_pyvis_nor_numpy(seed_build: tuple[Path, set[str]]) -> None:
    out, imported = seed_build
    assert (out / "views" / "overview.html").is_file()
    assert "networkx" in imported and "igraph" in imported  # the views were drawn
    assert _tops(imported, NOT_FOR_A_BUILD) == []


def test_a_query_imports_none_of_the_heavy_modules(seed_build: tuple[Path, set[str]]) -> None:
    out, _ = seed_build
    imported = _imported("query", "03-city-pairs", "--out", str(out), cwd=out.parent)
    assert "pyoxigraph" in imported and "graph.sandbox" in imported  # it ran, in its child
    assert _tops(imported, NOT_FOR_A_QUERY) == []


def test_a_query_with_sources_still_finds_its_lineage(seed_build: tuple[Path, set[str]]) -> None:
    """The modules left out are imported when asked for: the lineage, for ``--with-sources``."""
    out, _ = seed_build
    imported = _imported(
        "query", "03-city-pairs", "--with-sources", "-f", "xml", "--out", str(out), cwd=out.parent
    )
    assert {"graph.query.lineage", "rdflib", "xml.sax.saxutils"} <= imported
