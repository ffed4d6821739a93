"""The HTML views (graph/views): files, safety, and every page used in Chromium."""

from __future__ import annotations

import html as html_text
import json
import re
from pathlib import Path

import networkx as nx
import pytest

from graph import network as gn
from graph.views import EGO_LIMIT, write_entity_view, write_views
from graph.views.layout import force_layout
from graph.views.page import csp, json_for_script

DATA = Path(__file__).parents[1] / "data"
ID = "https://w3id.org/cvekg/id/"
PAGES = ("index.html", "overview.html", "city-pairs.html", "timeline.html")
XSS_LABEL = "</script><img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def seed(store) -> nx.MultiDiGraph:
    return gn.project(store)


@pytest.fixture(scope="module")
def views(built_dir) -> Path:
    return built_dir / "views"


@pytest.fixture(scope="module")
def xss_views(tmp_path_factory, trig_store) -> Path:
    out = tmp_path_factory.mktemp("xss") / "views"
    write_views(trig_store("xss.trig"), out)
    return out


# --- Files -----------------------------------------------------------------------------------


def test_build_writes_every_view_and_a_page_per_entity(views, seed):
    for name in PAGES:
        assert (views / name).is_file(), name
    for n, d in seed.nodes(data=True):
        page = views / "entity" / f"{d['key']}.html"
        target = re.search(r'url=([^"#]+)#([^"]+)"', page.read_text())
        assert target and (views / "entity" / target.group(1)).is_file(), n
        assert target.group(2) == d["key"]


def test_pages_load_nothing_from_elsewhere(views):
    for name in [*PAGES, "entity/entities.html"]:
        html = (views / name).read_text()
        policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
        assert policy and "default-src 'none'" in html_text.unescape(policy.group(1)), name
        assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", html), name
        assert "vis-network 10.1.5" in html or name == "index.html"


