"""The projection of any triples (a CONSTRUCT answer, one entity's neighbourhood) by the rules
of :mod:`graph.network.projection`, reading from the store only what the triples name."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from graph.namespaces import CLAIM, CVEKG, PROVENANCE_GRAPH, REFERENCE_GRAPH
from graph.network.names import (
    CLAIM_FIELDS,
    GEO_LAT,
    GEO_LONG,
    NAME_PREDICATES,
    RDF_TYPE,
    local_name,
)
from graph.network.ontology import Ontology, read_ontology
from graph.network.projection import Projector, claim_statements, read_documents

if TYPE_CHECKING:
    import networkx as nx
    import pyoxigraph as ox

__all__ = ["project_triples", "read_claims"]

_CLAIM = str(CLAIM)


def project_triples(store: ox.Store, triples: Iterable) -> nx.MultiDiGraph:
    """Project the result of a CONSTRUCT (any triples) with the same rules as
    :func:`graph.network.projection.project`.

    Work is proportional to the result, not to the store: each IRI's names, types and
    coordinates, and each triple's claims, are looked up by index. Any IRI is a node here (a
    query may return classes or outside IRIs); literals are attributes of their subject. A
    triple that no claim asserts (an inverse or super-property the build inferred) borrows the
    quote of the asserted triple it was inferred from and is marked ``inferred``.
    """
    import pyoxigraph as ox

    onto = read_ontology(store)
    projector = Projector(onto)
    wanted: list[tuple[str, str, str]] = []
    literals: list[tuple[str, str, Any]] = []
    for triple in triples:
        s, p, o = triple.subject, triple.predicate, triple.object
        if not isinstance(s, ox.NamedNode):
            continue
        projector.nodes.add(s.value)
        if isinstance(o, ox.NamedNode) and p.value != RDF_TYPE:
            projector.nodes.add(o.value)
            wanted.append((s.value, p.value, o.value))
        elif isinstance(o, ox.Literal):
            literals.append((s.value, p.value, o))
        elif p.value == RDF_TYPE and isinstance(o, ox.NamedNode):
            projector.types[s.value].add(o.value)
    located, rdf_type = ox.NamedNode(str(CVEKG.locatedIn)), ox.NamedNode(RDF_TYPE)
    country = ox.NamedNode(str(CVEKG.Country))
    for node in projector.nodes:
        subject = ox.NamedNode(node)
        for quad in store.quads_for_pattern(subject, None, None):
            p, o = quad.predicate.value, quad.object
            if p == RDF_TYPE and isinstance(o, ox.NamedNode) and o.value.startswith(str(CVEKG)):
                projector.types[node].add(o.value)
            elif p in NAME_PREDICATES and isinstance(o, ox.Literal):
                projector.names[node].append((p, o.value, o.language or ""))
            elif p in (GEO_LAT, GEO_LONG) and isinstance(o, ox.Literal):
                projector.literals[node].append((p, o.value, "", _name(quad.graph_name), ""))
        for quad in store.quads_for_pattern(subject, located, None):
            if any(store.quads_for_pattern(quad.object, rdf_type, country)):
                projector.country.setdefault(node, quad.object.value)
    claims: set[str] = set()
    for s, p, lit in literals:
        graphs = _asserted_in(store, ox.NamedNode(s), ox.NamedNode(p), lit)
        claims.update(graphs)
        projector.mentions[s].extend(graphs)
        if p not in NAME_PREDICATES and p not in (GEO_LAT, GEO_LONG):
            graph = graphs[0] if graphs else ""
            projector.literals[s].append((p, lit.value, lit.language or "", graph, ""))
    marks: dict[tuple[str, str, str], str] = {}
    for s, p, o in wanted:
        graphs = _asserted_in(store, ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o))
        if not graphs:
            graphs, how = _borrowed(store, onto, s, p, o)
            marks[(s, p, o)] = how or "inferred by the build"
        projector.edges[(s, p, o)] = graphs or [""]
        claims.update(graphs)
        projector.mentions[s].extend(graphs)
        projector.mentions[o].extend(graphs)
    read_claims(store, projector, claims)
    cited = {c["source"] for c in projector.claims.values() if c.get("source")}
    read_documents(store, projector, cited | {g for g in claims if not g.startswith(_CLAIM)})
    G = projector.build()
    for (s, p, o), how in marks.items():
        edge = G.edges[s, o, local_name(p)]
        edge["inferred"] = how
        if edge["claim"] == "":
            edge.update(claim=None, claims=[], reference=False)
    return G


def _name(term) -> str:
    return getattr(term, "value", "") or ""


def _asserted_in(store: ox.Store, s, p, o) -> list[str]:
    """The claim and reference graphs asserting a triple."""
    graphs = {_name(q.graph_name) for q in store.quads_for_pattern(s, p, o)}
    return sorted(
        g for g in graphs if g.startswith(str(CLAIM)) or g.startswith(str(REFERENCE_GRAPH))
    )


def _borrowed(store: ox.Store, onto: Ontology, s: str, p: str, o: str) -> tuple[list[str], str]:
    """For an inferred triple, the graphs of the asserted one it follows from: its inverse,
    or a sub-property of it, between the same two entities."""
    import pyoxigraph as ox

    S, O = ox.NamedNode(s), ox.NamedNode(o)  # noqa: E741 - subject and object
    inverse = onto.inverse.get(p)
    if inverse:
        graphs = _asserted_in(store, O, ox.NamedNode(inverse), S)
        if graphs:
            return graphs, f"inverse of {onto.label(inverse, 'en')}"
    for q in sorted(q for q, sups in onto.subproperty.items() if p in sups):
        graphs = _asserted_in(store, S, ox.NamedNode(q), O)
        if graphs:
            return graphs, f"implied by {onto.label(q, 'en')}"
    return [], ""


def read_claims(store, projector: Projector, claims: set[str]) -> None:
    import pyoxigraph as ox

    wanted = sorted(c for c in claims if c.startswith(str(CLAIM)))
    prov = ox.NamedNode(str(PROVENANCE_GRAPH))
    fields = CLAIM_FIELDS
    for claim in wanted:
        entry: dict[str, Any] = {"name": local_name(claim)}
        for quad in store.quads_for_pattern(ox.NamedNode(claim), None, None, prov):
            field = fields.get(quad.predicate.value)
            if field:
                entry.setdefault(field, quad.object.value)
        if "quote" in entry:
            for field in fields.values():
                entry.setdefault(field, None)
            entry["read"] = entry.pop("support") == str(CVEKG.readFromContext)
            projector.claims[claim] = entry
            projector.statements[claim] = claim_statements(store, claim)
