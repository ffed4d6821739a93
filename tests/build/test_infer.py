"""Targeted inference: defined classes, inverses, sub-properties, transitive location."""

from __future__ import annotations

from rdflib import Graph, Namespace
from rdflib.namespace import RDF

from graph.build.infer import infer
from graph.build.result import BuildResult
from graph.namespaces import CVEKG, INFERRED_GRAPH, PREFIXES

CITY = Namespace(PREFIXES["city"])
EVENT = Namespace(PREFIXES["event"])


def _instances(built: BuildResult, cls) -> set[str]:
    inferred = built.dataset.graph(INFERRED_GRAPH)
    return {str(s).rsplit("/", 1)[-1] for s in inferred.subjects(RDF.type, cls)}


def test_french_cities_are_inferred(built: BuildResult) -> None:
    assert _instances(built, CVEKG.FrenchCity) == {
        "bordeaux",
        "lyon",
        "marseille",
        "montreuil",
        "nice",
        "paris",
        "sarcelles",
        "strasbourg",
        "toulouse",
    }


def test_us_cities_are_inferred_through_regions(built: BuildResult) -> None:
    # Clarkston is in Georgia, and only Georgia is in the United States.
    assert _instances(built, CVEKG.USCity) == {
        "atlanta",
        "boston",
        "chicago",
        "clarkston",
        "los-angeles",
        "new-orleans",
        "new-york",
        "orlando",
        "san-bernardino",
        "tampa",
    }
    assert "vilvoorde" not in _instances(built, CVEKG.FrenchCity) | _instances(built, CVEKG.USCity)


def test_inverse_and_super_property(built: BuildResult) -> None:
    inferred = built.dataset.graph(INFERRED_GRAPH)
    assert (CITY.lyon, CVEKG.sentDelegation, EVENT["city-pair-lyon-2017"]) in inferred
    assert (EVENT["city-pair-lyon-2017"], CVEKG.partnerCity, CITY["new-orleans"]) in inferred
    assert (CITY["new-orleans"], CVEKG.partnerIn, EVENT["city-pair-lyon-2017"]) in inferred


def test_inferred_graph_never_repeats_an_asserted_triple(built: BuildResult) -> None:
    inferred = set(built.dataset.graph(INFERRED_GRAPH))
    for ctx in built.dataset.graphs():
        if ctx.identifier != INFERRED_GRAPH:
            assert not inferred & set(ctx), ctx.identifier


def test_rules_on_a_small_ontology() -> None:
    ex = Namespace("http://example.org/")
    ontology = Graph().parse(
        data="""
        @prefix ex: <http://example.org/> .
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        ex:in a owl:TransitiveProperty ; owl:inverseOf ex:contains .
        ex:Local owl:equivalentClass [ owl:intersectionOf ( ex:Town
            [ a owl:Restriction ; owl:onProperty ex:in ; owl:hasValue ex:land ] ) ] .
        """,
        format="turtle",
    )
    facts = [
        (ex.village, RDF.type, ex.Town),
        (ex.village, ex["in"], ex.county),
        (ex.county, ex["in"], ex.land),
    ]
    new = infer(ontology, facts)
    assert (ex.village, ex["in"], ex.land) in new
    assert (ex.land, ex.contains, ex.village) in new
    assert (ex.village, RDF.type, ex.Local) in new
    assert (ex.county, RDF.type, ex.Local) not in new  # not a town


def test_provenance_gets_what_the_rules_imply(store) -> None:
    """Claims and documents are prov:Entity (Claim, SourceDocument ⊑ prov:Entity), and a
    document lists the claims it supports (claimSupported, the inverse of source)."""
    from graph.query.sparql import select

    rows = select(
        store,
        f"""SELECT ?claim ?document WHERE {{
              GRAPH <{INFERRED_GRAPH}> {{
                ?claim a prov:Entity . ?document cvekg:claimSupported ?claim
              }}
              ?claim a cvekg:Claim ; cvekg:source ?document .
            }}""",
    )
    assert len({row["claim"] for row in rows}) == 73
    [document] = {row["document"] for row in rows}
    types = select(store, f"SELECT ?t WHERE {{ GRAPH <{INFERRED_GRAPH}> {{ <{document}> a ?t }} }}")
    assert {row["t"] for row in types} == {
        "http://www.w3.org/ns/prov#Entity",
        "https://schema.org/CreativeWork",
    }


def test_provenance_rules_follow_the_ontology() -> None:
    """What the rules add to a claim's provenance comes from the ontology, values and all:
    one line per editorial note, none for the prefix of a quote that occurs once."""
    from pathlib import Path

    from rdflib import URIRef

    from graph.build.anchor import Anchor
    from graph.build.infer import Rules
    from graph.build.load import Claim
    from graph.build.provenance import ProvenanceInference as _ProvenanceInference

    ontology = Graph().parse(
        data="""
        @prefix cvekg: <https://w3id.org/cvekg/ontology#> .
        @prefix oa: <http://www.w3.org/ns/oa#> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix ex: <http://example.org/> .
        cvekg:Claim rdfs:subClassOf ex:Statement . ex:Statement rdfs:subClassOf ex:Thing .
        skos:editorialNote rdfs:subPropertyOf rdfs:comment .
        oa:prefix rdfs:subPropertyOf ex:context .
        oa:hasBody owl:inverseOf ex:bodyOf .
        """,
        format="turtle",
    )
    claim = Claim(URIRef("http://c/1"), 1, "a quote", None, ["one", 'two "2"'], Path("x.trig"))
    anchor = Anchor(5, 12, "a quote", "It is a quote.", "It is ", ".", unique=True)
    lines = _ProvenanceInference(Rules(ontology)).claim("http://d", claim, anchor)
    assert sorted(lines.splitlines()) == [
        "<http://c/1> <http://example.org/bodyOf> <http://c/1#annotation> .",
        f"<http://c/1> <{RDF.type}> <http://example.org/Statement> .",
        f"<http://c/1> <{RDF.type}> <http://example.org/Thing> .",
        '<http://c/1> <http://www.w3.org/2000/01/rdf-schema#comment> "one" .',
        '<http://c/1> <http://www.w3.org/2000/01/rdf-schema#comment> "two \\"2\\"" .',
    ]
    twice = Anchor(5, 12, "a quote", "It is a quote.", "It is ", ".", unique=False)
    lines = _ProvenanceInference(Rules(ontology)).claim("http://d", claim, twice)
    assert '<http://c/1#quote> <http://example.org/context> "It is " .' in lines.splitlines()
