"""Views of a large graph (graph/views): drill-down pages, the timeline and city pairs past
their limits, and the index's entity table, on a synthetic corpus built here (20k triples).

The corpus is large enough for the overview to be split by kind; the timeline and the city
pairs pass their limit of 2,000 nodes only near 100k triples, so their tests write the views
again with the limit lowered to 300 (the same code, reached at a size a test can afford).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from graph import network as gn
from graph.views import CITY_PAIRS_LIMIT, DRILL_LIMIT, TIMELINE_COLUMNS, write_views

ROOT = Path(__file__).resolve().parents[2]
TRIPLES = 20000
DESKTOP, PHONE = (1400, 900), (390, 844)
CROWDED_DRILL = 100


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory, script) -> Path:
    """A build of the 20k-triple synthetic corpus, views included."""
    from graph.pipeline import build

    corpus = script("synth").generate(TRIPLES, tmp_path_factory.mktemp("synth"), seed=7)
    return build(sources=corpus.out, out=tmp_path_factory.mktemp("large") / "out").out


@pytest.fixture(scope="module")
def large_store(large: Path):
    from graph.store import open_store

    return open_store(large)


@pytest.fixture(scope="module")
def projection(large_store):
    return gn.project(large_store)


@pytest.fixture(scope="module")
def crowded(large_store, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same graph's views with the limit of drawn nodes at 300 instead of 2,000, and of
    a drill-down page's members at 100 instead of 400."""
    out = tmp_path_factory.mktemp("crowded") / "views"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("graph.views.LARGE", 300)
        patch.setattr("graph.views.DRILL_LIMIT", CROWDED_DRILL)
        write_views(large_store, out)
    return out


