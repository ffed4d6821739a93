"""The curated sources: labels fix the text's OCR slips, quotes keep them."""

from __future__ import annotations

from rdflib import Literal
from rdflib.namespace import RDFS

from graph.build.result import BuildResult
from graph.namespaces import CVEKG, PROVENANCE_GRAPH


def test_labels_fix_ocr_slips_but_quotes_keep_them(built: BuildResult) -> None:
    labels = [str(o) for _, _, o, _ in built.dataset.quads((None, RDFS.label, None, None))]
    assert "International Visitor Leadership Program" in labels
    assert not [label for label in labels if "Nisitor" in label or "ISISinspired" in label]
    quotes = {str(q) for q in built.dataset.graph(PROVENANCE_GRAPH).objects(None, CVEKG.quote)}
    assert any("Nisitor" in q for q in quotes)
    assert any("ISISinspired" in q for q in quotes)


def test_every_entity_has_english_and_french_labels(built: BuildResult) -> None:
    from rdflib.namespace import RDF

    from graph.namespaces import ID

    for entity, _, _, _ in built.dataset.quads((None, RDF.type, None, None)):
        if not str(entity).startswith(str(ID)) or "/source/" in str(entity):
            continue
        languages = {
            o.language
            for _, _, o, _ in built.dataset.quads((entity, RDFS.label, None, None))
            if isinstance(o, Literal)
        }
        assert {"en", "fr"} <= languages, entity


def test_every_claim_says_whether_it_is_stated_or_read_from_context() -> None:
    """Beside its quote, each claim says how it stands to it; a claim read from context says
    what was read, and why, in an editorial note."""
    from rdflib import Dataset, URIRef
    from rdflib.namespace import SKOS

    from graph.resources import sources_dir

    stated, read = CVEKG.stated, CVEKG.readFromContext
    for trig in sorted(sources_dir().glob("*.trig")):
        dataset = Dataset()
        dataset.parse(trig, format="trig")
        default = dataset.default_graph
        claims = {g.identifier for g in dataset.graphs() if isinstance(g.identifier, URIRef)}
        claims -= {default.identifier}
        assert claims, trig
        for claim in claims:
            support = set(default.objects(claim, CVEKG.support))
            assert len(support) == 1 and support <= {stated, read}, (claim, support)
            if support == {read}:
                assert list(default.objects(claim, SKOS.editorialNote)), claim
