"""Provenance coverage, counted triple by triple.

A claim's triples are covered when its quote was anchored in the source text. A reference
file's triples are covered one by one: the file's dataset (``<…/graph/reference/NAME> a
cvekg:ReferenceDataset``) names its value sources (``cvekg:valueSource``), and a triple is
covered when a value source covers its predicate for its subject:

- ``cvekg:forProperty`` lists the properties a value source covers (none: every property);
- ``cvekg:forSubject`` and ``cvekg:forClass`` (a class the subject is typed with in the same
  file) limit it to some subjects; with neither, it covers every subject;
- a value source must say what it is: a ``dcterms:source`` or a ``dcterms:description``.

The triples that describe the dataset and its value sources are not counted. Every triple no
value source covers is reported, one line per file, subject and predicate, and fails the build;
a file declaring no source at all fails with one line, as before.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, RDF

from graph.errors import display_path
from graph.namespaces import CVEKG
from graph.rdf import from_ox

if TYPE_CHECKING:
    from rdflib import URIRef

    from graph.build.load import Corpus, ReferenceSet
    from graph.build.validate import Labeller

__all__ = [
    "Coverage",
    "SourceCoverage",
    "ValueSource",
    "provenance_coverage",
    "reference_coverage",
    "value_sources",
    "MAX_LISTED",
]

#: Uncovered (subject, predicate) pairs listed per reference file; the rest are counted.
MAX_LISTED = 50

_TYPE = ox.NamedNode(str(RDF.type))
_VALUE_SOURCE = ox.NamedNode(str(CVEKG.valueSource))
_SOURCE = ox.NamedNode(str(DCTERMS.source))


@dataclass
class SourceCoverage:
    """How many triples of one reference file one of its value sources covers."""

    file: str
    iri: str
    title: str
    kind: str
    properties: list[str]
    triples: int = 0


@dataclass
class Coverage:
    """How many asserted instance triples are backed by an anchored quote or a value source.

    ``uncovered`` holds one readable line per problem; ``sources`` the reference triples each
    declared value source covers (a triple two sources cover counts for both).
    """

    total: int = 0
    covered: int = 0
    uncovered: list[str] = field(default_factory=list)
    sources: list[SourceCoverage] = field(default_factory=list)
    claim_total: int = 0
    reference_total: int = 0
    reference_covered: int = 0

    @property
    def percent(self) -> float:
        """Coverage in percent (100 for an empty graph: nothing is unsourced)."""
        return 100.0 if self.total == 0 else 100.0 * self.covered / self.total


@dataclass
class ValueSource:
    """One ``cvekg:ValueSource`` of a reference file: what it covers and what it is.

    ``properties``, ``subjects`` and ``classes`` are IRIs (strings); ``None`` means no limit.
    """

    iri: str
    title: str = ""
    kind: str = ""
    described: bool = False
    properties: frozenset[str] | None = None
    subjects: frozenset[str] | None = None
    classes: frozenset[str] | None = None

    def covers(self, subject: str, types: set[str]) -> bool:
        """Whether this source covers the given subject's triples (of a covered property)."""
        if self.subjects is None and self.classes is None:
            return True
        if self.subjects is not None and subject in self.subjects:
            return True
        return self.classes is not None and not self.classes.isdisjoint(types)


def value_sources(store: ox.Store, graph: str) -> list[ValueSource]:
    """The value sources a reference graph's dataset declares, in IRI order."""
    query = f"""
        PREFIX cvekg: <{CVEKG}>
        PREFIX dcterms: <{DCTERMS}>
        SELECT ?vs ?p ?o WHERE {{ GRAPH <{graph}> {{
            <{graph}> cvekg:valueSource ?vs .
            OPTIONAL {{ ?vs ?p ?o }}
        }} }}"""
    found: dict[str, dict] = {}
    for row in store.query(query):
        node, predicate, value = row["vs"], row["p"], row["o"]
        entry = found.setdefault(node.value, {})
        if predicate is not None:
            entry.setdefault(predicate.value, []).append(value.value)

    def limit(values: dict, term) -> frozenset[str] | None:
        given = values.get(str(term))
        return frozenset(given) if given else None

    sources = []
    for iri in sorted(found):
        values = found[iri]
        sources.append(
            ValueSource(
                iri=iri,
                title=(values.get(str(DCTERMS.title)) or [""])[0],
                kind=(values.get(str(CVEKG.sourceKind)) or [""])[0],
                described=bool(
                    values.get(str(DCTERMS.source)) or values.get(str(DCTERMS.description))
                ),
                properties=limit(values, CVEKG.forProperty),
                subjects=limit(values, CVEKG.forSubject),
                classes=limit(values, CVEKG.forClass),
            )
        )
    return sources


