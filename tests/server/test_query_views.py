"""The query page's result views in Chromium: each view is offered for an answer of its shape
and only then, draws what the answer holds, lives in the URL; the table's downloads carry IRIs
and labels; the editor completes prefixes and terms and adds their PREFIX lines."""

from __future__ import annotations

import json
import re
import urllib.parse
from pathlib import Path

import pytest

from graph.query.named import find_query
from graph.query.sparql import execute


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def _open(page, served: str, query: str | None = None, view: str | None = None) -> None:
    """The page, with a query (and a view) in its fragment when given; waits for the answer."""
    fragment = ""
    if query is not None:
        state = {"query": query, **({"view": view} if view else {})}
        fragment = "#" + urllib.parse.urlencode(state)
    page.goto(served + fragment)
    expect(page.locator("#status")).to_have_text(re.compile(r" in \d+ ms"))  # not "running…"


def _offered(page) -> list[str]:
    if page.locator("#view-tabs").is_hidden():
        return []
    return [b.get_attribute("data-view") for b in page.locator("#view-tabs button").all()]


def _offline(page, served: str) -> None:
    outside = [url for url in page.requests if not url.startswith(served)]
    assert outside == [], f"requests left the server: {outside}"
    assert page.problems == []  # CSP violations are console errors: none