def _norm(text: str) -> str:
    """What the pages' search does to a name before matching (search.js: norm)."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", " ", text.lower()).strip()


def _data(page: Path) -> dict:
    html = page.read_text(encoding="utf-8")
    found = re.search(r'<script type="application/json" id="cvekg-data">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


# --- Drill-down pages ----------------------------------------------------------------------


def test_drill_down_pages_draw_members_their_links_and_one_node_per_other_kind(large, projection):
    g = projection
    views = large / "views"
    assert g.number_of_nodes() > 2000  # the overview is split by kind
    pages = sorted((views / "overview").glob("*.html"))
    assert len(pages) >= 10
    iri = {d.get("iri", str(n)): n for n, d in g.nodes(data=True)}
    for page in pages:
        data = _data(page)
        nodes, meta = data["nodes"], data["meta"]["nodes"]
        members = [i for i, m in enumerate(meta) if m["iri"] in iri]
        groups = [i for i, m in enumerate(meta) if m["iri"] not in iri]
        assert 0 < len(members) <= DRILL_LIMIT, page.name
        drawn = {meta[i]["iri"] for i in members}
        # Every link of a drawn member to an entity not drawn is counted once, on the link
        # from it to the node of that entity's kind (or from that node to it).
        expected: Counter = Counter()
        for i in members:
            n = iri[meta[i]["iri"]]
            for _, o in g.out_edges(n):
                if g.nodes[o].get("iri", str(o)) not in drawn:
                    expected[(meta[i]["iri"], "out", g.nodes[o].get("group"))] += 1
            for s, _ in g.in_edges(n):
                if g.nodes[s].get("iri", str(s)) not in drawn:
                    expected[(meta[i]["iri"], "in", g.nodes[s].get("group"))] += 1
        got: Counter = Counter()
        for e, m in zip(data["edges"], data["meta"]["edges"], strict=True):
            if e["from"] in groups:
                got[(meta[e["to"]]["iri"], "in", nodes[e["from"]]["group"])] += m["count"]
            elif e["to"] in groups:
                got[(meta[e["from"]]["iri"], "out", nodes[e["to"]]["group"])] += m["count"]
        assert got == expected, page.name
        links_among = sum(1 for e in data["edges"] if e["from"] in members and e["to"] in members)
        assert links_among == gn.induced(g, [iri[x] for x in drawn]).number_of_edges()
        assert data["edges"], page.name  # no page is a grid of dots without links
        for i in groups:  # each kind's node says how many and opens that kind's page
            assert meta[i]["count"] > 0 and (page.parent / meta[i]["page"]).is_file()


def test_drill_down_draws_the_best_connected_first(crowded, projection):
    g = projection
    people = [n for n, d in g.nodes(data=True) if d.get("group") == "person"]
    assert CROWDED_DRILL < len(people) <= 300  # one page, not split by year or country
    data = _data(crowded / "overview" / "overview-person.html")
    drawn = {m["iri"] for m in data["meta"]["nodes"]}
    degree = dict(g.degree(people))
    kept = [n for n in people if g.nodes[n].get("iri", str(n)) in drawn]
    left = [n for n in people if g.nodes[n].get("iri", str(n)) not in drawn]
    assert len(kept) == CROWDED_DRILL
    assert min(degree[n] for n in kept) >= max(degree[n] for n in left)
    assert f"the {CROWDED_DRILL} best connected of {len(people):,}" in data["note"][0]
    # People left out that a drawn one links to are folded into a node of people, which says
    # how many (none here: the synthetic people link to organisations, not to each other).
    linked = {m for n in kept for m in (*g.succ[n], *g.pred[n])}
    folded = [m["count"] for m in data["meta"]["nodes"] if m["iri"] == "group:person"]
    assert folded == ([len(linked & set(left))] if linked & set(left) else [])


#: Every label vis-network draws at the present zoom, its size in CSS pixels, and what is drawn.
DRAWN = """(() => {
  const n = window.cvekg.network, s = n.getScale();
  const drawn = lm => lm.elementOptions.label &&
    lm.fontOptions.size * s >= lm.elementOptions.scaling.label.drawThreshold - 1;
  const sizes = [];
  for (const id of window.cvekg.nodes.getIds()) {
    const node = n.body.nodes[id];
    if (node && !node.options.hidden && drawn(node.labelModule))
      sizes.push(node.labelModule.fontOptions.size * s);
  }
  for (const id of window.cvekg.edges.getIds()) {
    const e = n.body.edges[id];
    if (e && drawn(e.labelModule)) sizes.push(e.labelModule.fontOptions.size * s);
  }
  return { labels: sizes.length, smallest: Math.min(...sizes),
           nodes: window.cvekg.nodes.length, edges: window.cvekg.edges.length };
})()"""


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize(
    ("name", "at_least"),
    [("overview/overview-person.html", 12), ("overview/overview-organization.html", 12)],
)
def test_drill_down_labels_are_at_least_11_px_at_the_first_frame_and_links_are_drawn(
    open_page, large, artifacts, name, at_least, size
):
    visit = open_page(large / "views" / name, size=size)
    visit.page.wait_for_timeout(150)  # labels are chosen again once the canvas has its size
    drawn = visit.page.evaluate(DRAWN)
    assert drawn["smallest"] >= 11, drawn
    # A phone holds fewer labels that overlap nothing: 5 to 6 of the 12 a desktop shows,
    # depending on the corpus's drawing.
    assert drawn["labels"] >= (at_least if size == DESKTOP else at_least // 3), drawn
    assert drawn["edges"] >= drawn["nodes"] / 2, drawn
    screen = "phone" if size == PHONE else "desktop"
    visit.finish(artifacts, f"large-{Path(name).stem}-{screen}")


# --- Timeline and city pairs past their limit ---------------------------------------------


def test_large_timeline_draws_lanes_by_span_and_every_event_on_one_span_page(crowded, projection):
    events = gn.timeline_graph(projection)
    assert events.number_of_nodes() > 300
    data = _data(crowded / "timeline.html")
    meta = data["meta"]["nodes"]
    assert len(meta) <= 4 * (TIMELINE_COLUMNS + 1)
    assert sum(m["count"] for m in meta) == events.number_of_nodes()
    spans = sorted((crowded / "timeline").glob("*.html"))
    assert {(crowded / m["page"]) for m in meta} == set(spans)
    iris = {d.get("iri", str(n)) for n, d in events.nodes(data=True)}
    seen: Counter = Counter()
    for page in spans:
        span = _data(page)
        real = [m for m in span["meta"]["nodes"] if m["iri"] in iris]
        folded = [m for m in span["meta"]["nodes"] if m["iri"] not in iris]
        seen.update(m["iri"] for m in real)
        for m in folded:  # "12 earlier": a count, and a page to go on to
            assert m["count"] > 0 and (page.parent / m["page"]).is_file(), m
    assert set(seen) == iris and max(seen.values()) == 1  # each event on one page


def test_large_city_pairs_fold_each_pair_into_one_line_with_how_many(crowded, projection):
    cities = gn.city_pair_graph(projection)
    assert cities.number_of_nodes() > 300
    data = _data(crowded / "city-pairs.html")
    iri = [m["iri"] for m in data["meta"]["nodes"]]
    assert len(data["edges"]) <= CITY_PAIRS_LIMIT
    pairs = Counter(
        (cities.nodes[u].get("iri", str(u)), cities.nodes[v].get("iri", str(v)), d["kind"])
        for u, v, d in cities.edges(data=True)
    )
    seen = set()
    for e, m in zip(data["edges"], data["meta"]["edges"], strict=True):
        kind = "exchange" if m["label"][0].startswith("exchanges") else None
        pair = (iri[e["from"]], iri[e["to"]])
        if kind:  # a folded line stands for every exchange between its two cities
            assert m["count"] == pairs[(*pair, kind)] >= 2, m
            assert (pair, kind) not in seen
            seen.add((pair, kind))
    assert seen  # the busiest pairs have several exchanges
    counts = sorted((m.get("count", 1) for m in data["meta"]["edges"]), reverse=True)
    untaken = sorted(pairs.values(), reverse=True)
    assert counts[0] == untaken[0]  # the busiest pair is drawn


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("name", ["timeline", "city-pairs", "timeline-span"])
def test_large_timeline_and_city_pairs_labels_are_readable(
    open_page, crowded, artifacts, name, size
):
    page = crowded / f"{name}.html"
    if name == "timeline-span":  # a span in the middle of the axis
        spans = sorted((crowded / "timeline").glob("*.html"))
        page = spans[len(spans) // 2]
    visit = open_page(page, size=size)
    visit.page.wait_for_timeout(150)
    drawn = visit.page.evaluate(DRAWN)
    assert drawn["smallest"] >= 11 and drawn["labels"] >= (4 if size == DESKTOP else 2), drawn
    visit.finish(artifacts, f"large-{name}-{'phone' if size == PHONE else 'desktop'}")


# --- The index's entity table -------------------------------------------------------------


def test_index_holds_each_entity_once_in_a_compact_table(large, projection):
    index = large / "views" / "index.html"
    data = _data(index)
    entities = sum(1 for _, d in projection.nodes(data=True) if d.get("kind"))
    assert len(data["rows"]) == entities
    assert len({row[2] for row in data["rows"]}) == entities
    # The old list repeated each entity's colour, shape, class names and link: 310 bytes an
    # entity for the whole page (4.9 MB at 100k triples); with the table, 154 here (its 300
    # exchanges and scripts included) and 112 at 100k triples.
    assert index.stat().st_size / entities < 200, index.stat().st_size
    html = index.read_text(encoding="utf-8")
    assert html.count("<tr>") < 400  # rows are drawn in the page, a page of them at a time


ROWS = """() => Array.from(document.querySelectorAll('#entity-rows tr')).map(tr => ({
  name: tr.cells[0].querySelector('a').textContent, href: tr.cells[0].querySelector('a')
    .getAttribute('href'), kind: tr.cells[1].textContent, links: Number(tr.cells[2]
    .textContent.replace(/[^0-9]/g, ''))}))"""


def test_index_table_pages_sorts_and_filters(open_page, large, artifacts):
    views = large / "views"
    data = _data(views / "index.html")
    total = len(data["rows"])
    visit = open_page(views / "index.html")
    page = visit.page
    status = page.locator("#entity-status")
    rows = page.evaluate(ROWS)
    assert len(rows) == 50 and status.text_content() == f"Rows 1–50 of {total:,}"
    assert all((views / r["href"]).is_file() for r in rows)
    names = [r["name"].casefold() for r in rows]
    assert names == sorted(names, key=lambda s: re.sub(r"[^\w]+", " ", s).strip()), names[:5]
    page.click("#entity-next")
    second = page.evaluate(ROWS)
    assert status.text_content() == f"Rows 51–100 of {total:,}"
    pages = -(-total // 50)
    assert page.locator("#entity-where").text_content() == f"Page 2 of {pages:,}"
    assert not {r["href"] for r in second} & {r["href"] for r in rows}
    page.click("th[data-sort=links] button")
    by_links = page.evaluate(ROWS)
    links = [r["links"] for r in by_links]
    assert links == sorted(links, reverse=True) and links[0] == max(row[5] for row in data["rows"])
    assert page.get_attribute("th[data-sort=links]", "aria-sort") == "descending"
    # Filtering: the rows shown are those with a name holding the word, the asked one too.
    target = data["rows"][len(data["rows"]) // 3]
    word = target[0].split()[-1][:5]
    matching = {
        row[2]
        for row in data["rows"]
        if any(_norm(word) in _norm(x) for x in [row[0], row[1], row[2], *sum(row[6:], [])])
    }
    page.fill("#entity-filter", word)
    page.wait_for_function("() => location.hash.includes('filter=')")
    shown = page.evaluate(ROWS)
    assert status.text_content().startswith(f"Rows 1–{min(50, len(matching))} of ")
    assert f"of {len(matching):,} (of {total:,} entities)" in status.text_content()
    assert {Path(r["href"]).stem for r in shown} <= matching
    page.fill("#entity-filter", target[0])
    page.wait_for_function(
        "n => [...document.querySelectorAll('#entity-rows a')].some(a => a.textContent === n)",
        arg=target[0],
    )
    page.fill("#entity-filter", "")
    person = next(i for i, g in enumerate(data["groups"]) if g[0] == "person")
    page.select_option("#entity-kind", str(person))
    people = sum(1 for row in data["rows"] if row[3] == person)
    page.wait_for_function("() => location.hash.includes('kind=person')")
    assert status.text_content().endswith(f"of {people:,} (of {total:,} entities)")
    page.click("#entity-next")
    page.wait_for_function("() => location.hash.includes('page=2')")
    # The state lives in the fragment: a reload shows the same rows.
    before = page.evaluate(ROWS)
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    assert page.evaluate(ROWS) == before
    assert page.input_value("#entity-kind") == str(person)
    page.screenshot(path=str(artifacts / "large-index-table.png"))
    visit.finish(artifacts, "large-index-table-end")


def test_index_table_on_a_phone(open_page, large, artifacts):
    visit = open_page(large / "views" / "index.html", "#kind=attack&sort=links", size=PHONE)
    width = visit.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE[0] + 1  # the table fits the screen: no sideways scrolling
    visit.page.locator("#entity-table").scroll_into_view_if_needed()
    assert visit.page.locator("#entity-rows tr").count() == 50
    visit.finish(artifacts, "large-index-table-phone")