def test_json_for_script_cannot_close_the_script_element():
    text = json_for_script({"label": XSS_LABEL, "amp": "a & b", "line": "\u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert "'unsafe-inline'" not in csp(["x"]).split("style-src")[0]


def test_xss_label_is_escaped_in_every_page(xss_views):
    for page in xss_views.rglob("*.html"):
        html = page.read_text()
        assert "<img src=x" not in html, page
        assert "<script>alert" not in html, page
        assert "<b onmouseover" not in html, page


def test_vis_network_license_notice_is_shipped():
    from importlib import resources

    vendor = resources.files("graph.views").joinpath("vendor")
    assert "MIT License" in vendor.joinpath("LICENSE-MIT").read_text()
    assert "Apache License" in vendor.joinpath("LICENSE-APACHE-2.0").read_text()
    assert "@license" in vendor.joinpath("vis-network.min.js").read_text()[:2000]


def test_entity_view_on_demand_reads_only_its_neighbourhood(store, tmp_path, monkeypatch):
    def whole_graph(*args, **kwargs):
        raise AssertionError("the whole graph was projected")

    monkeypatch.setattr(gn, "project", whole_graph)
    page = write_entity_view(store, "MARSEILLE", tmp_path)
    assert page == tmp_path / "entity" / "city-marseille.html"
    html = page.read_text()
    assert "Marseille participated in a City Pair with Orlando and Tampa" in html
    assert '"entities":{"city-marseille"' in html


def test_force_layout_keeps_linked_nodes_near_in_every_part():
    G = nx.MultiDiGraph()
    for part in range(4):
        names = [f"{'zyxw'[part]}{i:03d}" for i in range(40 * (part + 1))]
        G.add_edges_from((a, b) for a, b in zip(names, names[1:], strict=False))
        G.add_edges_from((names[0], n) for n in names[2::3])
    pos = force_layout(G)
    for u, v in G.edges():
        (x1, y1), (x2, y2) = pos[u], pos[v]
        assert ((x1 - x2) ** 2 + (y1 - y2) ** 2) ** 0.5 < 2000, (u, v)


def test_views_do_not_import_pyvis_until_a_page_is_drawn():
    import subprocess
    import sys

    code = (
        "import sys, graph.views, graph.network; "
        "print(sorted(m for m in ('pyvis', 'IPython') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "[]", done.stderr


def test_bench_measures_a_small_synthetic_graph():
    from graph.views.bench import measure

    figures = measure(300, repeat=1, cap=0, browser=False)
    assert figures["entities"] == 300 and figures["files"] > 300
    assert figures["largest"] == "entity/entities.html"


# --- In Chromium: one browser, a handful of pages --------------------------------------------


def test_overview_draws_the_projection_and_answers_clicks_and_search(
    open_page, views, seed, artifacts
):
    visit = open_page(views / "overview.html")
    assert visit.drawn() == seed.number_of_nodes()
    visit.click_node(f"{ID}city/marseille")
    panel = visit.page.locator("#panel")
    assert panel.is_visible()
    assert "Marseille participated in a City Pair with Orlando and Tampa" in panel.inner_text()
    visit.page.fill("#search", "pantheon")
    assert "Université Paris II Panthéon-Assas" in visit.page.locator("#results").inner_text()
    new_orleans = visit.node_id(f"{ID}city/new-orleans")
    label = "id => window.cvekg.nodes.get(id).label"
    assert visit.page.evaluate(label, new_orleans) == "New Orleans"
    visit.page.select_option("#lang", "fr")
    assert visit.page.evaluate(label, new_orleans) == "La Nouvelle-Orléans"
    with visit.page.expect_download() as download:
        visit.page.click("#png")
    assert Path(download.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    visit.finish(artifacts, "view-overview")


def test_city_pairs_and_timeline_draw_their_projections(open_page, views, seed, artifacts):
    visit = open_page(views / "city-pairs.html")
    assert visit.drawn() == gn.city_pair_graph(seed).number_of_nodes()
    visit.click_node(f"{ID}city/lyon")
    text = visit.page.locator("#panel").inner_text()
    assert "New Orleans" in text and "a delegation from Lyon learned about" in text
    visit.finish(artifacts, "view-city-pairs")
    visit = open_page(views / "timeline.html")
    assert visit.drawn() == gn.timeline_graph(seed).number_of_nodes()
    visit.finish(artifacts, "view-timeline")


def test_index_search_and_entity_page_show_the_claims(open_page, views, seed, artifacts):
    visit = open_page(views / "index.html")
    visit.page.fill("#search", "nouvelle orleans")
    assert visit.page.locator("#results [role=option]").first.inner_text().startswith("New Orleans")
    visit.page.screenshot(path=str(artifacts / "view-index.png"))
    visit.page.keyboard.press("Enter")
    visit.page.wait_for_url("**/entity/entities.html#city-new-orleans*")
    visit.page.wait_for_selector("body[data-ready=true]")
    visit.finish(artifacts, "view-index-to-new-orleans")
    visit = open_page(views / "entity" / "city-marseille.html")
    assert visit.page.url.endswith("#city-marseille")
    kept, _, _ = gn.Neighbourhoods(seed).ego(f"{ID}city/marseille", 2, EGO_LIMIT)
    assert visit.drawn() == len(kept)  # the page finds the same neighbourhood
    claims = visit.page.locator("#claims").inner_text()
    assert "Marseille participated in a City Pair with Orlando and Tampa" in claims
    assert visit.page.locator("#title").inner_text() == "Marseille"
    visit.finish(artifacts, "view-entity-marseille")


def test_html_in_labels_and_quotes_stays_inert(open_page, xss_views, artifacts):
    visit = open_page(xss_views / "overview.html")
    evil = f"{ID}organization/evil"
    assert visit.page.evaluate("document.querySelectorAll('img').length") == 0
    visit.page.fill("#search", "script")
    assert XSS_LABEL in visit.page.locator("#results").inner_text()
    visit.click_node(evil)
    panel = visit.page.locator("#panel").inner_text()
    assert XSS_LABEL in panel and "<script>alert(3)</script> said so" in panel
    assert visit.page.evaluate("document.querySelectorAll('img, b, i').length") == 0
    visit.finish(artifacts, "view-xss")


def test_entity_page_claims_name_relations_and_classes_by_their_labels(open_page, views, artifacts):
    visit = open_page(views / "entity" / "event-city-pair-lyon-2017.html")
    claims = visit.page.locator("#claims").inner_text()
    assert "— host city — New Orleans" in claims
    assert "— is a — City Pair exchange" in claims
    assert "hostCity" not in claims and "CityPairExchange" not in claims
    visit.page.select_option("#lang", "fr")
    claims = visit.page.locator("#claims").inner_text()
    assert "— ville hôte — La Nouvelle-Orléans" in claims
    assert "— est un·e — Échange City Pair" in claims
    assert "— délégation de — Lyon" in claims
    visit.page.screenshot(path=str(artifacts / "entity-lyon-exchange-fr-full.png"), full_page=True)
    visit.finish(artifacts, "view-entity-lyon-exchange-fr")


SOURCE_TITLE = "French and U.S. Communities Work Together to Counter Terrorist Radicalization"


def test_query_and_on_demand_entity_pages_cite_the_source_of_every_quote(
    open_page, store, tmp_path, artifacts
):
    from graph.views import write_query_view

    page = write_query_view(
        store,
        "CONSTRUCT { ?e cvekg:hostCity ?h . ?h cvekg:locatedIn ?c } "
        "WHERE { ?e cvekg:hostCity ?h . ?h cvekg:locatedIn ?c . ?c a cvekg:Country }",
        "Hosts",
        tmp_path / "query-hosts.html",
    )
    visit = open_page(page)
    visit.click_node(f"{ID}city/new-orleans")
    panel = visit.page.locator("#panel").inner_text()
    assert f"— {SOURCE_TITLE}, 6 Jun 2019 · claim city-pair-lyon" in panel
    assert (
        "Reference data, no quote: Places: names, coordinates, countries and gazetteer identifiers"
    ) in panel
    visit.finish(artifacts, "view-query-hosts")
    visit = open_page(write_entity_view(store, "Lyon", tmp_path))
    rows = visit.page.locator("#claims-body tr")
    assert rows.count() > 0
    for i in range(rows.count()):
        assert rows.nth(i).locator("td").nth(2).inner_text() == f"{SOURCE_TITLE}, 6 Jun 2019"
    visit.finish(artifacts, "view-entity-lyon-on-demand")


def test_timeline_year_lines_never_precede_an_earlier_event_or_a_cut():
    from graph.views.layout import timeline_layout

    T = nx.MultiDiGraph()
    dates = {"a": "2013", "b": "2016-12", "c": "2017-02", "d": "2019-11", "e": "2019-12"}
    for n, date in dates.items():
        T.add_node(n, date=date, group="attack")
    pos, decorations = timeline_layout(T)
    years = {
        int(d["en"]): d["x"] - 6 for d in decorations if d["kind"] == "text" and d["en"].isdigit()
    }
    cuts = [d["x"] for d in decorations if d["kind"] == "text" and d["en"] == "≈ gap ≈"]
    assert sorted(years) == [2013, 2016, 2017, 2019] and cuts
    for year, x in years.items():
        mine = [pos[n][0] for n in dates if dates[n].startswith(str(year))]
        earlier = [pos[n][0] for n in dates if int(dates[n][:4]) < year]
        assert x <= min(mine), year
        assert all(x > e for e in earlier), (year, x, earlier)
        assert all(x > c for c in cuts if c < min(mine)), (year, x, cuts)
    assert list(years.values()) == sorted(years.values())


def _links(page: Path) -> list[str]:
    """Every link of a page: its anchors and, for graph pages, each node's and edge's page."""
    html = page.read_text()
    found = re.findall(r'href="([^"]*)"', html)
    data = re.search(r'<script type="application/json" id="cvekg-data">(.*?)</script>', html, re.S)
    if data:
        loaded = json.loads(data.group(1))
        if "rows" in loaded:  # the index's table of every entity
            found += [loaded["href"] + row[2] + ".html" for row in loaded["rows"]]
        else:
            found += [m["page"] for m in loaded["meta"]["nodes"] if m.get("page")]
            found += [m["page"] for m in loaded["meta"]["edges"] if m.get("page")]
    return found


def test_large_graph_pages_link_only_to_entity_pages_that_exist(store, tmp_path, monkeypatch):
    from graph.views import write_query_view

    monkeypatch.setattr("graph.views.ENTITY_PAGES_LIMIT", 10)  # the seed graph is "large"
    out = tmp_path / "views"
    write_views(store, out)
    assert not (out / "entity").exists()
    write_entity_view(store, "Lyon", out)  # one page written on demand
    query = write_query_view(
        store,
        "CONSTRUCT { ?e cvekg:delegationFrom ?f ; cvekg:hostCity ?h } "
        "WHERE { ?e cvekg:delegationFrom ?f ; cvekg:hostCity ?h }",
        "Visits",
        out / "query-visits.html",
    )
    assert "entity/city-lyon.html" in _links(query)
    index = (out / "index.html").read_text()
    assert "New Orleans" in index  # the exchanges table names the cities without a link
    for page in [*out.glob("*.html"), query]:
        ids = set(re.findall(r' id="([^"]+)"', page.read_text()))
        for href in _links(page):
            target, _, anchor = href.partition("#")
            if target:
                assert (page.parent / target).is_file(), (page.name, href)
            else:  # a place on the same page (the ontology's terms)
                assert anchor in ids, (page.name, href)


@pytest.mark.parametrize("fragment", ["#%", "#constructor", "#toString", "#__proto__", "#nope"])
def test_entity_page_with_an_unknown_key_says_so_and_shows_an_entity(
    open_page, views, store, tmp_path, artifacts, fragment
):
    on_demand = write_entity_view(store, "Lyon", tmp_path)
    for page in (views / "entity" / "entities.html", on_demand):
        visit = open_page(page, fragment)
        note = visit.page.locator("#note")
        assert note.is_visible()
        shown = visit.page.locator("#title").inner_text()
        assert shown and visit.drawn() > 1
        wanted = fragment[1:]
        assert note.inner_text().startswith(f"No entity “{wanted}” here: showing {shown} instead.")
        visit.page.select_option("#lang", "fr")
        assert note.inner_text().startswith(f"Aucune entité « {wanted} » ici : voici ")
        visit.page.evaluate("location.hash = 'city-lyon'")
        visit.page.wait_for_function("document.title.startsWith('Lyon')")
        assert "Aucune entité" not in note.inner_text()
        visit.finish(artifacts, "view-entity-unknown-key")


def _star(neighbours: int, leaves: int) -> nx.MultiDiGraph:
    """A hub entity with ``neighbours`` neighbours, each with ``leaves`` of its own, every
    link quoted."""
    claim = "https://w3id.org/cvekg/claim/test/star"
    G = nx.MultiDiGraph(
        claims={claim: {"name": "star", "quote": "q", "sentence": "q", "statements": []}},
        sources=[],
        references=[],
    )

    def add(name: str) -> str:
        iri = f"{ID}topic/{name}"
        G.add_node(iri, iri=iri, key=f"topic-{name}", kind="topic", label_en=name,
                   label_fr=f"{name} (fr)", group="topic", claims=[claim])  # fmt: skip
        return iri

    hub = add("hub")
    for i in range(neighbours):
        near = add(f"n{i:03d}")
        G.add_edge(hub, near, key="topic", claim=claim, quote="q")
        for j in range(leaves):
            G.add_edge(near, add(f"n{i:03d}-{j}"), key="topic", claim=claim, quote="q")
    return G


@pytest.mark.parametrize(
    ("neighbours", "leaves", "en", "fr"),
    [
        (130, 2, "11 more neighbours and 260 more entities two steps away are not drawn",
         "11 autres voisins et 260 autres entités à deux pas ne sont pas dessinés"),
        (120, 0, "1 more neighbour is not drawn (see its own page).",
         "1 autre voisin n'est pas dessiné (voir sa propre page)."),
        (100, 2, "181 more entities two steps away are not drawn",
         "181 autres entités à deux pas ne sont pas dessinées"),
    ],
)  # fmt: skip
def test_entity_page_counts_left_out_neighbours_and_entities_two_steps_away(
    open_page, tmp_path, artifacts, neighbours, leaves, en, fr
):
    from graph.views import ViewWriter, render_entity_page

    G = _star(neighbours, leaves)
    hub = f"{ID}topic/hub"
    ViewWriter(G, tmp_path)._entities()  # the page of every entity finds the neighbourhood
    alone = tmp_path / "entity" / "alone.html"  # a page of one entity, neighbourhood given
    alone.write_text(render_entity_page(G, hub, root="../"))
    for page in (tmp_path / "entity" / "topic-hub.html", alone):
        visit = open_page(page)
        assert visit.drawn() == EGO_LIMIT
        assert en in visit.page.locator("#note").inner_text()
        visit.page.select_option("#lang", "fr")
        assert fr in visit.page.locator("#note").inner_text()
        visit.finish(artifacts, "view-entity-star")


def test_entity_page_search_finds_entities_beyond_the_drawn_neighbourhood(
    open_page, views, seed, artifacts
):
    pantheon = f"{ID}organization/pantheon-assas"
    kept, _, _ = gn.Neighbourhoods(seed).ego(f"{ID}city/marseille", 2, EGO_LIMIT)
    assert pantheon not in kept
    visit = open_page(views / "entity" / "city-marseille.html")
    visit.page.fill("#search", "pantheon")
    result = visit.page.locator("#results [role=option]").first
    assert "Université Paris II Panthéon-Assas" in result.inner_text()
    result.click()
    visit.page.wait_for_function("location.hash === '#organization-pantheon-assas'")
    assert visit.page.locator("#title").inner_text() == "Université Paris II Panthéon-Assas"
    kept, distance, _ = gn.Neighbourhoods(seed).ego(pantheon, 2, EGO_LIMIT)
    near = seed.nodes[next(n for n in kept if distance[n] == 1)]["label_en"]
    visit.page.fill("#search", near)  # an entity drawn on the page is focused in place
    visit.page.locator("#results [role=option]").first.click()
    key = seed.nodes[next(n for n in kept if distance[n] == 1)]["key"]
    assert visit.page.url.endswith(f"#organization-pantheon-assas&node={key}")  # still this page
    assert visit.page.locator("#panel h2").inner_text() == near
    visit.finish(artifacts, "view-entity-search")


def test_quotes_and_sentences_render_the_sources_markup_never_raw_tags(open_page, views, artifacts):
    """The source underlines names (``<u>Center for</u> <u>Prevention…</u>``): the entity
    page shows them underlined, as text nodes, and never prints a raw tag."""
    visit = open_page(views / "entity" / "city-bordeaux.html")
    claims = visit.page.locator("#claims")
    text = claims.inner_text()
    assert "has presented on its Center for Prevention of Radicalization (CAPRI)" in text
    assert "<u>" not in text and "</u>" not in text
    underlined = claims.locator("blockquote .m-u").all_inner_texts()
    assert "Center for" in underlined and "Prevention of Radicalization" in underlined
    visit.page.locator("#claims details summary").first.click()
    sentence = claims.locator("p.sentence").first.inner_text()
    assert "<u>" not in sentence
    visit.finish(artifacts, "view-entity-bordeaux-markup")


def test_claims_read_from_context_are_marked_on_entity_pages(open_page, views, artifacts):
    """Orlando as the Marseille delegation's host is read from context: its quote block says
    so, with the note saying what was read; a stated claim says it is stated."""
    visit = open_page(views / "entity" / "event-city-pair-marseille-2016.html")
    claims = visit.page.locator("#claims")
    read = claims.locator(".quote", has_text="The Marseille delegation met Orlando Mayor")
    assert read.locator(".support.read").inner_text() == (
        "Read from context, not stated in so many words"
    )
    assert "read as the delegation visiting Orlando" in read.locator(".note").inner_text()
    stated = claims.locator(".quote", has_text="participated in a City Pair with Orlando")
    assert stated.locator(".support.stated").first.inner_text() == "Stated by the source"
    visit.finish(artifacts, "view-entity-marseille-read-from-context")


# --- Issue 13: readable at first sight, on any screen -----------------------------------------

DESKTOP, PHONE = (1400, 900), (390, 844)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_index_search_lists_results_right_under_the_box_and_forgives_typos(
    open_page, views, artifacts, size
):
    visit = open_page(views / "index.html", size=size)
    page = visit.page
    page.click("#search")
    page.keyboard.type("Marseile")  # one letter short: still Marseille
    box = page.locator("#search").bounding_box()
    first = page.locator("#results [role=option]").first
    assert first.inner_text().startswith("Marseille\n")
    top = first.bounding_box()
    assert 0 <= top["y"] - (box["y"] + box["height"]) <= 12  # attached under the box
    assert top["y"] + top["height"] <= size[1]  # visible without scrolling
    assert page.get_attribute("#search", "aria-expanded") == "true"
    assert page.get_attribute("#search", "aria-activedescendant") == first.get_attribute("id")
    screen = "phone" if size == PHONE else "desktop"
    page.screenshot(path=str(artifacts / f"index-search-{screen}.png"))
    page.keyboard.press("ArrowDown")
    second = page.locator("#results [role=option]").nth(1)
    assert second.get_attribute("aria-selected") == "true"
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    page.wait_for_url("**/entities.html#city-marseille*")
    visit.context.close()


def test_city_pairs_and_timeline_search_every_entity_and_open_its_page(open_page, views, artifacts):
    for name, query, expect, key in (
        ("city-pairs.html", "pantheon", "Université Paris II", "organization-pantheon-assas"),
        ("timeline.html", "Marseile", "Marseille", "city-marseille"),
    ):
        visit = open_page(views / name)
        visit.page.click("#search")
        visit.page.keyboard.type(query)
        first = visit.page.locator("#results [role=option]").first
        assert first.inner_text().startswith(expect), name
        assert first.is_visible()
        visit.page.screenshot(path=str(artifacts / f"search-{name.removesuffix('.html')}.png"))
        visit.page.keyboard.press("Enter")
        visit.page.wait_for_url(f"**/entities.html#{key}*")
        visit.context.close()


#: Every label vis-network draws at the present zoom: its size in CSS pixels and its box.
DRAWN_LABELS = """(() => {
  const n = window.cvekg.network, s = n.getScale();
  const drawn = lm => lm.elementOptions.label &&
    lm.fontOptions.size * s >= lm.elementOptions.scaling.label.drawThreshold - 1;
  const nodes = [], edges = [];
  for (const id of window.cvekg.nodes.getIds()) {
    const node = n.body.nodes[id];
    if (!node || node.options.hidden || !drawn(node.labelModule)) continue;
    const lm = node.labelModule;
    nodes.push([lm.fontOptions.size * s, lm.size.left, lm.size.top, lm.size.width, lm.size.height]);
  }
  for (const id of window.cvekg.edges.getIds()) {
    const e = n.body.edges[id];
    if (e && drawn(e.labelModule)) edges.push(e.labelModule.fontOptions.size * s);
  }
  let overlaps = 0;
  for (let i = 0; i < nodes.length; i++) for (let j = i + 1; j < nodes.length; j++) {
    const [, ax, ay, aw, ah] = nodes[i], [, cx, cy, cw, ch] = nodes[j];
    if (ax < cx + cw && cx < ax + aw && ay < cy + ch && cy < ay + ah) overlaps++;
  }
  return { scale: s, drawnNodes: nodes.length, minNode: Math.min(...nodes.map(x => x[0])),
           drawnEdges: edges.length, minEdge: Math.min(...edges), overlaps };
})()"""


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize(
    ("name", "at_least"),
    [("overview.html", 12), ("city-pairs.html", 8), ("timeline.html", 8),
     ("entity/city-lyon.html", 6)],
)  # fmt: skip
def test_every_label_drawn_at_the_first_frame_is_at_least_11_px_and_none_overlap(
    open_page, views, artifacts, name, at_least, size
):
    visit = open_page(views / name, size=size)
    visit.page.wait_for_timeout(150)  # labels are chosen again once the canvas has its size
    drawn = visit.page.evaluate(DRAWN_LABELS)
    screen = "phone" if size == PHONE else "desktop"
    assert drawn["minNode"] >= 11 and drawn["minEdge"] >= 11, drawn
    assert drawn["overlaps"] == 0, drawn
    # The most connected are labelled first, as many as fit (fewer on a phone).
    assert drawn["drawnNodes"] >= (at_least if size == DESKTOP else at_least // 2), drawn
    visit.finish(artifacts, f"view-labels-{name.replace('/', '-').removesuffix('.html')}-{screen}")


CONTRAST = """sel => {
  const rgb = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = c => { const [r, g, b] = rgb(c).map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const node = document.querySelector(sel);
  let back = node, bg = "rgb(255, 255, 255)";
  while (back) { const c = getComputedStyle(back).backgroundColor;
    if (c !== "rgba(0, 0, 0, 0)" && !c.endsWith(", 0)")) { bg = c; break; }
    back = back.parentElement; }
  const a = lum(getComputedStyle(node).color), b = lum(bg);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def test_graph_pages_on_a_phone_fold_the_legend_and_open_a_bottom_sheet(
    open_page, views, artifacts
):
    visit = open_page(views / "overview.html", size=PHONE)
    page = visit.page
    legend = page.locator("#legend")
    assert legend.bounding_box()["height"] < 50  # folded: its title alone
    assert page.locator(".legend-title").get_attribute("aria-expanded") == "false"
    page.click(".legend-title")
    assert legend.bounding_box()["height"] > 200
    page.click(".legend-title")
    visit.click_node(f"{ID}city/marseille")
    sheet = page.locator("#panel").bounding_box()
    assert sheet["width"] == PHONE[0] and abs(sheet["y"] + sheet["height"] - PHONE[1]) < 1
    assert sheet["y"] > PHONE[1] * 0.35  # the drawing stays visible above it
    page.screenshot(path=str(artifacts / "phone-overview-sheet.png"))
    page.keyboard.press("Escape")
    assert page.locator("#panel").is_hidden()
    for sel in ("footer span", ".legend-title", "#title"):
        assert page.evaluate(CONTRAST, sel) >= 4.5, sel
    assert page.locator("[role=toolbar]").count() == 0
    assert page.get_attribute("#graph", "role") == "img" and page.get_attribute(
        "#graph", "aria-label"
    )
    page.focus("#search")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    visit.finish(artifacts, "view-phone-overview")
    visit = open_page(views / "entity" / "city-lyon.html", size=PHONE)
    height = visit.page.evaluate("document.documentElement.scrollHeight")
    assert height < 2600, height  # the claims stack as cards under the drawing
    visit.click_node(f"{ID}city/lyon")
    assert visit.page.locator("#panel").is_visible()
    for sel in ("#panel .iri", "#panel .cite", "#panel h3"):
        assert visit.page.evaluate(CONTRAST, sel) >= 4.5, sel
    visit.page.screenshot(path=str(artifacts / "phone-entity-lyon-sheet.png"))
    visit.page.keyboard.press("Escape")
    visit.page.screenshot(path=str(artifacts / "phone-entity-lyon-full.png"), full_page=True)
    visit.finish(artifacts, "view-phone-entity-lyon")


def test_timeline_links_between_dated_events_say_how_long_after():
    from graph.views.layout import durations

    T = nx.MultiDiGraph()
    for n, date in {"attack": "2016-06", "visit": "2016-12", "old": "2013", "vague": ""}.items():
        T.add_node(n, date=date)
    T.add_edge("visit", "attack", key="inWakeOf")
    T.add_edge("attack", "visit", key="ledTo")
    T.add_edge("visit", "old", key="learnedAbout")
    T.add_edge("visit", "vague", key="after")
    said = durations(T)
    assert said[("visit", "attack", "inWakeOf")] == ("6 months after", "6 mois après")
    assert said[("attack", "visit", "ledTo")] == ("6 months before", "6 mois avant")
    assert said[("visit", "old", "learnedAbout")] == ("about 3 years after", "environ 3 ans après")
    assert ("visit", "vague", "after") not in said


def test_timeline_draws_durations_parallel_links_apart_and_compact_undated_lanes(
    open_page, views, seed, artifacts
):
    from graph.views.layout import timeline_layout

    T = gn.timeline_graph(seed)
    pos, _ = timeline_layout(T)
    dated = [pos[n][1] for n in T if T.nodes[n].get("date")]
    undated = [pos[n][1] for n in T if not T.nodes[n].get("date")]
    height = max(undated) - min(dated)
    assert (max(undated) - min(undated)) / height < 0.55  # was two thirds
    visit = open_page(views / "timeline.html")
    drawn = visit.page.evaluate(
        """() => { const n = window.cvekg.network, s = n.getScale();
          return window.cvekg.edges.getIds().map(id => n.body.edges[id]).filter(e =>
            e.labelModule.fontOptions.size * s >= 11).map(e => e.options.label); }"""
    )
    assert any("years after" in label for label in drawn), drawn
    smooth = visit.page.evaluate(
        """() => { const d = window.cvekg.data, m = d.meta.nodes;
          return d.edges.filter(e => m[e.from].key === "event-city-pair-marseille-2016" &&
            m[e.to].key === "attack-orlando-pulse-nightclub")
            .map(e => JSON.stringify(e.smooth)); }"""
    )
    assert len(smooth) == 2 and len(set(smooth)) == 2, smooth  # bent apart, both visible
    visit.finish(artifacts, "view-timeline-durations")


def test_selected_node_and_language_live_in_the_fragment_and_survive_a_reload(
    open_page, views, artifacts
):
    visit = open_page(views / "overview.html")
    page = visit.page
    visit.click_node(f"{ID}city/marseille")
    page.select_option("#lang", "fr")
    assert page.evaluate("location.hash") == "#node=city-marseille&lang=fr"
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    assert page.locator("#panel h2").inner_text() == "Marseille"
    assert page.locator("#lang").input_value() == "fr"
    assert page.evaluate("document.documentElement.lang") == "fr"
    # The language is remembered on the other pages, the entity pages included.
    page.goto((views / "timeline.html").as_uri())
    page.wait_for_selector("body[data-ready=true]")
    assert page.locator("#title").inner_text().startswith("Chronologie")
    page.goto((views / "entity" / "city-new-orleans.html").as_uri())
    page.wait_for_url("**/entities.html#city-new-orleans*")
    page.wait_for_selector("body[data-ready=true]")
    assert page.locator("#title").inner_text() == "La Nouvelle-Orléans"
    assert page.evaluate("location.hash") == "#city-new-orleans&lang=fr"
    page.goto((views / "index.html").as_uri())
    page.wait_for_selector("body[data-ready=true]")
    assert page.locator("h1").inner_text().startswith("Partenariats")
    page.select_option("#lang", "en")
    visit.finish(artifacts, "view-url-state")


def test_side_panel_quotes_a_claim_once_however_many_relations_it_states(
    open_page, views, artifacts
):
    """Issue 13: the panel repeated the same quote under each relation a claim states."""
    visit = open_page(views / "overview.html")
    page = visit.page
    visit.click_node(f"{ID}event/city-pair-marseille-2016")
    quotes = page.locator("#panel blockquote").all_inner_texts()
    assert quotes and len(quotes) == len(set(quotes)), quotes
    again = page.locator("#panel .quote.again")
    assert again.count() >= 1  # "with Orlando and Tampa": one claim, two partner cities
    assert "Same quote as above" in again.first.inner_text()
    visit.finish(artifacts, "view-panel-quotes-once")
