"""The ontology as the projection reads it from a built store: the labels of its terms,
superclasses, inverses, sub-properties and defined classes, and the colour group of a class."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from graph.namespaces import CVEKG, ONTOLOGY_GRAPH
from graph.network.groups import GROUP_OF_CLASS
from graph.network.names import local_name

if TYPE_CHECKING:
    import pyoxigraph as ox

__all__ = ["Ontology", "select_rows", "read_ontology"]

_TIME_UNIT = "http://www.w3.org/2006/time#unit"


@dataclass
class Ontology:
    """The terms of the ontology graph, and what the projection asks of them per entity
    (labels, depth of a class, colour group), cached."""

    labels: dict[str, dict[str, str]]
    supers: dict[str, set[str]]
    inverse: dict[str, str]
    subproperty: dict[str, set[str]]
    #: Classes with a definition (``owl:equivalentClass``): the build infers their members.
    defined: set[str] = field(default_factory=set)
    _depths: dict[str, int] = field(default_factory=dict)
    _groups: dict[str | None, str] = field(default_factory=dict)
    _labels: dict[tuple[str, str], str] = field(default_factory=dict)

    def label(self, iri: str, lang: str) -> str:
        found = self._labels.get((iri, lang))
        if found is None:
            names = self.labels.get(iri, {})
            found = names.get(lang) or names.get("en") or names.get("") or local_name(iri)
            self._labels[(iri, lang)] = found
        return found

    def value_label(self, iri: str) -> str:
        """How an IRI value outside our entities reads as a fact of one (in English): its
        label, an OWL-Time unit as the plain word (``time:unitMonth``: ``month``)."""
        label = self.label(iri, "en")
        if iri.startswith(_TIME_UNIT):
            label = label.removeprefix("unit").lower()
        return label

    def depth(self, cls: str, seen: frozenset[str] = frozenset()) -> int:
        """1 + the longest chain of superclasses above ``cls`` (cached: called per entity)."""
        if not seen and cls in self._depths:
            return self._depths[cls]
        parents = self.supers.get(cls, set()) - seen - {cls}
        found = 1 + max((self.depth(p, seen | {cls}) for p in parents), default=0)
        if not seen:
            self._depths[cls] = found
        return found

    def group(self, cls: str | None) -> str:
        if cls in self._groups:
            return self._groups[cls]
        todo, seen, found = [cls] if cls else [], set(), "other"
        while todo:
            c = todo.pop(0)
            if c in seen:
                continue
            seen.add(c)
            key = GROUP_OF_CLASS.get(local_name(c)) if c.startswith(str(CVEKG)) else None
            if key:
                found = key
                break
            todo.extend(sorted(self.supers.get(c, ())))
        self._groups[cls] = found
        return found


def select_rows(store: ox.Store, query: str) -> Iterator[tuple]:
    """Rows of one of our own SELECT queries (prefixes bound, union default graph).

    These queries are fixed text, so they skip the user query gate (which lists every named
    graph on each call: a second at a million triples).
    """
    from graph.namespaces import PREFIXES

    results = store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True)
    width = len(results.variables)
    for solution in results:
        yield tuple(solution[i] for i in range(width))


def read_ontology(store: ox.Store) -> Ontology:
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    supers: dict[str, set[str]] = defaultdict(set)
    inverse: dict[str, str] = {}
    subproperty: dict[str, set[str]] = defaultdict(set)
    onto = f"<{ONTOLOGY_GRAPH}>"
    for term, label in select_rows(
        store, f"SELECT ?t ?l WHERE {{ GRAPH {onto} {{ ?t rdfs:label ?l }} FILTER isIRI(?t) }}"
    ):
        labels[term.value][label.language or ""] = label.value
    for cls, sup in select_rows(
        store,
        f"""SELECT ?c ?s WHERE {{ GRAPH {onto} {{
              {{ ?c rdfs:subClassOf ?s }}
              UNION {{ ?c owl:equivalentClass/owl:intersectionOf/rdf:rest*/rdf:first ?s }}
            }} FILTER(isIRI(?c) && isIRI(?s)) }}""",
    ):
        supers[cls.value].add(sup.value)
    for p, q in select_rows(
        store, f"SELECT ?p ?q WHERE {{ GRAPH {onto} {{ ?p owl:inverseOf ?q }} FILTER isIRI(?q) }}"
    ):
        inverse[p.value] = q.value
    for p, q in select_rows(
        store, f"SELECT ?p ?q WHERE {{ GRAPH {onto} {{ ?p rdfs:subPropertyOf ?q }} }}"
    ):
        subproperty[p.value].add(q.value)
    defined = {
        c.value
        for (c,) in select_rows(
            store,
            f"SELECT ?c WHERE {{ GRAPH {onto} {{ ?c owl:equivalentClass ?d }} FILTER isIRI(?c) }}",
        )
    }
    return Ontology(dict(labels), dict(supers), inverse, dict(subproperty), defined)