def _shot(page, artifacts: Path, name: str) -> None:
    for width, height in ((1400, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(350)  # the chart is drawn again for the new width
        page.screenshot(path=str(artifacts / f"{name}-{width}.png"), full_page=width < 500)


def test_paris_delegation_cities_on_the_map(page, served: str, store, artifacts: Path) -> None:
    """Done means: "where are the cities Paris's delegation visited?" from the map view."""
    example = find_query("paris-visits")
    expected = {row[1].value for row in execute(store, example.text).rows}
    assert expected == {"Chicago", "Los Angeles"}  # the source: "visited Chicago and Los Angeles"
    _open(page, served)
    page.locator(f'button.example[data-name="{example.name}"]').click()
    expect(page.locator("#view-map")).to_have_attribute("aria-pressed", "true")
    chart = page.locator("#chart")
    expect(chart.locator("g.place")).to_have_count(2)
    names = chart.locator("g.place a text").all_text_contents()
    assert set(names) == expected
    hrefs = {a.get_attribute("href") for a in chart.locator("g.place a").all()}
    assert hrefs == {"/entity/city/chicago", "/entity/city/los-angeles"}
    # To scale: Chicago (41.85 N, 87.65 W) is north and east of Los Angeles (34.05 N, 118.24 W).
    spots = {
        g.locator("a text").text_content(): (
            float(g.locator("circle").get_attribute("cx")),
            float(g.locator("circle").get_attribute("cy")),
        )
        for g in chart.locator("g.place").all()
    }
    assert spots["Chicago"][0] > spots["Los Angeles"][0]
    assert spots["Chicago"][1] < spots["Los Angeles"][1]
    assert "view=map" in page.url
    _shot(page, artifacts, "query-map-paris")
    _offline(page, served)


@pytest.mark.parametrize(
    ("query", "offered"),
    [
        # a label and a count
        ("exchanges-per-year", ["table", "timeline", "bar"]),
        # places with coordinates in the graph, dates, killed counts, IRIs linking IRIs
        ("10-attacks", ["table", "graph", "map", "timeline", "bar"]),
        # cities have coordinates, nothing else fits
        ("french-cities", ["table", "map"]),
        # plain text fits no chart: no choice is shown
        ('SELECT ?x WHERE { VALUES ?x { "Lyon" "Nice" } }', []),
    ],
    ids=["bar", "attacks", "cities", "text"],
)
def test_views_offered_only_for_the_columns_that_fit(
    page, served: str, query: str, offered: list[str]
) -> None:
    text = query if query.startswith("SELECT") else find_query(query).text
    _open(page, served, text)
    assert _offered(page) == offered
    _offline(page, served)


def test_bar_chart_draws_each_count(page, served: str, store, artifacts: Path) -> None:
    example = find_query("exchanges-per-year")
    rows = execute(store, example.text).rows
    _open(page, served, example.text, "bar")
    expect(page.locator("#view-bar")).to_have_attribute("aria-pressed", "true")
    bars = page.locator("#chart g.bar")
    expect(bars).to_have_count(len(rows))
    drawn = {
        g.locator("text").first.text_content(): (
            int(g.locator("text.value").text_content()),
            float(g.locator("rect").get_attribute("width")),
        )
        for g in bars.all()
    }
    assert {year: count for year, (count, _) in drawn.items()} == {
        row[0].value: int(row[1].value) for row in rows
    }
    widest = max(drawn.values(), key=lambda v: v[1])
    assert widest[0] == max(int(row[1].value) for row in rows)  # the longest bar, the most
    _shot(page, artifacts, "query-bar")
    _offline(page, served)


def test_timeline_draws_each_dated_row_to_the_month(page, served: str, artifacts: Path) -> None:
    _open(page, served, find_query("10-attacks").text, "timeline")
    events = page.locator("#chart g.event")
    expect(events).to_have_count(4)
    labels = page.locator("#chart g.event text").all_text_contents()
    assert "Orlando Pulse nightclub attack · Jun 2016" in labels
    assert "Boston Marathon bombings · 2013" in labels  # the year only: drawn as a year
    assert page.locator("#chart g.event.year-only").count() == 1
    marks = {
        g.locator("text").text_content(): float(
            g.locator("circle, rect").first.get_attribute("cx")
            or g.locator("rect").get_attribute("x")
        )
        for g in events.all()
    }
    assert (
        marks["Orlando Pulse nightclub attack · Jun 2016"]
        > marks["Boston Marathon bombings · 2013"]
    )
    _shot(page, artifacts, "query-timeline")
    _offline(page, served)


def test_graph_view_draws_entities_linking_entities(page, served: str, artifacts: Path) -> None:
    query = "CONSTRUCT { ?a cvekg:place ?c } WHERE { ?a a cvekg:Attack ; cvekg:place ?c }"
    _open(page, served, query, "graph")
    assert _offered(page) == ["table", "graph", "map"]
    expect(page.locator("#view-graph")).to_have_attribute("aria-pressed", "true")
    nodes = page.locator("#chart g.node")
    expect(nodes).to_have_count(8)  # four attacks, four places
    assert page.locator("#chart line.link").count() == 4
    assert "Orlando" in page.locator("#chart g.node text").all_text_contents()
    _shot(page, artifacts, "query-graph")
    _offline(page, served)


def test_query_and_view_survive_a_reload(page, served: str) -> None:
    _open(page, served)
    page.locator('button.example[data-name="03-city-pairs"]').click()
    expect(page.locator("#view-timeline")).to_be_visible()
    page.locator("#view-timeline").click()
    expect(page.locator("#chart g.event")).to_have_count(7)
    fragment = urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).fragment)
    assert fragment["view"] == ["timeline"]
    assert fragment["query"] == [find_query("03-city-pairs").text]
    page.reload()
    expect(page.locator("#view-timeline")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#chart g.event")).to_have_count(7)
    assert page.locator("#query").input_value() == find_query("03-city-pairs").text
    assert page.locator("#results-box").is_hidden()
    page.locator("#view-table").click()
    assert "view=" not in page.url
    page.reload()
    expect(page.locator("#results tbody tr")).to_have_count(7)
    _offline(page, served)


def test_downloads_hold_labels_and_iris(page, served: str) -> None:
    _open(page, served, find_query("french-cities").text)
    assert page.locator("#results thead th").all_text_contents() == ["city"]
    lyon = page.locator('#results a[href="/entity/city/lyon"]')
    assert lyon.text_content() == "Lyon"  # the query's own label, linked to the entity
    files = {}
    for kind in ("csv", "tsv", "json"):
        with page.expect_download() as download:
            page.click(f"#export-{kind}")
        assert download.value.suggested_filename == f"cvekg-results.{kind}"
        files[kind] = Path(download.value.path()).read_text(encoding="utf-8")
    csv_lines = files["csv"].splitlines()
    assert csv_lines[0] == "city,cityLabel" and len(csv_lines) == 10
    assert "https://w3id.org/cvekg/id/city/lyon,Lyon" in csv_lines
    tsv_lines = files["tsv"].splitlines()
    assert tsv_lines[0] == "city\tcityLabel"
    assert "https://w3id.org/cvekg/id/city/lyon\tLyon" in tsv_lines
    rows = json.loads(files["json"])
    assert len(rows) == 9
    assert {"city": "https://w3id.org/cvekg/id/city/lyon", "cityLabel": "Lyon"} in rows
    _offline(page, served)


def test_tsv_download_escapes_tabs_and_line_breaks(page, served: str) -> None:
    _open(page, served, 'SELECT ?x WHERE { BIND("a\\tb\\nc" AS ?x) }')
    with page.expect_download() as download:
        page.click("#export-tsv")
    assert Path(download.value.path()).read_text().splitlines() == ["x", "a\\tb\\nc"]
    _offline(page, served)


def test_completion_inserts_a_term_and_its_prefix(page, served: str, artifacts: Path) -> None:
    _open(page, served)
    editor = page.locator("#query")
    editor.fill("")
    editor.press_sequentially("SELECT ?e WHERE { ?e a cvekg:CityPa")
    listbox = page.locator("#completions")
    expect(listbox).to_be_visible()
    assert editor.get_attribute("aria-expanded") == "true"
    first = listbox.locator("li").first
    assert first.locator(".name").text_content() == "cvekg:CityPairExchange"
    assert first.get_attribute("aria-selected") == "true"
    page.screenshot(path=str(artifacts / "query-completion-1400.png"))
    editor.press("Enter")
    expect(listbox).to_be_hidden()
    text = editor.input_value()
    assert text == (
        "PREFIX cvekg: <https://w3id.org/cvekg/ontology#>\n"
        "SELECT ?e WHERE { ?e a cvekg:CityPairExchange"
    )
    # The keyboard alone: a prefix from the list, then a term of it, by arrows and Tab.
    editor.press_sequentially(" ; ge")
    expect(listbox.locator("li .name").first).to_have_text("geo:")
    editor.press("Tab")
    expect(listbox.locator("li .name")).to_have_text(["geo:lat", "geo:long"])
    editor.press("ArrowDown")
    editor.press("Tab")
    editor.press_sequentially(" ?x }")
    text = editor.input_value()
    assert text.startswith(
        "PREFIX cvekg: <https://w3id.org/cvekg/ontology#>\n"
        "PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>\n"
    )
    assert text.endswith("cvekg:CityPairExchange ; geo:long ?x }")
    # Escape closes the list; Ctrl+Enter still runs the query.
    editor.press("Control+Space")
    expect(listbox).to_be_visible()
    editor.press("Escape")
    expect(listbox).to_be_hidden()
    editor.press("Control+Enter")
    expect(page.locator("#status")).to_have_text(re.compile(r"^0 rows in "))
    _offline(page, served)


def test_typing_a_known_prefix_adds_its_prefix_line(page, served: str) -> None:
    _open(page, served)
    editor = page.locator("#query")
    editor.fill("# Cities and their coordinates\n")
    editor.press("End")
    page.keyboard.press("Control+End")
    editor.press_sequentially("SELECT * WHERE { ?c geo:")
    assert editor.input_value() == (
        "# Cities and their coordinates\n"
        "PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>\n"
        "SELECT * WHERE { ?c geo:"
    )
    editor.press_sequentially("lat ?y . ?c geo:")  # declared once, not twice
    assert editor.input_value().count("PREFIX geo:") == 1
    _offline(page, served)
