"""The projection of the built RDF graph onto a NetworkX ``MultiDiGraph``.

The projection has explicit rules, so every view and every analysis reads the same network:

- **Nodes** are the entities: IRIs of the instance namespace (``city:marseille``), each with its
  English and French labels, alternative labels, most specific class (the inferred
  ``FrenchCity`` and ``USCity`` included), colour group, coordinates and country when known.
- **Edges** are the *asserted* object properties between two entities, read from the claim
  graphs and the reference graphs, never from the inferred graph: an inverse property would
  otherwise double every edge. Each edge keeps its predicate (labels in English and French),
  its claim and the claim's quote and sentence.
- **Literals** (dates, counts, labels) and provenance (claims, annotations) are attributes,
  never nodes. Events stay nodes here; a view may fold them into edges
  (:func:`graph.network.subgraphs.city_pair_graph`).

:func:`project` projects a whole build (:func:`load`, the build in a folder);
:func:`graph.network.triples.project_triples` projects any triples by the same rules.
"""

from __future__ import annotations

import gc
import logging
import re
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from graph.namespaces import (
    CLAIM,
    CVEKG,
    ID,
    INFERRED_GRAPH,
    ONTOLOGY_GRAPH,
    PROVENANCE_GRAPH,
    REFERENCE_GRAPH,
)
from graph.network.names import (
    CLAIM_FIELDS,
    GEO_LAT,
    GEO_LONG,
    NAME_PREDICATES,
    RDF_TYPE,
    RDFS_LABEL,
    SKOS_ALT,
    entity_key,
    local_name,
)
from graph.network.ontology import Ontology, read_ontology, select_rows

if TYPE_CHECKING:
    import networkx as nx
    import pyoxigraph as ox

__all__ = [
    "Fact",
    "Projector",
    "fill",
    "project",
    "collector_paused",
    "read_documents",
    "claim_statements",
    "load",
]

logger = logging.getLogger(__name__)


class Fact(NamedTuple):
    """A literal about an entity (a date, a count, a title) and the claim that states it.

    A tuple, not a dict: a million-triple graph has hundreds of thousands of them.
    """

    predicate: str
    label_en: str
    label_fr: str
    value: str
    lang: str
    claim: str


