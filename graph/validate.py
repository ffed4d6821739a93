"""Validation: SHACL shapes, an ontology lint, and provenance coverage.

Each check returns readable problems (entity labels, not only IRIs) rather than raising, so the
build can report every problem at once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS

from graph.namespaces import CVEKG, PREFIXES

__all__ = ["Labeller", "Coverage", "shacl_problems", "lint_problems", "DECLARATION_TYPES"]

logger = logging.getLogger(__name__)

#: What makes an IRI a declared term of the ontology.
DECLARATION_TYPES = (
    OWL.Class,
    RDFS.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
)
_TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)


class Labeller:
    """Turns IRIs into ``English label (prefix:name)`` for messages."""

    def __init__(self, *graphs: Graph):
        self.labels: dict = {}
        for graph in graphs:
            for s, label in graph.subject_objects(RDFS.label):
                if isinstance(label, Literal) and label.language == "en":
                    self.labels.setdefault(s, str(label))

    @staticmethod
    def short(node) -> str:
        """A prefixed name when one of our prefixes fits, else the IRI in angle brackets."""
        if not isinstance(node, URIRef):
            return str(node)
        best = ""
        for prefix, ns in PREFIXES.items():
            if node.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
                best = prefix
        return f"{best}:{node[len(PREFIXES[best]) :]}" if best else f"<{node}>"

    def __call__(self, node) -> str:
        label = self.labels.get(node)
        return f"{label} ({self.short(node)})" if label else self.short(node)


def shacl_problems(data: Graph, shapes: Graph, label: Labeller) -> list[str]:
    """Run pyshacl; one line per violation: focus node, path, value and the shape's message."""
    from pyshacl import validate  # heavy: imported only when validating

    conforms, report, _ = validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    if conforms:
        return []
    problems = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        messages = [str(m) for m in report.objects(result, SH.resultMessage)]
        line = f"{label(focus)}"
        if path is not None:
            line += f" {label.short(path)}"
        line += f": {messages[0] if messages else 'violates a shape'}"
        if value is not None and value != focus:
            line += f" (value: {label(value)})"
        problems.append(line)
    return sorted(set(problems))


def _declared(ontology: Graph) -> set:
    declared = set()
    for kind in DECLARATION_TYPES:
        declared.update(ontology.subjects(RDF.type, kind))
    return declared


def lint_problems(ontology: Graph, data: Iterable[tuple]) -> list[str]:
    """Check the ontology's own terms, and that the data uses only declared terms.

    Every ``cvekg:`` class and property needs labels in English and French, a
    ``skos:definition`` and ``rdfs:isDefinedBy``; every property a domain and a range; an
    ``owl:inverseOf`` must be declared on both properties. Every ``cvekg:`` IRI the ontology
    mentions, and every predicate and class the data uses, must be declared.
    """
    problems = []
    declared = _declared(ontology)
    ours = sorted(t for t in declared if isinstance(t, URIRef) and t.startswith(str(CVEKG)))
    short = Labeller.short
    for term in ours:
        kinds = set(ontology.objects(term, RDF.type))
        if not kinds & set(_TERM_TYPES):
            continue
        languages = {lbl.language for lbl in ontology.objects(term, RDFS.label)}
        for lang in ("en", "fr"):
            if lang not in languages:
                problems.append(f"{short(term)}: no rdfs:label in {lang}")
        if ontology.value(term, SKOS.definition) is None:
            problems.append(f"{short(term)}: no skos:definition")
        if ontology.value(term, RDFS.isDefinedBy) is None:
            problems.append(f"{short(term)}: no rdfs:isDefinedBy")
        if kinds & {OWL.ObjectProperty, OWL.DatatypeProperty}:
            for what in (RDFS.domain, RDFS.range):
                if ontology.value(term, what) is None:
                    problems.append(f"{short(term)}: no {short(what)}")
        for inverse in ontology.objects(term, OWL.inverseOf):
            if (inverse, OWL.inverseOf, term) not in ontology:
                problems.append(
                    f"{short(term)}: owl:inverseOf {short(inverse)} is not declared both ways"
                )
    for node in set(ontology.subjects()) | set(ontology.objects()):
        if isinstance(node, URIRef) and node.startswith(str(CVEKG)) and node not in declared:
            problems.append(f"{short(node)}: used in the ontology but never declared")
    used = set()
    for _, p, o in data:
        used.add(p)
        if p == RDF.type:
            used.add(o)
    for term in sorted(used - declared - {RDF.type}):
        problems.append(f"{short(term)}: used in the data but not declared in the ontology")
    return problems


@dataclass
class Coverage:
    """How many asserted instance triples are backed by an anchored quote or reference data."""

    total: int = 0
    covered: int = 0
    uncovered: list[str] = field(default_factory=list)

    @property
    def percent(self) -> float:
        """Coverage in percent (100 for an empty graph: nothing is unsourced)."""
        return 100.0 if self.total == 0 else 100.0 * self.covered / self.total