def _short(label: Labeller | None, iri: str) -> str:
    from graph.namespaces import compact

    return label.short(from_ox(ox.NamedNode(iri))) if label is not None else compact(iri)


def reference_coverage(
    ref: ReferenceSet, store: ox.Store | None = None, label: Labeller | None = None
) -> tuple[int, int, list[str], list[SourceCoverage]]:
    """Check one reference file triple by triple: ``(triples, covered, problems, by source)``.

    Triples are the file's place data (not the description of the dataset and its value
    sources). A problem line names the file, the subject and the predicate.
    """
    store = store if store is not None else ref.store
    graph = ox.NamedNode(str(ref.iri))
    where = display_path(ref.path)
    sources = value_sources(store, graph.value)
    problems: list[str] = []
    for source in sources:
        if not source.described:
            problems.append(
                f"{where}: value source {_short(label, source.iri)} names no dcterms:source "
                "or dcterms:description, so it covers nothing"
            )
    usable = [s for s in sources if s.described]
    report = {
        s.iri: SourceCoverage(
            file=where,
            iri=s.iri,
            title=s.title or _short(label, s.iri),
            kind=s.kind,
            properties=sorted(_short(label, p) for p in s.properties or ()) or ["every property"],
        )
        for s in usable
    }
    every = [s for s in usable if s.properties is None]
    by_property: dict[str, list[ValueSource]] = {}
    for source in usable:
        for prop in source.properties or ():
            by_property.setdefault(prop, []).append(source)

    about = {graph.value, *(s.iri for s in sources)}
    types: dict[str, set[str]] = {}
    if any(s.classes for s in usable):
        for quad in store.quads_for_pattern(None, _TYPE, None, graph):
            types.setdefault(quad.subject.value, set()).add(quad.object.value)
    no_types: set[str] = set()

    total = covered = 0
    missing: Counter = Counter()
    for quad in store.quads_for_pattern(None, None, None, graph):
        subject = quad.subject
        if subject.value in about and type(subject) is ox.NamedNode:
            continue
        total += 1
        key = subject.value
        candidates = by_property.get(quad.predicate.value, ())
        hit = False
        for source in (*candidates, *every):
            if source.covers(key, types.get(key, no_types)):
                report[source.iri].triples += 1
                hit = True
        if hit:
            covered += 1
        else:
            missing[(subject, quad.predicate)] += 1

    if not sources and total:
        declared = next(store.quads_for_pattern(graph, _SOURCE, None, graph), None)
        problems = [
            f"{where}: reference data declares no "
            + ("value source" if declared else "source")
            + f" (<{ref.iri}> cvekg:valueSource <…>), so its {total} triples are unsourced"
        ]
        return total, covered, problems, []
    pairs = sorted(missing.items(), key=lambda item: (str(item[0][0]), str(item[0][1])))
    for (subject, predicate), count in pairs[:MAX_LISTED]:
        s, p = from_ox(subject), from_ox(predicate)
        what = label(s) if label is not None else _short(None, subject.value)
        pred = label.short(p) if label is not None else _short(None, predicate.value)
        problems.append(
            f"{where}: {what} {pred}: no value source covers this predicate for this subject, "
            f"so {count} triple{'s are' if count > 1 else ' is'} unsourced"
        )
    if len(pairs) > MAX_LISTED:
        rest = sum(count for _, count in pairs[MAX_LISTED:])
        problems.append(
            f"{where}: … and {len(pairs) - MAX_LISTED} more subject-predicate pairs "
            f"({rest} triples) that no value source covers"
        )
    return total, covered, problems, list(report.values())


def provenance_coverage(corpus: Corpus, anchored: set[URIRef], label: Labeller) -> Coverage:
    """Coverage of every asserted instance triple: claims, stray triples, reference data."""
    cov = Coverage()
    for doc in corpus.documents:
        for claim in doc.claims:
            ok = claim.iri in anchored
            cov.total += claim.size
            cov.claim_total += claim.size
            cov.covered += claim.size if ok else 0
            if not ok:
                cov.uncovered.append(
                    f"{display_path(claim.path)}:{claim.line}:{claim.column}: claim {claim.name} "
                    f"has no quote, so its {claim.size} triples are unsourced"
                )
        for s, p, o in doc.unclaimed:
            cov.total += 1
            cov.claim_total += 1
            cov.uncovered.append(
                f"{display_path(doc.trig_path)}: asserted outside any claim: "
                f"{label(s)} {label.short(p)} {label(o)}"
            )
    for ref in corpus.references:
        total, covered, problems, sources = reference_coverage(ref, corpus.store, label)
        cov.total += total
        cov.covered += covered
        cov.reference_total += total
        cov.reference_covered += covered
        cov.uncovered += problems
        cov.sources += sources
    return cov
