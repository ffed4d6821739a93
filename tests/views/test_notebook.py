"""``graph.views.show``: a query's page shown inline in a notebook, as ``cvekg view`` writes it."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from graph.cli import main
from graph.errors import CvekgError
from graph.views import View, show

VISITS = "CONSTRUCT WHERE { ?e cvekg:delegationFrom ?f ; cvekg:hostCity ?h }"


def _srcdoc(view: View) -> str:
    shown = view._repr_html_()
    assert shown.count("<iframe") == 1 and shown.endswith("</iframe>")
    found = re.fullmatch(r'<iframe srcdoc="([^"]*)" [^>]*></iframe>', shown, re.S)
    assert found, shown[:200]
    return html.unescape(found.group(1))


def test_srcdoc_is_the_page_cvekg_view_writes(built_dir: Path, tmp_path: Path, capsys):
    out = tmp_path / "visits.html"
    code = main(["view", "-e", VISITS, "--title", "Visits", "-o", str(out),
                 "--build", str(built_dir)])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    view = show(built_dir, VISITS, "Visits")
    assert _srcdoc(view) == out.read_text(encoding="utf-8")
    assert view.save(tmp_path / "saved" / "page.html").read_text() == view.html


def test_show_takes_a_store_a_folder_or_a_build_result(built, store, built_dir):
    pages = {show(x, VISITS, "Visits").html for x in (store, built_dir, str(built_dir), built)}
    assert len(pages) == 1


def test_show_says_what_is_wrong_as_cvekg_view_does(store, tmp_path):
    with pytest.raises(CvekgError, match="ASK query has none"):
        show(store, "ASK { ?s ?p ?o }")
    with pytest.raises(CvekgError, match="nothing to draw"):
        show(store, "CONSTRUCT WHERE { ?s cvekg:noSuchProperty ?o }")
    with pytest.raises(CvekgError):
        show(tmp_path, VISITS)  # no build there


def test_html_in_the_data_cannot_leave_the_frame(trig_store):
    view = show(trig_store("xss.trig"), "CONSTRUCT WHERE { ?s ?p ?o }", 'A "title" <b>')
    shown = view._repr_html_()
    assert "<script" not in shown and "<img" not in shown
    assert 'title="A &quot;title&quot; &lt;b&gt;"' in shown
    assert 'sandbox="allow-scripts allow-downloads"' in shown


def test_view_loads_inside_an_iframe_offline_and_answers_clicks(
    built_dir, opened, tmp_path, artifacts
):
    view = show(built_dir, VISITS, "Visits", height=700)
    notebook = tmp_path / "notebook.html"
    notebook.write_text(
        "<!doctype html><html lang=en><meta charset=utf-8><title>A notebook</title>"
        f"<h1>Out[1]:</h1>{view._repr_html_()}",
        encoding="utf-8",
    )
    visit = opened(notebook)
    frame = visit.page.frame_locator("iframe")
    frame.locator("body[data-ready=true]").wait_for(timeout=20000)
    inner = next(f for f in visit.page.frames if f != visit.page.main_frame)
    drawn = inner.evaluate("window.cvekg.nodes.length")
    assert drawn == inner.evaluate("window.cvekg.data.nodes.length") > 5
    assert visit.page.locator("iframe").bounding_box()["height"] == 700 + 2  # and its border
    lyon = inner.evaluate(
        "window.cvekg.data.meta.nodes.findIndex(m => m.iri.endsWith('/city/lyon'))"
    )
    point = inner.evaluate(
        "id => window.cvekg.network.canvasToDOM(window.cvekg.network.getPosition(id))", lyon
    )
    box = frame.locator("#graph").bounding_box()
    visit.page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    assert "Lyon" in frame.locator("#panel h2").inner_text()
    frame.locator("#nodes").focus()
    visit.page.keyboard.press("Enter")
    assert frame.locator("#panel").is_visible()
    visit.page.screenshot(path=str(artifacts / "notebook-iframe.png"))
