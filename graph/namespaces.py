"""Namespaces, the IRIs of the build's named graphs, and the prefixes every query gets."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

__all__ = [
    "CVEKG",
    "ID",
    "CLAIM",
    "GRAPH",
    "ONTOLOGY_GRAPH",
    "PROVENANCE_GRAPH",
    "INFERRED_GRAPH",
    "REFERENCE_GRAPH",
    "OA",
    "SCHEMA",
    "ORG",
    "SEM",
    "GEO",
    "GSP",
    "VANN",
    "PREFIXES",
    "ENTITY_KINDS",
    "bind_prefixes",
    "compact",
    "sparql_prologue",
]

CVEKG = Namespace("https://w3id.org/cvekg/ontology#")
ID = Namespace("https://w3id.org/cvekg/id/")
CLAIM = Namespace("https://w3id.org/cvekg/claim/")
GRAPH = Namespace("https://w3id.org/cvekg/graph/")

ONTOLOGY_GRAPH = GRAPH["ontology"]
PROVENANCE_GRAPH = GRAPH["provenance"]
INFERRED_GRAPH = GRAPH["inferred"]
REFERENCE_GRAPH = Namespace(GRAPH["reference/"])

OA = Namespace("http://www.w3.org/ns/oa#")
SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
VANN = Namespace("http://purl.org/vocab/vann/")

#: The kinds of instance, each a path segment of the instance namespace and a prefix of its own
#: (``city:marseille`` is ``https://w3id.org/cvekg/id/city/marseille``).
ENTITY_KINDS = (
    "source",
    "person",
    "organization",
    "program",
    "event",
    "attack",
    "incident",
    "topic",
    "city",
    "country",
    "region",
    "venue",
    "district",
)

PREFIXES: dict[str, str] = {
    "cvekg": str(CVEKG),
    "id": str(ID),
    "claim": str(CLAIM),
    **{kind: f"{ID}{kind}/" for kind in ENTITY_KINDS},
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "schema": str(SCHEMA),
    "prov": str(PROV),
    "oa": str(OA),
    "org": str(ORG),
    "sem": str(SEM),
    "time": str(TIME),
    "geo": str(GEO),
    "gsp": str(GSP),
}


def bind_prefixes(graph) -> None:
    """Bind our prefixes on an rdflib graph or dataset, so serialisations read well."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)


def sparql_prologue() -> str:
    """The PREFIX lines pre-bound in every query (a query may redeclare any of them)."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def compact(iri: str) -> str:
    """An IRI written with the pre-bound prefix of its longest namespace, else ``<iri>``.

    >>> compact("https://w3id.org/cvekg/id/city/new-orleans")
    'city:new-orleans'
    >>> compact("https://example.org/x")
    '<https://example.org/x>'
    """
    best = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(PREFIXES.get(best, "")):
            local = iri[len(namespace) :]
            if local and all(c.isalnum() or c in "-_." for c in local):
                best = prefix
    if best:
        return f"{best}:{iri[len(PREFIXES[best]) :]}"
    return f"<{iri}>"
