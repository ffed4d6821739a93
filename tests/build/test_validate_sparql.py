"""The shapes compiled to SPARQL report exactly what pyshacl reports, fault for fault."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph

from graph.build.load import parse_rdf_file
from graph.build.validate import Labeller, compile_shapes, shacl_problems, shacl_problems_in_store
from graph.rdf import XSD, protect_literals, restore_protected
from graph.resources import shapes_file

# One fault or more for each kind of constraint the shapes use.
FAULTY = """
@prefix cvekg: <https://w3id.org/cvekg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix x: <http://example.org/> .

x:lyon a cvekg:City , cvekg:Place , cvekg:Agent ; rdfs:label "Lyon"@en , "Lyons"@en ;
    geo:lat "100"^^xsd:decimal , "abc" ; cvekg:locatedIn x:fr , x:us .
x:fr a cvekg:Country , cvekg:Place ; rdfs:label "France"@en , "France"@fr ;
    cvekg:locatedIn x:us ; geo:long "-200.5"^^xsd:decimal .
x:us a cvekg:Country , cvekg:Place ; rdfs:label "US"@en , "États-Unis"@fr .
x:trip a cvekg:CityPairExchange , cvekg:Exchange , cvekg:Event ; rdfs:label "Trip"@en ;
    cvekg:delegationFrom x:lyon , x:fr ; cvekg:program x:other ;
    cvekg:date "2010"^^xsd:gYear , "soon" ; cvekg:datePrecision time:unitWeek ;
    cvekg:place "somewhere" .
x:hit a cvekg:Attack , cvekg:Incident , cvekg:Event ; rdfs:label "Hit"@en , "Coup"@fr ;
    cvekg:victimsKilled "two" , "3"^^xsd:nonNegativeInteger , "-4"^^xsd:integer ;
    cvekg:attributedTo x:lyon ; cvekg:targetType x:us .
x:ann a cvekg:Person , cvekg:Agent ; rdfs:label "Ann"@en , "Ann"@fr ;
    cvekg:affiliation x:us ; cvekg:mayorOf x:lyon , x:fr .
x:talk a cvekg:Presentation , cvekg:Event ; rdfs:label "Talk"@en , "Exposé"@fr ;
    cvekg:subEventOf x:trip , x:hit .
x:deal a cvekg:Agreement , cvekg:Event ; rdfs:label "Deal"@en , "Accord"@fr ;
    cvekg:signatory x:ann .
x:claim a cvekg:Claim ; cvekg:quote "one" , "two" ; cvekg:source x:nowhere .
"""


def _store(data: str) -> tuple[ox.Store, list[str]]:
    """The data in an Oxigraph store as the build loads it, and its typed literals."""
    text, marked = protect_literals(data, {"xsd": XSD})
    store = ox.Store()
    store.load(text, ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("http://example.org/g"))
    return store, restore_protected(store, marked)


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return parse_rdf_file(shapes_file(), "turtle")


def test_the_shapes_compile(shapes: Graph) -> None:
    assert compile_shapes(shapes), "a shape uses SHACL beyond the compiler: pyshacl would run"


def test_same_violations_as_pyshacl(shapes: Graph) -> None:
    data = Graph().parse(data=FAULTY, format="turtle")
    label = Labeller(data)
    expected = shacl_problems(data, shapes, label)
    store, typed = _store(FAULTY)
    found = shacl_problems_in_store(store, shapes, label, typed)
    assert len(expected) > 20  # the faults above are all found…
    assert found == expected  # …and reported in the same words


def test_a_clean_graph_has_no_violation(shapes: Graph) -> None:
    clean = FAULTY.split("x:lyon a")[0] + (
        'x:fr a cvekg:Country , cvekg:Place ; rdfs:label "France"@en , "France"@fr .\n'
    )
    store, typed = _store(clean)
    assert shacl_problems_in_store(store, shapes, Labeller(), typed) == []


def test_nonnegative_integer_stored_as_integer_still_conforms(shapes: Graph) -> None:
    """Oxigraph stores "3"^^xsd:nonNegativeInteger as xsd:integer; the typed lines say what
    the source wrote, so sh:datatype xsd:nonNegativeInteger still holds."""
    data = FAULTY.split("x:lyon a")[0] + (
        'x:us a cvekg:Country , cvekg:Place ; rdfs:label "US"@en , "États-Unis"@fr .\n'
        'x:hit a cvekg:Attack , cvekg:Incident , cvekg:Event ; rdfs:label "Hit"@en , "Coup"@fr ;'
        ' cvekg:place x:us ; cvekg:victimsKilled "3"^^xsd:nonNegativeInteger .\n'
    )
    store, typed = _store(data)
    assert len(typed) == 1 and "nonNegativeInteger" in typed[0]
    assert shacl_problems_in_store(store, shapes, Labeller(), typed) == []
    problems = shacl_problems_in_store(store, shapes, Labeller())
    assert any("cvekg:victimsKilled" in p for p in problems)  # without them: an xsd:integer


def test_warnings_are_reported_apart_and_never_as_violations(shapes: Graph) -> None:
    """A shape of severity sh:Warning (what a source usually states, such as an exchange's
    host) is never a violation; asked for, it is found the same way pyshacl finds it."""
    from rdflib.namespace import SH

    data = Graph().parse(data=FAULTY, format="turtle")
    label = Labeller(data)
    store, typed = _store(FAULTY)
    violations = shacl_problems_in_store(store, shapes, label, typed)
    warnings = shacl_problems_in_store(store, shapes, label, typed, severity=SH.Warning)
    host = "Trip (<http://example.org/trip>) cvekg:hostCity: the source does not say which city"
    assert any(w.startswith(host) for w in warnings)
    assert not any(v.startswith(host) for v in violations)
    assert warnings == shacl_problems(data, shapes, label, severity=SH.Warning)