class Projector:
    """Collects quads, types and claims, then builds the MultiDiGraph by the projection rules.

    Every IRI is kept once (``self.iri``): a million quads would otherwise hold millions of
    copies of the same few hundred thousand strings.
    """

    def __init__(self, onto: Ontology, statements: bool = True):
        self.onto = onto
        self.keep_statements = statements
        self.types: dict[str, set[str]] = defaultdict(set)
        self.names: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        self.literals: dict[str, list[tuple[str, str, str, str, str]]] = defaultdict(list)
        self.edges: dict[tuple[str, str, str], list[str]] = {}
        self.mentions: dict[str, list[str]] = defaultdict(list)
        self.country: dict[str, str] = {}
        self.claims: dict[str, dict[str, Any]] = {}
        self.statements: dict[str, list[tuple[str, str, str, bool]]] = defaultdict(list)
        self.sources: list[dict[str, str]] = []
        self.references: list[dict[str, str]] = []
        self.nodes: set[str] = set()
        self._strings: dict[str, str] = {}
        self._fact_labels: dict[str, tuple[str, str]] = {}

    def iri(self, text: str) -> str:
        """The one copy of ``text`` this projection keeps."""
        return self._strings.setdefault(text, text)

    def add_quad(self, graph: str, s: str, p: str, o, o_is_iri: bool) -> None:
        """One asserted quad of a claim or reference graph, subject in the instance space.

        Only claim graphs keep their statements (for the claims table of entity pages); a
        reference graph holds thousands of places and no page lists them statement by
        statement.
        """
        self.nodes.add(s)
        self.mentions[s].append(graph)
        claim = self.keep_statements and graph.startswith(_CLAIM)
        if p == RDF_TYPE:
            if o_is_iri:
                self.types[s].add(o)
            if claim:
                self.statements[graph].append((s, p, o, o_is_iri))
            return
        value = o if o_is_iri else o.value
        if claim:
            self.statements[graph].append((s, p, value, o_is_iri))
        if o_is_iri:
            if o.startswith(_ID):
                self.nodes.add(o)
                self.mentions[o].append(graph)
                found = self.edges.get((s, p, o))
                if found is None:
                    self.edges[(s, p, o)] = [graph]
                else:
                    found.append(graph)
            else:  # an IRI value outside our instances (time:unitMonth): an attribute
                self.literals[s].append((p, self.onto.value_label(o), "", graph, o))
        elif p in NAME_PREDICATES:
            self.names[s].append((p, value, o.language or ""))
        else:
            self.literals[s].append((p, value, o.language or "", graph, ""))

    def build(self) -> nx.MultiDiGraph:
        import networkx as nx

        G = nx.MultiDiGraph()
        onto = self.onto
        # Sorted, as the terms below: the store's iteration order varies between loads, and
        # the views write these tables into their pages.
        predicates = {
            p: (local_name(p), onto.label(p, "en"), onto.label(p, "fr"))
            for p in sorted({p for _, p, _ in self.edges})
        }

        def edges() -> Iterator[tuple[str, str, str, dict[str, Any]]]:
            for (s, p, o), graphs in sorted(self.edges.items()):
                if len(graphs) > 1:
                    graphs = sorted(set(graphs), key=lambda g: (not g.startswith(_CLAIM), g))
                first = graphs[0]
                claim = self.claims.get(first, _NO_CLAIM)
                key, label_en, label_fr = predicates[p]
                yield (
                    s,
                    o,
                    key,
                    {
                        "predicate": p,
                        "label_en": label_en,
                        "label_fr": label_fr,
                        "claim": first,
                        "claims": graphs,
                        "quote": claim.get("quote"),
                        "sentence": claim.get("sentence"),
                        "source": claim.get("source"),
                        "reference": not first.startswith(_CLAIM),
                    },
                )

        fill(G, ((node, self._node(node)) for node in sorted(self.nodes)), edges())
        for iri, claim in self.claims.items():
            claim["statements"] = self.statements.get(iri, ())
        G.graph.update(
            claims=self.claims,
            sources=self.sources,
            references=self.references,
            predicates={p: labels[1:] for p, labels in predicates.items()},
            terms=self.terms(predicates),
            inverse=onto.inverse,
            subproperty={p: sorted(q) for p, q in onto.subproperty.items()},
        )
        return G

    def terms(self, predicates: Iterable[str] = ()) -> dict[str, tuple[str, str]]:
        """Labels (English, French) of the predicates and classes the claims' statements use.

        Without kept statements (the views read them from the store later) that is every
        predicate and class the projection met: the relations' ``predicates``, the literals',
        the names' and every type.
        """
        onto = self.onto
        terms: dict[str, tuple[str, str]] = {}

        def add(term: str) -> None:
            if term not in terms:
                terms[term] = _FIXED_TERMS.get(term) or (
                    onto.label(term, "en"),
                    onto.label(term, "fr"),
                )

        for statements in self.statements.values():
            for _, p, o, _ in statements:
                add(p)
                if p == RDF_TYPE:
                    add(o)
        if not self.keep_statements:
            for term in (RDF_TYPE, RDFS_LABEL, SKOS_ALT, *predicates):
                add(term)
            for literals in self.literals.values():
                for p, *_ in literals:
                    add(p)
            for classes in self.types.values():
                for cls in classes:
                    add(cls)
        return dict(sorted(terms.items()))

    def _class(self, node: str) -> str | None:
        ours = [t for t in self.types.get(node, ()) if t.startswith(_CVEKG)]
        if not ours:
            return None
        if len(ours) == 1:
            return ours[0]
        return max(ours, key=lambda t: (self.onto.depth(t), t))

    def _node(self, node: str) -> dict[str, Any]:
        onto = self.onto
        cls = self._class(node)
        labels: dict[str, str] = {}
        alt: list[str] = []
        for p, value, lang in sorted(self.names.get(node, ())):
            if p == RDFS_LABEL:
                labels.setdefault(lang, value)
            elif value not in alt:
                alt.append(value)
        rest = node[len(_ID) :] if node.startswith(_ID) else local_name(node)
        kind, _, slug = rest.partition("/")
        literals = sorted(self.literals.get(node, ()))
        for p, value, lang, _, _ in literals:
            if p.endswith("/title") or p.endswith("#title"):
                labels.setdefault(lang, value)
        fallback = labels.get("") or slug.replace("-", " ") or rest
        data: dict[str, Any] = {
            "iri": node,
            "key": entity_key(node),
            "kind": kind if slug else "",
            "label_en": labels.get("en") or labels.get("fr") or fallback,
            "label_fr": labels.get("fr") or labels.get("en") or fallback,
            "alt_labels": alt,
            "class": local_name(cls) if cls else "",
            "class_en": onto.label(cls, "en") if cls else "",
            "class_fr": onto.label(cls, "fr") if cls else "",
            "group": onto.group(cls),
            "claims": sorted({g for g in self.mentions.get(node, ()) if g.startswith(_CLAIM)}),
        }
        facts = []
        for p, value, lang, graph, iri in literals:
            if p == GEO_LAT:
                data["lat"] = float(value)
            elif p == GEO_LONG:
                data["lon"] = float(value)
            else:
                name = local_name(p)
                if name == "date":
                    data["date"] = value
                elif name == "datePrecision":
                    data["date_precision"] = re.sub(r"^unit", "", local_name(iri)).lower()
                elif name == "dateDescription":
                    data["date_description"] = value
            names = self._fact_labels.get(p)
            if names is None:
                names = self._fact_labels[p] = (onto.label(p, "en"), onto.label(p, "fr"))
            facts.append(Fact(p, names[0], names[1], value, lang, graph))
        data["facts"] = facts
        if node in self.country:
            data["country"] = self.country[node]
        return data


