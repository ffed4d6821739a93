"""The projection of any triples (a CONSTRUCT answer, one entity's neighbourhood) by the rules
of :mod:`graph.network.projection`, reading from the store only what the triples name.

A query for everything (``?s ?p ?o``) also returns what the build inferred: every relation
again under each of its super-properties and its inverse, and vocabulary values such as
``time:unitMonth`` that dozens of entities point at. Drawn as they come, those are stacks of
parallel links and hubs that mean nothing; here they are folded into the link they follow
from (:func:`fold_implied`) and kept as attributes (:func:`is_value`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from graph.namespaces import (
    CLAIM,
    CVEKG,
    ID,
    INFERRED_GRAPH_IRI,
    ONTOLOGY_GRAPH_IRI,
    PROVENANCE_GRAPH,
    PROVENANCE_GRAPH_IRI,
    REFERENCE_GRAPH,
)
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

__all__ = ["project_triples", "read_claims", "is_value", "fold_implied", "origin_of"]

_CLAIM, _ID, _REFERENCE = str(CLAIM), str(ID), str(REFERENCE_GRAPH)


def project_triples(store: ox.Store, triples: Iterable) -> nx.MultiDiGraph:
    """Project the result of a CONSTRUCT (any triples) with the same rules as
    :func:`graph.network.projection.project`.

    Work is proportional to the result, not to the store: each IRI's names, types and
    coordinates, and each triple's claims, are looked up by index. An IRI is a node (a query
    may return classes or outside IRIs) unless it is a value of one of our entities or claims
    (:func:`is_value`); literals are attributes of their subject. A triple that no claim
    asserts has an ``origin`` (:func:`origin_of`). One the build inferred (an inverse or a
    super-property) borrows the quote of the asserted triple it was inferred from, says how
    in ``inferred`` (and ``inferred_fr``), and when the triple it follows from is drawn too,
    is folded into that link's ``also`` (:func:`fold_implied`). One of the ontology, of the
    provenance records, or that the query made up is drawn as it is, with no quote.
    """
    import pyoxigraph as ox

    onto = read_ontology(store)
    projector = Projector(onto)
    wanted: list[tuple[str, str, str]] = []
    literals: list[tuple[str, str, Any]] = []
    values: list[tuple[str, str, str]] = []
    triples = [t for t in triples if isinstance(t.subject, ox.NamedNode)]
    for triple in triples:
        s, p, o = triple.subject, triple.predicate, triple.object
        projector.nodes.add(s.value)
        if isinstance(o, ox.NamedNode) and p.value != RDF_TYPE:
            if is_value(s.value, o.value):
                values.append((s.value, p.value, o.value))
                continue
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
    below: dict[str, set[str]] = defaultdict(set)  # each property's sub-properties
    for q, sups in _super_properties(onto).items():
        for p in sups:
            below[p].add(q)
    stated = {(s, p, lit) for s, p, lit in literals}
    for s, p, lit in literals:
        graphs = _asserted_in(store, ox.NamedNode(s), ox.NamedNode(p), lit)
        if not graphs and any((s, q, lit) in stated for q in below.get(p, ())):
            continue  # an inferred super-property of a value shown already (date, startDate)
        claims.update(graphs)
        projector.mentions[s].extend(graphs)
        if p not in NAME_PREDICATES and p not in (GEO_LAT, GEO_LONG):
            graph = graphs[0] if graphs else ""
            projector.literals[s].append((p, lit.value, lit.language or "", graph, ""))
    for s, p, o in values:
        graphs = _asserted_in(store, ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o))
        claims.update(graphs)
        projector.mentions[s].extend(graphs)
        graph = graphs[0] if graphs else ""
        projector.literals[s].append((p, onto.value_label(o), "", graph, o))
    marks: dict[tuple[str, str, str], tuple[str, tuple[str, str] | None]] = {}
    for s, p, o in wanted:
        held = _graphs_of(store, ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o))
        graphs = _asserted(held)
        if not graphs:
            origin = origin_of(held)
            how = None
            if origin == "inferred":
                graphs, how = _borrowed(store, onto, s, p, o)
            marks[(s, p, o)] = (origin, how)
        projector.edges[(s, p, o)] = graphs or [""]
        claims.update(graphs)
        projector.mentions[s].extend(graphs)
        projector.mentions[o].extend(graphs)
    inferred = {t for t, (origin, _) in marks.items() if origin == "inferred"}
    folded = fold_implied(onto, list(projector.edges), inferred)
    for implied in folded.values():
        for triple, _ in implied:
            del projector.edges[triple]
            marks.pop(triple, None)
    read_claims(store, projector, claims)
    cited = {c["source"] for c in projector.claims.values() if c.get("source")}
    read_documents(store, projector, cited | {g for g in claims if not g.startswith(_CLAIM)})
    G = projector.build()
    for (s, p, o), (origin, how) in marks.items():
        edge = G.edges[s, o, local_name(p)]
        edge["origin"] = origin
        if how:
            edge["inferred"], edge["inferred_fr"] = how
        if edge["claim"] == "":
            edge.update(claim=None, claims=[], reference=False)
    for (s, p, o), implied in folded.items():
        G.edges[s, o, local_name(p)]["also"] = [
            {
                "predicate": q,
                "label_en": onto.label(q, "en"),
                "label_fr": onto.label(q, "fr"),
                "inverse": inverse,
            }
            for (_, q, _), inverse in implied
        ]
    return G


def is_value(subject: str, obj: str) -> bool:
    """Whether the IRI ``obj``, the object of a triple about ``subject``, is a value to show
    as the subject's attribute rather than a node to draw: the subject is one of our entities
    or claims and ``obj`` is neither. So an OWL-Time unit (``time:unitMonth``), a term of the
    ontology used as a value (``cvekg:stated``), a gazetteer identifier or a reference dataset
    is not a hub every entity it qualifies hangs from: the whole build's projection reads
    such IRIs the same way. A query about the ontology itself (its subjects are terms) still
    draws its terms as nodes.
    """
    ours = (_ID, _CLAIM)
    return subject.startswith(ours) and not obj.startswith(ours)


def fold_implied(
    onto: Ontology, triples: Iterable[tuple[str, str, str]], inferred: set[tuple[str, str, str]]
) -> dict[tuple[str, str, str], list[tuple[tuple[str, str, str], bool]]]:
    """The triples that say no more than another triple between the same two entities, keyed
    by the one to draw in their place, each with whether it runs the other way (an inverse).

    Only ``inferred`` triples (no claim states them) are folded; what a claim states is
    always drawn. Between the same subject and object, an inferred super-property of another
    triple's property (``partnerCity`` and ``participant`` beside ``hostCity``) is folded into
    the most specific one. Then an inferred triple whose inverse runs the other way between
    the same two entities, and is stated, is folded into that one, with what was folded into
    it. So ``?s ?p ?o`` draws one link per relation a claim states, not seven.
    """
    above = _super_properties(onto)
    between: dict[tuple[str, str], list[str]] = defaultdict(list)
    for s, p, o in triples:
        between[(s, o)].append(p)
    folded: dict[tuple[str, str, str], list[tuple[tuple[str, str, str], bool]]] = {}
    drawn: dict[tuple[str, str], list[str]] = {}
    for (s, o), predicates in between.items():

        def asserted(p: str, s: str = s, o: str = o) -> bool:
            return (s, p, o) not in inferred

        # The most specific first: asserted before inferred, then deeper in the hierarchy.
        order = sorted(predicates, key=lambda p: (not asserted(p), -len(above.get(p, ())), p))
        kept: list[str] = []
        for p in order:
            into = next(
                (
                    q
                    for q in kept
                    if not asserted(p) and p in above.get(q, ()) and q not in above.get(p, ())
                ),
                None,
            )  # fmt: skip
            if into is None:
                kept.append(p)
            else:
                folded.setdefault((s, into, o), []).append(((s, p, o), False))
        drawn[(s, o)] = kept
    for (s, o), kept in drawn.items():
        for p in list(kept):
            inverse = onto.inverse.get(p)
            if (s, p, o) not in inferred or inverse not in drawn.get((o, s), ()):
                continue
            if (o, inverse, s) in inferred:
                continue
            carried = folded.pop((s, p, o), [])
            folded.setdefault((o, inverse, s), []).extend(
                [((s, p, o), True)] + [(triple, True) for triple, _ in carried]
            )
            kept.remove(p)
    return folded


def _super_properties(onto: Ontology) -> dict[str, set[str]]:
    """Every property's super-properties, direct or not (the ontology lists the direct ones)."""
    closed: dict[str, set[str]] = {}

    def supers(p: str, seen: frozenset[str]) -> set[str]:
        if p in closed:
            return closed[p]
        found: set[str] = set()
        for q in onto.subproperty.get(p, ()):
            if q not in seen:
                found |= {q} | supers(q, seen | {q})
        return found

    for p in onto.subproperty:
        closed[p] = supers(p, frozenset({p}))
    return closed


