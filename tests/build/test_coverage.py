"""Provenance coverage of reference data is counted triple by triple (graph.build.coverage)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF

from graph.build.coverage import MAX_LISTED, Coverage, provenance_coverage
from graph.build.load import load_corpus
from graph.build.validate import Labeller
from graph.errors import BuildError, display_path
from graph.namespaces import CVEKG
from graph.pipeline import build
from graph.resources import ontology_file, shapes_file, sources_dir

PLACES = "https://w3id.org/cvekg/graph/reference/places"


def _fails(sources: Path, out: Path) -> BuildError:
    with pytest.raises(BuildError) as caught:
        build(sources=sources, out=out, shapes=shapes_file(), views=False)
    assert not out.exists()  # nothing written
    return caught.value


def _coverage(sources: Path) -> Coverage:
    corpus = load_corpus(ontology_file(), sources)
    anchored = {c.iri for d in corpus.documents for c in d.claims}
    return provenance_coverage(corpus, anchored, Labeller(corpus.ontology, store=corpus.store))


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_shipped_reference_data_is_covered_triple_by_triple() -> None:
    cov = _coverage(sources_dir())
    assert cov.uncovered == []
    assert cov.reference_total > 0 and cov.reference_covered == cov.reference_total
    # Every place triple of places.ttl (all but the dataset's and its value sources'
    # description) is counted, and each is covered by at least one value source.
    graph = Graph().parse(sources_dir() / "places.ttl")
    described = {URIRef(PLACES), *graph.objects(URIRef(PLACES), CVEKG.valueSource)}
    facts = [t for t in graph if t[0] not in described]
    assert cov.reference_total == len(facts)
    assert sum(s.triples for s in cov.sources) >= len(facts)
    kinds = {s.kind for s in cov.sources}
    assert kinds == {"gazetteer", "encyclopedia", "curators"}
    # Every value source names where to check it or what it is.
    for source in described - {URIRef(PLACES)}:
        assert graph.value(source, RDF.type) == CVEKG.ValueSource
        assert graph.value(source, DCTERMS.source) or graph.value(source, DCTERMS.description)


def test_a_planted_unsourced_reference_triple_fails_the_build_naming_it(
    sources_copy: Path, tmp_path: Path
) -> None:
    """A property no value source names: the build fails and lists file, subject, predicate."""
    _append(sources_copy / "places.ttl", '\ncity:lyon rdfs:comment "the capital of Gaul"@en .\n')
    error = _fails(sources_copy, tmp_path / "out")
    lines = [p for p in error.problems if p.startswith("provenance: ")]
    assert lines == [
        f"provenance: {display_path(sources_copy / 'places.ttl')}: Lyon (city:lyon) "
        "rdfs:comment: no value source covers this predicate for this subject, so 1 triple "
        "is unsourced"
    ]
    assert re.search(r"provenance coverage 99\.\d%", error.summary)


def test_a_covered_property_for_an_uncovered_subject_is_unsourced(sources_copy: Path) -> None:
    """GeoNames covers the coordinates of the cities it lists, not of a city it does not."""
    _append(
        sources_copy / "places.ttl",
        '\ncity:lyon-bis a cvekg:City ; rdfs:label "Lyon bis"@en , "Lyon bis"@fr ;\n'
        '    geo:lat "45.76"^^xsd:decimal .\n',
    )
    cov = _coverage(sources_copy)
    assert len(cov.uncovered) == 1
    assert "city:lyon-bis) geo:lat: no value source covers" in cov.uncovered[0]
    assert cov.reference_total - cov.reference_covered == 1  # the type and labels are covered


def test_a_value_source_for_a_class_covers_its_members(sources_copy: Path) -> None:
    _append(
        sources_copy / "places.ttl",
        f"\n<{PLACES}> cvekg:valueSource vs:comments .\n"
        "vs:comments a cvekg:ValueSource ; cvekg:forProperty rdfs:comment ;\n"
        '    cvekg:forClass cvekg:Country ; dcterms:description "test"@en .\n'
        'country:france rdfs:comment "covered"@en .\n'
        'city:lyon rdfs:comment "not covered: Lyon is no country"@en .\n',
    )
    cov = _coverage(sources_copy)
    assert [p.split(": ", 1)[1] for p in cov.uncovered] == [
        "Lyon (city:lyon) rdfs:comment: no value source covers this predicate for this "
        "subject, so 1 triple is unsourced"
    ]
    [comments] = [s for s in cov.sources if s.iri.endswith("#comments")]
    assert comments.triples == 1 and comments.properties == ["rdfs:comment"]


def test_a_value_source_that_says_nothing_covers_nothing(sources_copy: Path) -> None:
    _append(
        sources_copy / "places.ttl",
        f"\n<{PLACES}> cvekg:valueSource vs:vague .\n"
        "vs:vague a cvekg:ValueSource ; cvekg:forProperty rdfs:comment .\n"
        'city:lyon rdfs:comment "x"@en .\n',
    )
    cov = _coverage(sources_copy)
    assert any("vs:vague" in p or "#vague" in p for p in cov.uncovered)
    assert any("city:lyon) rdfs:comment: no value source covers" in p for p in cov.uncovered)


def test_a_file_declaring_no_source_at_all_fails_as_before(
    sources_copy: Path, tmp_path: Path
) -> None:
    path = sources_copy / "places.ttl"
    text = path.read_text(encoding="utf-8")
    # Keep the header and the places; the dataset declares no source, no value source.
    dataset = f"<{PLACES}> a cvekg:ReferenceDataset ;"
    head, places = text[: text.index(dataset)], text[text.index("\ncountry:france") :]
    text = head + f'<{PLACES}> a cvekg:ReferenceDataset ; dcterms:title "Places"@en .\n' + places
    path.write_text(text, encoding="utf-8")
    graph = Graph().parse(path)
    assert not set(graph.triples((None, CVEKG.valueSource, None)))
    assert not set(graph.triples((None, DCTERMS.source, None)))
    error = _fails(sources_copy, tmp_path / "out")
    lines = [p for p in error.problems if "places.ttl" in p]
    assert len(lines) == 1
    assert "reference data declares no source" in lines[0]
    assert re.search(r"so its \d+ triples are unsourced$", lines[0])


def test_many_uncovered_pairs_are_listed_up_to_a_limit(sources_copy: Path) -> None:
    extra = "".join(f'city:lyon cvekg:test{i} "x" .\n' for i in range(MAX_LISTED + 5))
    _append(sources_copy / "places.ttl", "\n" + extra)
    cov = _coverage(sources_copy)
    assert len(cov.uncovered) == MAX_LISTED + 1
    assert cov.uncovered[-1].endswith(
        "… and 5 more subject-predicate pairs (5 triples) that no value source covers"
    )
