"""Every page of the views, and the server's, for keyboards and screen readers: axe-core finds
no serious or critical violation (in the states a user brings about too: the search list
open, the side panel open, a phone), and every node of a drawing is reachable without a mouse.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graph import views as graph_views
from graph.views import write_query_view, write_views

ID = "https://w3id.org/cvekg/id/"
DESKTOP, PHONE = (1400, 900), (390, 844)
PAGES = ("index.html", "overview.html", "city-pairs.html", "timeline.html", "ontology.html")
ENTITY = "entity/city-marseille.html"


@pytest.fixture(scope="module")
def views(built_dir: Path) -> Path:
    return built_dir / "views"


@pytest.fixture(scope="module")
def large_views(store, tmp_path_factory) -> Path:
    """The seed graph's views as a large graph has them: an overview by kind of entity, a
    drill-down page per kind, and a query page beside them."""
    out = tmp_path_factory.mktemp("large") / "views"
    patch = pytest.MonkeyPatch()
    patch.setattr(graph_views, "LARGE", 40)
    try:
        write_views(store, out)
    finally:
        patch.undo()
    write_query_view(
        store,
        "CONSTRUCT WHERE { ?e cvekg:delegationFrom ?f ; cvekg:hostCity ?h }",
        "Visits",
        out / "query-visits.html",
    )
    return out


def _is_graph(name: str) -> bool:
    return name not in ("index.html", "ontology.html")


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("name", [*PAGES, ENTITY])
def test_axe_finds_no_serious_violation_on_any_page(opened, axe, views, name, size):
    visit = opened(views / name, size)
    if name != "ontology.html":
        visit.ready()
    assert axe(visit.page) == []
    if name == "ontology.html":
        return
    visit.page.fill("#search", "lyon")  # the list of matches, its selected option
    visit.page.wait_for_selector("#results [role=option]")
    assert axe(visit.page) == []
    visit.page.keyboard.press("Escape")
    if _is_graph(name):
        visit.page.locator("#nodes").focus()
        visit.page.keyboard.press("Enter")  # the side panel (a bottom sheet on a phone)
        assert visit.page.locator("#panel").is_visible()
        assert axe(visit.page) == []


def test_axe_finds_no_serious_violation_on_drill_down_and_query_pages(opened, axe, large_views):
    drills = sorted((large_views / "overview").glob("*.html"))
    assert drills, "the seed graph, drawn as a large one, has drill-down pages"
    for page in [large_views / "overview.html", drills[0], large_views / "query-visits.html"]:
        visit = opened(page).ready()
        assert axe(visit.page) == [], page.name


def test_axe_finds_no_serious_violation_on_the_servers_entity_page(opened, axe, served):
    visit = opened(served + "entity/city/lyon", allowed=served)
    visit.page.wait_for_selector("h1")
    assert axe(visit.page) == []


def test_axe_finds_no_serious_violation_on_the_servers_query_page(opened, axe, served):
    from playwright.sync_api import expect

    visit = opened(served, allowed=served)
    expect(visit.page.locator("#status")).to_contain_text(" in ")
    assert axe(visit.page) == []


# --- The keyboard ----------------------------------------------------------------------------

FOCUS_RING = """() => { const s = getComputedStyle(document.activeElement);
  return s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2; }"""


def _drawn_labels(page) -> list[str]:
    """The names of the nodes drawn (not those labels.js leaves unlabelled at this zoom)."""
    return page.evaluate(
        """() => { const c = window.cvekg, fr = document.documentElement.lang === "fr";
          return c.nodes.get().filter(n => !n.hidden)
            .map(n => c.data.meta.nodes[n.id].label[fr ? 1 : 0]); }"""
    )


def _listed(page) -> list[str]:
    return page.locator("#nodes [role=option] .name").all_inner_texts()


def test_every_drawn_node_is_reachable_from_the_keyboard_and_escape_brings_focus_back(
    opened, views, artifacts
):
    visit = opened(views / "overview.html").ready()
    page = visit.page
    page.keyboard.press("Tab")  # the first stop: a skip link, visible once focused
    assert page.evaluate("document.activeElement.className") == "skip"
    assert page.locator(".skip").bounding_box()["y"] >= 0
    assert page.evaluate(FOCUS_RING)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "nodes"
    assert page.evaluate(FOCUS_RING)
    options = page.locator("#nodes [role=option]")
    listed = _listed(page)
    assert sorted(listed) == sorted(_drawn_labels(page))  # every node, once
    assert page.locator("#node-count").inner_text() == str(len(listed))

    page.keyboard.press("End")
    assert options.last.get_attribute("aria-selected") == "true"
    page.keyboard.press("Home")
    page.keyboard.press("ArrowDown")
    second = options.nth(1)
    assert page.get_attribute("#nodes", "aria-activedescendant") == second.get_attribute("id")
    page.keyboard.press("m")  # to the next entity whose name starts with M
    active = page.locator("#nodes [aria-selected=true]")
    name = active.locator(".name").inner_text()
    assert name.casefold().startswith("m")

    page.keyboard.press("Enter")  # its panel opens, with the focus, and the graph shows it
    panel = page.locator("#panel")
    assert panel.is_visible()
    assert page.evaluate("document.activeElement.id") == "panel"
    assert panel.locator("h2").inner_text() == name
    node = page.evaluate("name => window.cvekg.nodes.get().find(n => n.label === name).id", name)
    assert page.evaluate("window.cvekg.network.getSelectedNodes()") == [node]
    page.wait_for_timeout(500)  # the camera's move to the node
    point = page.evaluate(
        "id => window.cvekg.network.canvasToDOM(window.cvekg.network.getPosition(id))", node
    )
    box = page.locator("#graph").bounding_box()
    assert 0 <= point["x"] <= box["width"] and 0 <= point["y"] <= box["height"]
    page.screenshot(path=str(artifacts / "keyboard-overview-panel.png"))

    page.keyboard.press("Tab")  # into the panel's controls, each with a visible ring
    assert page.evaluate("document.activeElement.closest('#panel') !== null")
    assert page.evaluate(FOCUS_RING)
    page.keyboard.press("Escape")
    assert panel.is_hidden()
    assert page.evaluate("document.activeElement.id") == "nodes"
    assert page.evaluate("window.cvekg.network.getSelectedNodes()") == []


def test_entity_page_lists_its_neighbourhood_and_follows_the_language(opened, views):
    visit = opened(views / "entity" / "city-new-orleans.html").ready()
    page = visit.page
    listed = _listed(page)
    assert sorted(listed) == sorted(_drawn_labels(page)) and "New Orleans" in listed
    page.select_option("#lang", "fr")
    listed = _listed(page)
    assert sorted(listed) == sorted(_drawn_labels(page)) and "La Nouvelle-Orléans" in listed
    assert page.locator("#node-list h2").inner_text().startswith("Entités dessinées")


def test_hidden_kinds_leave_the_list_and_a_relation_in_the_panel_keeps_the_focus(opened, views):
    visit = opened(views / "overview.html").ready()
    page = visit.page
    before = page.locator("#nodes [role=option]").count()
    box = page.locator("#legend input[data-group=french-city]")
    cities = page.evaluate("window.cvekg.nodes.get().filter(n => n.group === 'french-city').length")
    assert cities == 9  # the seed graph's French cities
    box.uncheck()
    assert page.locator("#nodes [role=option]").count() == before - cities
    box.check()
    page.locator("#nodes").focus()
    page.keyboard.press("Enter")
    relation = page.locator("#panel button.link").first
    relation.focus()
    page.keyboard.press("Enter")  # another node's panel: the focus stays in the panel
    assert page.evaluate("document.activeElement.id") == "panel"