def _name(term) -> str:
    return getattr(term, "value", "") or ""


def _graphs_of(store: ox.Store, s, p, o) -> set[str]:
    """The names of the graphs holding a triple (one index lookup)."""
    return {_name(q.graph_name) for q in store.quads_for_pattern(s, p, o)}


def _asserted(graphs: set[str]) -> list[str]:
    """Those of ``graphs`` that assert: claim and reference graphs, sorted."""
    return sorted(g for g in graphs if g.startswith(_CLAIM) or g.startswith(_REFERENCE))


def _asserted_in(store: ox.Store, s, p, o) -> list[str]:
    """The claim and reference graphs asserting a triple."""
    return _asserted(_graphs_of(store, s, p, o))


def origin_of(graphs: set[str]) -> str:
    """Where a triple that no claim or reference source asserts comes from, given the graphs
    holding it (:func:`_graphs_of`): ``"inferred"`` (the build's inferred graph),
    ``"ontology"`` (stated by the ontology), ``"provenance"`` (the build's record of a claim:
    its quote, source, support), or ``"query"`` (in no graph of the build: the CONSTRUCT made
    it). A view must not call a triple a query made up, or an axiom of the ontology,
    "inferred by the build".

    >>> origin_of(set()), origin_of({"https://w3id.org/cvekg/graph/ontology"})
    ('query', 'ontology')
    """
    for origin, graph in (
        ("inferred", INFERRED_GRAPH_IRI),
        ("ontology", ONTOLOGY_GRAPH_IRI),
        ("provenance", PROVENANCE_GRAPH_IRI),
    ):
        if graph in graphs:
            return origin
    return "query"


