"""``views/ontology.html``: every term of ``ontology/cvekg.ttl`` with both labels, its
alignments and how much of the graph uses it, each at its own anchor, offline."""

from __future__ import annotations

import html as html_text
import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from graph.namespaces import CVEKG, ONTOLOGY_GRAPH
from graph.resources import ontology_file

KINDS = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
         OWL.NamedIndividual}  # fmt: skip


@pytest.fixture(scope="module")
def views(built_dir: Path) -> Path:
    return built_dir / "views"


@pytest.fixture(scope="module")
def turtle() -> Graph:
    return Graph().parse(ontology_file())


def _terms(turtle: Graph) -> dict[str, URIRef]:
    """Our terms (defined by the ontology, in its namespace), by local name."""
    return {
        str(s).removeprefix(str(CVEKG)): s
        for s in set(turtle.subjects(RDFS.isDefinedBy, None))
        if str(s).startswith(str(CVEKG)) and set(turtle.objects(s, RDF.type)) & KINDS
    }


def _label(turtle: Graph, term: URIRef, lang: str) -> str:
    return next(str(o) for o in turtle.objects(term, RDFS.label) if o.language == lang)


def test_every_term_appears_at_its_anchor_with_both_labels_and_its_definition(
    views, turtle, opened
):
    terms = _terms(turtle)
    assert len(terms) > 150 and "City" in terms and "hostCity" in terms
    visit = opened(views / "ontology.html")
    shown = visit.page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll("article.term")].map(a => [
             a.id, [a.querySelector(".label-en").textContent,
                    (a.querySelector(".label-fr") || {}).textContent || "",
                    (a.querySelector(".definition") || {}).textContent || ""]]))"""
    )
    assert set(shown) == set(terms)
    for name, term in terms.items():
        definition = str(turtle.value(term, SKOS.definition) or "")
        assert shown[name] == [_label(turtle, term, "en"), _label(turtle, term, "fr"),
                               definition], name  # fmt: skip


def test_counts_match_a_sparql_count_of_the_graph(views, store, turtle):
    page = (views / "ontology.html").read_text()
    counts = {
        name: int(n)
        for name, n in re.findall(
            r'<article class="term" id="([^"]+)".*?data-count="(\d+)"', page, re.S
        )
    }
    outside = f"FILTER (?g != <{ONTOLOGY_GRAPH}>)"
    for name, term in _terms(turtle).items():
        kinds = set(turtle.objects(term, RDF.type))
        if OWL.NamedIndividual in kinds:
            assert name not in counts, name
            continue
        if OWL.Class in kinds:
            query = (
                f"SELECT (COUNT(DISTINCT ?s) AS ?n) {{ GRAPH ?g {{ ?s a <{term}> }} {outside} }}"
            )
        else:
            query = (
                "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?o "
                f"{{ GRAPH ?g {{ ?s <{term}> ?o }} {outside} }} }}"
            )
        expected = int(next(iter(store.query(query)))["n"].value)
        assert counts[name] == expected, name
    assert counts["FrenchCity"] == 9  # inferred, never asserted: the build's reasoning counts
    assert counts["hostCity"] > 0


def test_alignments_inverses_domains_and_ranges_are_shown(views, opened):
    visit = opened((views / "ontology.html").as_uri() + "#hostCity")
    page = visit.page
    assert page.evaluate("document.querySelector(':target').id") == "hostCity"
    top = page.locator("#hostCity").bounding_box()["y"]
    assert 0 <= top < 100  # the address opens at the term
    text = page.locator("#hostCity").inner_text()
    for words in ("host city", "ville hôte", "Subproperty of", "cvekg:partnerCity",
                  "Domain", "cvekg:Exchange", "Range", "cvekg:City",
                  "Inverse of", "cvekg:hostedExchange"):  # fmt: skip
        assert words in text, words
    assert page.locator('#hostCity a[href="#hostedExchange"]').count() == 1
    city = page.locator("#City").inner_text()
    assert "Subclass of · Sous-classe de\ncvekg:Agent, cvekg:Place, schema:City" in city
    french = page.locator("#FrenchCity").inner_text()
    assert "Equivalent to" in french
    assert "cvekg:City and (cvekg:locatedIn value country:france)" in french
    assert "cvekg:readFromContext" in page.locator("#Support").inner_text()


def test_index_links_to_the_ontology_which_loads_nothing_and_runs_no_script(views, opened):
    index = (views / "index.html").read_text()
    assert 'href="ontology.html"' in index
    page = (views / "ontology.html").read_text()
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    policy = html_text.unescape(policy.group(1))
    assert "default-src 'none'" in policy and "script-src 'none'" in policy
    assert "<script" not in page
    visit = opened(views / "index.html").ready()
    visit.page.click('a[href="ontology.html"]')
    visit.page.wait_for_url("**/ontology.html")
    assert visit.page.locator("h1").inner_text().startswith("cvekg")
    # Another vocabulary's term is named, not linked: the page works offline.
    assert visit.page.locator('a[href^="http"]').count() == 0


def test_ontology_page_of_a_store_holds_the_store_ontology(trig_store, tmp_path):
    from graph.views.ontology import read_ontology, write_ontology_page

    store = trig_store("network.trig")
    ontology = read_ontology(store)
    classes = {t.anchor: t for t in ontology.terms[str(OWL.Class)]}
    assert classes["City"].label_fr == "Ville"
    assert ontology.title_fr.startswith("cvekg : ")
    path = write_ontology_page(store, tmp_path)
    assert path.name == "ontology.html" and 'id="City"' in path.read_text()
