"""Namespaces, the IRIs of the build's named graphs, and the prefixes every query gets.

The IRIs are plain strings here (:data:`PREFIXES`, :data:`GRAPH_NS`,
:data:`ONTOLOGY_GRAPH_IRI`…): that is all a command reading a build needs. The rdflib
namespaces and terms the build stages use (:data:`CVEKG`, :data:`ONTOLOGY_GRAPH`…) are made
on first use, so that ``cvekg query`` never imports rdflib (some 70–100 ms of its start).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rdflib import Namespace, URIRef

__all__ = [
    "CVEKG",
    "ID",
    "CLAIM",
    "GRAPH",
    "GRAPH_NS",
    "ONTOLOGY_GRAPH",
    "PROVENANCE_GRAPH",
    "INFERRED_GRAPH",
    "REFERENCE_GRAPH",
    "ONTOLOGY_GRAPH_IRI",
    "PROVENANCE_GRAPH_IRI",
    "INFERRED_GRAPH_IRI",
    "REFERENCE_GRAPH_IRI",
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

#: Our namespaces and the others we use, by the name of their rdflib ``Namespace`` here.
_NAMESPACES = {
    "CVEKG": "https://w3id.org/cvekg/ontology#",
    "ID": "https://w3id.org/cvekg/id/",
    "CLAIM": "https://w3id.org/cvekg/claim/",
    "GRAPH": "https://w3id.org/cvekg/graph/",
    "OA": "http://www.w3.org/ns/oa#",
    "SCHEMA": "https://schema.org/",
    "ORG": "http://www.w3.org/ns/org#",
    "SEM": "http://semanticweb.cs.vu.nl/2009/11/sem/",
    "GEO": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "GSP": "http://www.opengis.net/ont/geosparql#",
    "VANN": "http://purl.org/vocab/vann/",
}

#: The named graphs' namespace, and the build's graphs in it.
GRAPH_NS = _NAMESPACES["GRAPH"]
ONTOLOGY_GRAPH_IRI = GRAPH_NS + "ontology"
PROVENANCE_GRAPH_IRI = GRAPH_NS + "provenance"
INFERRED_GRAPH_IRI = GRAPH_NS + "inferred"
#: A namespace: each reference data file is a graph of its own in it.
REFERENCE_GRAPH_IRI = GRAPH_NS + "reference/"

if TYPE_CHECKING:  # made by __getattr__ on first use
    CVEKG: Namespace
    ID: Namespace
    CLAIM: Namespace
    GRAPH: Namespace
    OA: Namespace
    SCHEMA: Namespace
    ORG: Namespace
    SEM: Namespace
    GEO: Namespace
    GSP: Namespace
    VANN: Namespace
    ONTOLOGY_GRAPH: URIRef
    PROVENANCE_GRAPH: URIRef
    INFERRED_GRAPH: URIRef
    REFERENCE_GRAPH: Namespace

_RDFLIB_TERMS = {*_NAMESPACES, "ONTOLOGY_GRAPH", "PROVENANCE_GRAPH", "INFERRED_GRAPH"}


def __getattr__(name: str) -> Namespace | URIRef:
    """The rdflib namespaces and graph names, all made (and kept) on the first use of one:
    only the build stages, which work on rdflib graphs anyway, import rdflib for them."""
    if name not in _RDFLIB_TERMS | {"REFERENCE_GRAPH"}:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from rdflib import Namespace, URIRef

    made: dict[str, Namespace | URIRef] = {n: Namespace(iri) for n, iri in _NAMESPACES.items()}
    made["ONTOLOGY_GRAPH"] = URIRef(ONTOLOGY_GRAPH_IRI)
    made["PROVENANCE_GRAPH"] = URIRef(PROVENANCE_GRAPH_IRI)
    made["INFERRED_GRAPH"] = URIRef(INFERRED_GRAPH_IRI)
    made["REFERENCE_GRAPH"] = Namespace(REFERENCE_GRAPH_IRI)
    globals().update(made)
    return made[name]


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
    "cvekg": _NAMESPACES["CVEKG"],
    "id": _NAMESPACES["ID"],
    "claim": _NAMESPACES["CLAIM"],
    **{kind: f"{_NAMESPACES['ID']}{kind}/" for kind in ENTITY_KINDS},
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": _NAMESPACES["SCHEMA"],
    "prov": "http://www.w3.org/ns/prov#",
    "oa": _NAMESPACES["OA"],
    "org": _NAMESPACES["ORG"],
    "sem": _NAMESPACES["SEM"],
    "time": "http://www.w3.org/2006/time#",
    "geo": _NAMESPACES["GEO"],
    "gsp": _NAMESPACES["GSP"],
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