def _borrowed(
    store: ox.Store, onto: Ontology, s: str, p: str, o: str
) -> tuple[list[str], tuple[str, str] | None]:
    """For an inferred triple, the graphs of the asserted one it follows from (its inverse,
    or a sub-property of it, between the same two entities) and how it follows, in English
    and French; no graphs and ``None`` for one inferred otherwise (a transitive
    ``locatedIn``, a defined class)."""
    import pyoxigraph as ox

    S, O = ox.NamedNode(s), ox.NamedNode(o)  # noqa: E741 - subject and object
    inverse = onto.inverse.get(p)
    if inverse:
        graphs = _asserted_in(store, O, ox.NamedNode(inverse), S)
        if graphs:
            en, fr = onto.label(inverse, "en"), onto.label(inverse, "fr")
            return graphs, (f"inverse of {en}", f"inverse de « {fr} »")
    for q in sorted(q for q, sups in onto.subproperty.items() if p in sups):
        graphs = _asserted_in(store, S, ox.NamedNode(q), O)
        if graphs:
            en, fr = onto.label(q, "en"), onto.label(q, "fr")
            return graphs, (f"implied by {en}", f"découle de « {fr} »")
    return [], None


def read_claims(store, projector: Projector, claims: set[str]) -> None:
    import pyoxigraph as ox

    wanted = sorted(c for c in claims if c.startswith(_CLAIM))
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
