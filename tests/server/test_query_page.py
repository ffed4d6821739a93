"""The query page in Chromium: examples, results with entity links, errors, the graph button;
nothing leaves the machine and nothing from the graph is parsed as HTML."""

from __future__ import annotations

import re
from pathlib import Path

from graph.query.named import list_queries
from graph.query.sparql import execute


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def _open(page, served: str) -> None:
    """Load the page and wait for the first example's answer, so later runs are ours."""
    page.goto(served)
    expect(page.locator("#status")).to_contain_text(" in ")


def _run(page, query: str, status: str) -> None:
    page.locator("#query").fill(query)
    page.locator("#query").press("Control+Enter")
    expect(page.locator("#status")).to_have_text(re.compile("^" + re.escape(status)))


def _offline(page, served: str) -> None:
    outside = [url for url in page.requests if not url.startswith(served)]
    assert outside == [], f"requests left the server: {outside}"
    assert page.problems == []


def test_run_an_example_and_see_rows(page, served: str, store, artifacts: Path) -> None:
    example = next(q for q in list_queries() if q.slug == "city-pairs")
    expected = execute(store, example.text)
    _open(page, served)
    page.locator(f'button.example[data-name="{example.name}"]').click()
    expect(page.locator("#question")).to_contain_text(example.question)
    expect(page.locator("#status")).to_have_text(re.compile(rf"^{len(expected.rows)} rows in "))
    rows = page.locator("#results tbody tr")
    assert rows.count() == len(expected.rows)
    assert page.locator("#question").text_content().startswith(example.question)
    headers = page.locator("#results thead th").all_text_contents()
    # ?frenchCity and ?frenchCityLabel show as one column: the label, linked to the city.
    assert headers == [v for v in expected.variables if v[:-5] not in expected.variables]
    assert headers[:2] == ["frenchCity", "usCity"]
    first = rows.first.locator("td").all_text_contents()
    assert first[:2] == ["Marseille", "Orlando"]
    assert rows.first.locator("td a").first.get_attribute("href") == "/entity/city/marseille"
    assert page.locator("#status").text_content().startswith(f"{len(expected.rows)} rows in")
    assert page.locator("#highlight-code .tok-keyword").first.text_content() == "SELECT"
    page.screenshot(path=str(artifacts / "query-page.png"))
    _offline(page, served)


def test_entity_links_open_entity_pages(page, served: str) -> None:
    _open(page, served)
    _run(page, "SELECT ?city WHERE { ?city a cvekg:FrenchCity } ORDER BY ?city", "9 rows")
    link = page.locator('#results a[href="/entity/city/lyon"]')
    assert link.text_content() == "Lyon"
    page.locator("#show-iris").check()
    assert link.text_content() == "city:lyon"
    link.click()
    page.wait_for_url(served + "entity/city/lyon")
    assert page.locator("h1").last.text_content() == "Lyon"
    assert page.locator(".claim mark").first.text_content().startswith("During a City Pair")
    _offline(page, served)


def test_syntax_error_is_shown_with_its_place(page, served: str) -> None:
    _open(page, served)
    _run(page, "SELECT ?x WHERE {\n  ?x a cvek:City }", "error")
    error = page.locator("#error")
    assert error.text_content().startswith("SPARQL syntax error at line 2, column 8")
    assert page.locator("#status").text_content() == "error 400"
    page.problems[:] = [p for p in page.problems if "400" not in p]  # the failed fetch itself
    _offline(page, served)


def test_values_are_text_never_markup(page, served: str) -> None:
    _open(page, served)
    payload = "<img src=x onerror=document.title='pwned'><b>bold</b>"
    _run(page, f'SELECT ?x WHERE {{ BIND("{payload}" AS ?x) }}', "1 row in")
    cell = page.locator("#results tbody td").first
    assert cell.text_content() == payload
    assert page.locator("#results img, #results b").count() == 0
    assert page.title() != "pwned"
    _offline(page, served)


def test_construct_opens_as_a_graph(page, served: str, artifacts: Path) -> None:
    _open(page, served)
    _run(
        page,
        "CONSTRUCT { ?a cvekg:place ?c } WHERE { ?a a cvekg:Attack ; cvekg:place ?c }",
        "4 triples",
    )
    assert page.locator("#results tbody tr").count() == 4
    assert page.locator("#graph").is_enabled()
    with page.context.expect_page() as opened:
        page.locator("#graph").click()
    view = opened.value
    view.wait_for_load_state()
    view.wait_for_timeout(500)  # let its scripts draw
    assert view.url.startswith(served + "view?query=CONSTRUCT")  # an address to bookmark
    assert "Orlando" in view.content()
    view.screenshot(path=str(artifacts / "query-graph-view.png"))
    view.reload()
    view.wait_for_load_state()
    assert "Orlando" in view.content()
    _offline(page, served)


def test_open_as_graph_can_be_bookmarked_and_leads_back_to_its_query(page, served: str) -> None:
    """Issue 13: "Open as graph" opened a POSTed /view, which could not be bookmarked or
    shared and had no way back to its query."""
    query = "CONSTRUCT { ?a cvekg:place ?c } WHERE { ?a a cvekg:Attack ; cvekg:place ?c }"
    _open(page, served)
    _run(page, query, "4 triples")
    with page.context.expect_page() as opened:
        page.locator("#graph").click()
    view = opened.value
    view.wait_for_selector("body[data-ready=true]")
    back = view.locator("nav.views a", has_text="Query")
    assert back.count() == 1
    back.click()
    view.wait_for_load_state()
    expect(view.locator("#query")).to_have_value(query)


def test_results_sort_filter_page_and_download_csv_with_labels(
    page, served: str, artifacts: Path
) -> None:
    _open(page, served)
    _run(page, "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 700", "700 rows")
    rows = page.locator("#results tbody tr")
    assert rows.count() == 200  # a page at a time
    expect(page.locator("#page-info")).to_have_text("rows 1–200 of 700")
    page.click("#next")
    expect(page.locator("#page-info")).to_have_text("rows 201–400 of 700")
    _run(page, "SELECT ?city WHERE { ?city a cvekg:FrenchCity }", "9 rows")
    header = page.locator("#results thead th").first
    header.click()
    assert header.get_attribute("aria-sort") == "ascending"
    names = page.locator("#results tbody td").all_text_contents()
    assert names == sorted(names) and names[0] == "Bordeaux"
    header.press("Enter")
    assert header.get_attribute("aria-sort") == "descending"
    assert page.locator("#results tbody td").first.text_content() == "Toulouse"
    page.fill("#filter", "lyo")
    assert page.locator("#results tbody td").all_text_contents() == ["Lyon"]
    expect(page.locator("#page-info")).to_have_text("rows 1–1 of 1 (filtered from 9)")
    link = page.locator('#results a[href="/entity/city/lyon"]')
    assert link.text_content() == "Lyon"  # an entity cell links to its page
    page.screenshot(path=str(artifacts / "query-page-table.png"))
    page.fill("#filter", "")
    with page.expect_download() as download:
        page.click("#export-csv")
    text = Path(download.value.path()).read_text()
    lines = text.splitlines()
    assert lines[0] == "city,cityLabel" and len(lines) == 10
    assert "https://w3id.org/cvekg/id/city/lyon,Lyon" in lines
    _offline(page, served)
