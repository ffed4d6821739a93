"""Targeted inference: the few OWL rules our users rely on, not a full OWL-RL closure.

Rules, applied to a fixpoint:

* ``rdfs:subClassOf`` (types get their superclasses, including the alignment classes);
* ``rdfs:subPropertyOf`` (a ``hostCity`` is also a ``partnerCity`` and a ``sem:hasActor``);
* ``owl:inverseOf`` (whichever direction a curator wrote, both are there);
* ``owl:TransitiveProperty`` (Clarkston is in Georgia, so in the United States);
* defined classes: ``owl:equivalentClass`` of an intersection of named classes and
  ``owl:hasValue`` restrictions, such as ``FrenchCity = City and locatedIn value France``.

The result holds only new triples; the build puts them in their own named graph.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

__all__ = ["Rules", "infer"]


def _closure(edges: dict, start) -> set:
    seen, todo = set(), [start]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    seen.discard(start)
    return seen


class Rules:
    """The rules an ontology implies, read once."""

    def __init__(self, ontology: Graph):
        sub_class = defaultdict(set)
        for c, sup in ontology.subject_objects(RDFS.subClassOf):
            if isinstance(c, URIRef) and isinstance(sup, URIRef):
                sub_class[c].add(sup)
        sub_prop = defaultdict(set)
        for p, sup in ontology.subject_objects(RDFS.subPropertyOf):
            sub_prop[p].add(sup)
        self.superclasses = {c: _closure(sub_class, c) for c in list(sub_class)}
        self.superproperties = {p: _closure(sub_prop, p) for p in list(sub_prop)}
        self.inverse: dict[URIRef, URIRef] = {}
        for p, q in ontology.subject_objects(OWL.inverseOf):
            self.inverse[p] = q
            self.inverse[q] = p
        self.transitive = set(ontology.subjects(RDF.type, OWL.TransitiveProperty))
        # defined class -> (named classes, [(property, value)])
        self.defined: dict[URIRef, tuple[set, list]] = {}
        for cls, expr in ontology.subject_objects(OWL.equivalentClass):
            parts = ontology.value(expr, OWL.intersectionOf) if isinstance(expr, BNode) else None
            if parts is None:
                continue
            classes, values = set(), []
            for part in Collection(ontology, parts):
                if isinstance(part, URIRef):
                    classes.add(part)
                elif (value := ontology.value(part, OWL.hasValue)) is not None:
                    values.append((ontology.value(part, OWL.onProperty), value))
            self.defined[cls] = (classes, values)
        # which defined classes to re-check when a type or a property value appears
        self.defined_by_class = defaultdict(set)
        self.defined_by_property = defaultdict(set)
        for cls, (classes, values) in self.defined.items():
            for c in classes:
                self.defined_by_class[c].add(cls)
            for p, _ in values:
                self.defined_by_property[p].add(cls)


def infer(ontology: Graph, facts: Iterable[tuple], rules: Rules | None = None) -> set[tuple]:
    """Return the triples the rules add to ``facts`` (never one already among them).

    Examples
    --------
    >>> from rdflib import Namespace
    >>> ex = Namespace("http://ex/")
    >>> ont = Graph()
    >>> _ = ont.add((ex.City, RDFS.subClassOf, ex.Place))
    >>> sorted(str(o) for _, _, o in infer(ont, [(ex.lyon, RDF.type, ex.City)]))
    ['http://ex/Place']
    """
    rules = rules or Rules(ontology)
    known: set[tuple] = set()
    out_index: dict = defaultdict(lambda: defaultdict(set))  # transitive p -> s -> {o}
    in_index: dict = defaultdict(lambda: defaultdict(set))  # transitive p -> o -> {s}
    queue: deque = deque()
    new: set[tuple] = set()

    def add(triple: tuple, inferred: bool) -> None:
        if triple in known:
            return
        known.add(triple)
        if inferred:
            new.add(triple)
        s, p, o = triple
        if p in rules.transitive:
            out_index[p][s].add(o)
            in_index[p][o].add(s)
        queue.append(triple)

    for triple in facts:
        add(tuple(triple), inferred=False)

    def check_defined(subject, candidates) -> None:
        for cls in candidates:
            classes, values = rules.defined[cls]
            if all((subject, RDF.type, c) in known for c in classes) and all(
                (subject, p, v) in known for p, v in values
            ):
                add((subject, RDF.type, cls), inferred=True)

    while queue:
        s, p, o = queue.popleft()
        if p == RDF.type:
            for sup in rules.superclasses.get(o, ()):
                add((s, RDF.type, sup), inferred=True)
            check_defined(s, rules.defined_by_class.get(o, ()))
            continue
        for sup in rules.superproperties.get(p, ()):
            add((s, sup, o), inferred=True)
        inverse = rules.inverse.get(p)
        if inverse is not None and not isinstance(o, (BNode,)) and isinstance(o, URIRef):
            add((o, inverse, s), inferred=True)
        if p in rules.transitive:
            for further in list(out_index[p].get(o, ())):
                add((s, p, further), inferred=True)
            for earlier in list(in_index[p].get(s, ())):
                add((earlier, p, o), inferred=True)
        check_defined(s, rules.defined_by_property.get(p, ()))
    return new
