"""The page of any query's triples (graph/views/query.py), in Chromium."""

from __future__ import annotations

ID = "https://w3id.org/cvekg/id/"


def test_view_of_everything_draws_one_link_per_stated_relation(
    open_page, store, tmp_path, artifacts
):
    """`cvekg view` of ?s ?p ?o drew each relation again under every super-property and
    inverse the build inferred (labels over each other) and made hubs of time:unitMonth; the
    link drawn says what it also implies, in the tooltip and the panel, in both languages."""
    from graph.views import write_query_view

    page = write_query_view(
        store, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "Everything", tmp_path / "all.html"
    )
    visit = open_page(page)
    exchange, host = (
        visit.node_id(f"{ID}event/city-pair-lyon-2017"),
        visit.node_id(f"{ID}city/new-orleans"),
    )
    assert visit.node_id("http://www.w3.org/2006/time#unitMonth") == -1
    between = visit.page.evaluate(
        """([a, b]) => window.cvekg.data.edges.filter(e =>
             (e.from === a && e.to === b) || (e.from === b && e.to === a))
           .map(e => window.cvekg.edges.get(e.id).title)""",
        [exchange, host],
    )
    assert len(between) == 2, between
    title = " ".join(next(t for t in between if "host city" in t.split("\n")[0]).split())
    assert "Also implies: partner city, participant" in title
    assert "the other way: hosted exchange, partner in" in title
    visit.click_node(f"{ID}event/city-pair-lyon-2017")
    panel = visit.page.locator("#panel")
    assert "Also implies, the other way: result of" in panel.inner_text()
    assert "Also implies: partner city" in panel.inner_text()
    visit.page.select_option("#lang", "fr")
    assert "Implique aussi : ville partenaire" in panel.inner_text()
    visit.finish(artifacts, "view-query-everything")


def test_regression_a_link_the_query_made_up_was_shown_as_inferred_by_the_build(
    open_page, store, tmp_path, artifacts
):
    """A CONSTRUCT's own triple (Lyon located in Boston, in no graph of the build) and the
    ontology's axioms were shown as "Inferred by the build (inferred by the build)"; the
    tooltip and the panel now say where each link is from, and the page what dashes mean."""
    from graph.views import write_query_view

    lyon, boston = f"{ID}city/lyon", f"{ID}city/boston"
    query = (
        f"CONSTRUCT {{ <{lyon}> cvekg:locatedIn <{boston}> . ?p cvekg:gavePresentation ?e }} "
        "WHERE { GRAPH <https://w3id.org/cvekg/graph/inferred> "
        "{ ?p cvekg:gavePresentation ?e } }"
    )
    visit = open_page(write_query_view(store, query, "Made up", tmp_path / "made-up.html"))
    page = visit.page
    titles = page.evaluate(
        """() => window.cvekg.data.edges.map(e => window.cvekg.edges.get(e.id).title)"""
    )
    made = [t for t in titles if "located in" in t.split("\n")[0]]
    assert len(made) == 1 and "Made by the query: in no graph of the build" in made[0], made
    assert "Inferred" not in made[0]
    inferred = [t for t in titles if "gave presentation" in t.split("\n")[0]]
    assert inferred and all("Inferred by the build (inverse of presenter)" in t for t in inferred)
    assert not any("(inferred by the build)" in t for t in titles)
    assert "made by the query" in page.locator("body").inner_text()
    visit.click_node(lyon)
    panel = page.locator("#panel")
    assert "Made by the query: in no graph of the build" in panel.inner_text()
    page.select_option("#lang", "fr")
    assert "Produit par la requête : dans aucun graphe de la construction" in panel.inner_text()
    assert "produits par la requête" in page.locator("body").inner_text()
    visit.finish(artifacts, "view-query-made-up-link")