_ID, _CLAIM, _CVEKG = str(ID), str(CLAIM), str(CVEKG)
#: Labels of the RDF and SKOS terms a claim uses, which the ontology does not label.
_FIXED_TERMS = {
    RDF_TYPE: ("is a", "est un·e"),
    RDFS_LABEL: ("label", "libellé"),
    SKOS_ALT: ("also called", "autre nom"),
}


def fill(
    G: nx.MultiDiGraph,
    nodes: Iterable[tuple[str, dict[str, Any]]],
    edges: Iterable[tuple[str, str, str, dict[str, Any]]],
) -> None:
    """Put nodes and edges into the empty ``G`` with their attribute dicts as they are.

    ``add_nodes_from`` and ``add_edges_from`` copy every attribute dict: at a million
    triples that is half a million dicts made twice, two seconds and a hundred megabytes.
    This fills NetworkX's documented data structure (``G._node``, ``G._succ``, ``G._pred``:
    dicts keyed by node, then neighbour, then edge key) directly, and falls back on the
    public methods if a NetworkX release lays it out otherwise.
    """
    import networkx as nx

    node, succ, pred = (getattr(G, name, None) for name in ("_node", "_succ", "_pred"))
    plain = (
        nx.MultiDiGraph.node_dict_factory is dict and nx.MultiDiGraph.edge_key_dict_factory is dict
    )
    if not (
        plain and isinstance(node, dict) and isinstance(succ, dict) and isinstance(pred, dict)
    ) or len(G):
        G.add_nodes_from(nodes)
        G.add_edges_from(edges)
        return
    for n, data in nodes:
        node[n] = data
        succ[n] = {}
        pred[n] = {}
    for u, v, key, data in edges:
        keyed = succ[u].get(v)
        if keyed is None:
            keyed = succ[u][v] = {}
            pred[v][u] = keyed
        keyed[key] = data
    clear = getattr(nx, "_clear_cache", None)
    if clear:
        clear(G)


_NO_CLAIM: dict[str, Any] = {}


