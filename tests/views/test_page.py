"""graph/views/page.py: the vis-network options are PyVis's, whether read from the copy kept in
``vendor/pyvis-options.json`` (no PyVis import) or made by PyVis itself."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from graph.views import page

ROOT = Path(__file__).resolve().parents[2]


def test_the_kept_options_are_what_the_installed_pyvis_makes() -> None:
    """After a PyVis upgrade this fails: write the file anew with ``python -c "from
    graph.views.page import write_pyvis_options; write_pyvis_options()"``."""
    kept = (Path(page.__file__).parent / page.PYVIS_OPTIONS).read_text(encoding="utf-8")
    assert kept == json.dumps(page.pyvis_options(), indent=1) + "\n"


def _small_page() -> dict:
    G = nx.MultiDiGraph()
    G.add_node("a", label_en="A", group="city")
    G.add_node("b", label_en="B", group="city")
    G.add_edge("a", "b", key="p", label_en="p")
    return page.page_data(G, {"a": (0, 0), "b": (1, 1)}, page.Page("t", "T", "T"))


def test_another_pyvis_is_asked_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    kept = _small_page()["options"]
    page._base_options.cache_clear()
    monkeypatch.setattr(page, "installed_pyvis", lambda: "0.0.0-other")
    made_by_pyvis = []
    network = page._network
    monkeypatch.setattr(page, "_network", lambda: made_by_pyvis.append(1) or network())
    try:
        made = _small_page()["options"]
    finally:
        page._base_options.cache_clear()
    assert json.dumps(made) == json.dumps(kept)  # the same options, in the same order
    assert made_by_pyvis == [1]


def test_a_page_is_drawn_without_importing_pyvis() -> None:
    check = (
        "import sys\n"
        "import networkx as nx\n"
        "from graph.views.page import Page, page_data, render_page\n"
        "G = nx.MultiDiGraph(); G.add_edge('a', 'b', key='p')\n"
        "render_page(page_data(G, {'a': (0, 0), 'b': (1, 1)}, Page('t', 'T', 'T')))\n"
        "assert not {'pyvis', 'IPython'} & set(sys.modules), 'pyvis imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
