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