def project(store: ox.Store, statements: bool = True) -> nx.MultiDiGraph:
    """Project the built graph in ``store`` onto a NetworkX ``MultiDiGraph``.

    Nodes are keyed by IRI; edges by the predicate's local name (``hostCity``). Graph-level
    attributes hold the claims (``G.graph["claims"][iri]``: quote, sentence, source, note,
    statements), the source documents, the reference datasets and the ontology's inverses.
    Without ``statements`` each claim's statements are left out (an empty list): the views
    read the few they show from the store (:func:`claim_statements`), which saves a tenth of
    the memory at a million triples.

    The quads are read graph by graph from Oxigraph's indexes rather than through SPARQL (three
    times faster), and Python's cycle collector is paused meanwhile: the projection makes
    millions of small objects and none of them is garbage. Time and memory grow linearly with
    the asserted triples.

    Examples
    --------
    >>> from graph.store import open_store  # doctest: +SKIP
    >>> G = project(open_store(Path("build")))  # doctest: +SKIP
    >>> G.nodes["https://w3id.org/cvekg/id/city/lyon"]["group"]  # doctest: +SKIP
    'french-city'
    """
    with collector_paused():
        return _project(store, statements)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector for a block that builds many lasting objects.

    Each full collection walks every object alive: with a projected million-triple graph in
    memory that is a second each, and allocating millions of objects starts dozens of them.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _project(store: ox.Store, statements: bool) -> nx.MultiDiGraph:
    import pyoxigraph as ox

    started = time.perf_counter()
    onto = read_ontology(store)
    projector = Projector(onto, statements)
    strings = projector._strings
    named = ox.NamedNode
    reference = str(REFERENCE_GRAPH)
    add, literal = projector.add_quad, ox.Literal
    # The commonest quad, an edge between two entities, is handled here rather than in
    # add_quad: a million calls fewer.
    nodes, mentions, edges = projector.nodes, projector.mentions, projector.edges
    for graph in store.named_graphs():
        g = graph.value if isinstance(graph, named) else ""
        if not (g.startswith(_CLAIM) or g.startswith(reference)):
            continue
        g = strings.setdefault(g, g)
        quick = not (statements and g.startswith(_CLAIM))
        for s, p, o, _ in store.quads_for_pattern(None, None, None, graph):
            subject = s.value
            if not subject.startswith(_ID) or type(s) is not named:
                continue
            subject = strings.setdefault(subject, subject)
            predicate = strings.setdefault(p.value, p.value)
            if type(o) is named:
                value = strings.setdefault(o.value, o.value)
                if quick and predicate != RDF_TYPE and value.startswith(_ID):
                    nodes.add(subject)
                    nodes.add(value)
                    mentions[subject].append(g)
                    mentions[value].append(g)
                    found = edges.get((subject, predicate, value))
                    if found is None:
                        edges[(subject, predicate, value)] = [g]
                    else:
                        found.append(g)
                else:
                    add(g, subject, predicate, value, True)
            elif type(o) is literal:  # a blank node (a structured note) is neither
                add(g, subject, predicate, o, False)
    read = time.perf_counter()
    _read_types(store, projector)
    _read_provenance(store, projector)
    for node in list(projector.nodes):
        if _is_provenance(node):
            projector.nodes.discard(node)
    annotated = time.perf_counter()
    G = projector.build()
    logger.info(
        "projected %d nodes, %d edges: quads %.2f s, types and claims %.2f s, graph %.2f s",
        len(projector.nodes),
        len(projector.edges),
        read - started,
        annotated - read,
        time.perf_counter() - annotated,
    )
    return G


def _read_types(store: ox.Store, projector: Projector) -> None:
    """The types and countries the asserted graphs do not give: members of the defined classes
    (the inferred ``FrenchCity``, ``USCity``), the types of entities that only the inferred
    graph types, and countries through the transitive ``locatedIn``.

    Only the most specific class matters, and the other inferred types are superclasses of
    asserted ones, so the (large) inferred graph is read by index, class by class.
    """
    import pyoxigraph as ox

    iri = projector.iri
    rdf_type = ox.NamedNode(RDF_TYPE)
    types = projector.types
    # Entities typed outside the asserted and inferred graphs (a source document described
    # only in the provenance graph) are entities too. Oxigraph filters those graphs' types
    # (hundreds of thousands of claims and annotations) without handing each to Python.
    skip = (_CLAIM, str(REFERENCE_GRAPH), str(INFERRED_GRAPH), str(ONTOLOGY_GRAPH))
    for graph in store.named_graphs():
        if getattr(graph, "value", "").startswith(skip):
            continue
        for s, t in select_rows(
            store,
            f"""SELECT ?s ?t WHERE {{ GRAPH <{graph.value}> {{ ?s a ?t }}
                  FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{_ID}")
                         && STRSTARTS(STR(?t), "{_CVEKG}")) }}""",
        ):
            node = iri(s.value)
            projector.nodes.add(node)
            types[node].add(iri(t.value))
    for s, _, t, _ in store.quads_for_pattern(None, rdf_type, None, ox.DefaultGraph()):
        if s.value.startswith(_ID) and t.value.startswith(_CVEKG) and type(s) is ox.NamedNode:
            projector.nodes.add(iri(s.value))
            types[iri(s.value)].add(iri(t.value))
    for cls in sorted(projector.onto.defined):
        for s, _, _, _ in store.quads_for_pattern(None, rdf_type, ox.NamedNode(cls)):
            if s.value.startswith(_ID) and type(s) is ox.NamedNode:
                node = iri(s.value)
                projector.nodes.add(node)
                types[node].add(iri(cls))
    for node in projector.nodes:
        if not any(t.startswith(_CVEKG) for t in types.get(node, ())):
            for _, _, t, _ in store.quads_for_pattern(ox.NamedNode(node), rdf_type, None):
                if t.value.startswith(_CVEKG):
                    types[node].add(iri(t.value))
    country = str(CVEKG.Country)
    located = ox.NamedNode(str(CVEKG.locatedIn))
    for c in sorted(n for n, found in types.items() if country in found):
        for s, _, _, _ in store.quads_for_pattern(None, located, ox.NamedNode(c)):
            if s.value.startswith(_ID):
                projector.country.setdefault(iri(s.value), c)


def _is_provenance(iri: str) -> bool:
    return iri.startswith(_CLAIM)


def _read_provenance(store: ox.Store, projector: Projector) -> None:
    import pyoxigraph as ox

    prov = ox.NamedNode(str(PROVENANCE_GRAPH))
    fields = CLAIM_FIELDS
    found: dict[str, dict[str, Any]] = defaultdict(dict)
    for predicate, field_name in fields.items():
        intern = projector.iri if field_name == "source" else str
        for s, _, o, _ in store.quads_for_pattern(None, ox.NamedNode(predicate), None, prov):
            found[s.value].setdefault(field_name, intern(o.value))
    for claim in sorted(found):
        entry = found[claim]
        if "quote" not in entry:
            continue
        projector.claims[projector.iri(claim)] = {
            "name": local_name(claim),
            "quote": entry["quote"],
            "sentence": entry.get("sentence"),
            "source": entry.get("source"),
            "note": entry.get("note"),
            "read": entry.get("support") == str(CVEKG.readFromContext),
        }
    read_documents(store, projector)


def read_documents(
    store: ox.Store, projector: Projector, only: Iterable[str] | None = None
) -> None:
    """The source documents and reference datasets the claims and edges cite (titles, dates):
    every one of them, or ``only`` those IRIs (a query result cites a few)."""
    values = ""
    if only is not None:
        values = "VALUES ?d { " + " ".join(f"<{iri}>" for iri in sorted(set(only))) + " }"
    for doc, title, text, published, author in select_rows(
        store,
        f"""SELECT ?d (SAMPLE(?t) AS ?title) (SAMPLE(?x) AS ?text) (SAMPLE(?p) AS ?published)
                  (SAMPLE(?al) AS ?author) WHERE {{ {values}
              ?d a cvekg:SourceDocument .
              OPTIONAL {{ ?d cvekg:title ?t }} OPTIONAL {{ ?d cvekg:text ?x }}
              OPTIONAL {{ ?d cvekg:published ?p }}
              OPTIONAL {{ ?d cvekg:author/rdfs:label ?al }}
            }} GROUP BY ?d ORDER BY ?d""",
    ):
        projector.sources.append(
            {
                "iri": doc.value,
                "title": title.value if title else local_name(doc.value),
                "text": text.value if text else "",
                "published": published.value if published else "",
                "author": author.value if author else "",
            }
        )
    for ref, title, description in select_rows(
        store,
        f"""SELECT ?d (SAMPLE(?t) AS ?title) (SAMPLE(?x) AS ?description) WHERE {{ {values}
              GRAPH ?d {{ ?d a cvekg:ReferenceDataset
                OPTIONAL {{ ?d dcterms:title ?t }} OPTIONAL {{ ?d dcterms:description ?x }} }}
            }} GROUP BY ?d ORDER BY ?d""",
    ):
        projector.references.append(
            {
                "iri": ref.value,
                "title": title.value if title else local_name(ref.value),
                "description": description.value if description else "",
            }
        )


def claim_statements(store: ox.Store, claim: str) -> list[tuple[str, str, str, bool]]:
    """The statements of one claim graph: ``(subject, predicate, object, object is an IRI)``,
    objects as text (the lexical form of a literal)."""
    import pyoxigraph as ox

    return [
        (s.value, p.value, o.value, isinstance(o, ox.NamedNode))
        for s, p, o, _ in store.quads_for_pattern(None, None, None, ox.NamedNode(claim))
    ]


def load(out: Path = Path("build")) -> nx.MultiDiGraph:
    """The projection of the build in folder ``out``, as it is (nothing is rebuilt here:
    :func:`graph.pipeline.load` rebuilds a stale build first)."""
    from graph.store import open_store

    return project(open_store(Path(out)))
