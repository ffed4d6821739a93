"""Validation: SHACL shapes and an ontology lint (provenance coverage: graph.build.coverage).

Each check returns readable problems (entity labels, not only IRIs) rather than raising, so the
build can report every problem at once.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS

from graph.errors import display_path
from graph.namespaces import CVEKG, compact

if TYPE_CHECKING:
    from graph.build.load import Corpus

__all__ = [
    "Labeller",
    "shacl_problems",
    "shacl_problems_in_store",
    "compile_shapes",
    "lint_problems",
    "used_terms",
    "support_problems",
    "support_counts",
    "DECLARATION_TYPES",
]

logger = logging.getLogger(__name__)

#: What makes an IRI a declared term of the ontology.
DECLARATION_TYPES = (
    OWL.Class,
    RDFS.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.NamedIndividual,
)
_TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual)


class Labeller:
    """Turns IRIs into ``English label (prefix:name)`` for messages."""

    def __init__(self, *graphs: Graph, store=None):
        self.labels: dict = {}
        self.store = store  # a pyoxigraph Store to look labels up in, when a message needs one
        for graph in graphs:
            for s, label in graph.subject_objects(RDFS.label):
                if isinstance(label, Literal) and label.language == "en":
                    self.labels.setdefault(s, str(label))

    def _lookup(self, node) -> str | None:
        if node in self.labels or self.store is None or not isinstance(node, URIRef):
            return self.labels.get(node)
        import pyoxigraph as ox

        label = None
        for quad in self.store.quads_for_pattern(
            ox.NamedNode(node), ox.NamedNode(str(RDFS.label)), None, None
        ):
            if isinstance(quad.object, ox.Literal) and quad.object.language == "en":
                label = quad.object.value
                break
        self.labels[node] = label
        return label

    @staticmethod
    def short(node) -> str:
        """A prefixed name when one of our prefixes fits, else the IRI in angle brackets."""
        return compact(str(node)) if isinstance(node, URIRef) else str(node)

    def __call__(self, node) -> str:
        label = self._lookup(node)
        return f"{label} ({self.short(node)})" if label else self.short(node)


def shacl_problems(
    data: Graph, shapes: Graph, label: Labeller, severity: URIRef = SH.Violation
) -> list[str]:
    """Run pyshacl; one line per result of ``severity`` (violations by default): focus node,
    path, value and the shape's message. Results of shapes marked ``sh:Warning`` or
    ``sh:Info`` are not violations: ask for them with ``severity``."""
    from pyshacl import validate  # heavy: imported only when validating

    conforms, report, _ = validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    if conforms and severity == SH.Violation:
        return []
    problems = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        if report.value(result, SH.resultSeverity) != severity:
            continue
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


_TIME = "http://www.w3.org/2006/time#"
#: OWL-Time's classes are times (instants, intervals), not things that happen at a time.
_TIME_CLASSES = {URIRef(_TIME + c) for c in ("TemporalEntity", "Instant", "Interval")}
#: The codebooks of the Global Terrorism Database our individuals are coded from.
_GTD_CODEBOOKS = (CVEKG.AttackType, CVEKG.TargetType)


def _alignment_problems(ontology: Graph, ours: list) -> list[str]:
    """Standards used right: no class of ours is an OWL-Time temporal entity (an event *has*
    a time: ``sem:hasTimeStamp``, ``schema:startDate``), and every attack or target type is
    a GTD category with its GTD code (``skos:notation``)."""
    short = Labeller.short
    problems = []
    for term in ours:
        for parent in ontology.objects(term, RDFS.subClassOf):
            if parent in _TIME_CLASSES:
                problems.append(
                    f"{short(term)}: rdfs:subClassOf {short(parent)} says it is a time (an "
                    "instant or interval); an event has a time (sem:hasTimeStamp, schema:startDate)"
                )
    for codebook in _GTD_CODEBOOKS:
        for individual in sorted(ontology.subjects(RDF.type, codebook)):
            if ontology.value(individual, SKOS.notation) is None:
                problems.append(
                    f"{short(individual)}: a {short(codebook)} without its GTD code (skos:notation)"
                )
    return problems


def lint_problems(
    ontology: Graph, data: Iterable[tuple] = (), used: set | None = None
) -> list[str]:
    """Check the ontology's own terms, and that the data uses only declared terms.

    Every ``cvekg:`` class and property needs labels in English and French, a
    ``skos:definition`` and ``rdfs:isDefinedBy``; every property a domain and a range; an
    ``owl:inverseOf`` must be declared on both properties. Every ``cvekg:`` IRI the ontology
    mentions, and every predicate and class the data uses, must be declared. The terms the data
    uses are read from ``data`` (triples), or given as ``used`` (see :func:`used_terms`).
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
    problems += _alignment_problems(ontology, ours)
    for node in set(ontology.subjects()) | set(ontology.objects()):
        if isinstance(node, URIRef) and node.startswith(str(CVEKG)) and node not in declared:
            problems.append(f"{short(node)}: used in the ontology but never declared")
    used = set(used or ())
    for _, p, o in data:
        used.add(p)
        if p == RDF.type:
            used.add(o)
    for term in sorted(used - declared - {RDF.type}):
        problems.append(f"{short(term)}: used in the data but not declared in the ontology")
    return problems


# --- SHACL shapes as SPARQL -------------------------------------------------------------------
#
# pyshacl needs the data as an rdflib graph and checks it node by node in Python: 2 s for 100k
# triples, minutes for a million. The shapes we write use a small part of SHACL Core, so each
# constraint compiles to one SPARQL query that Oxigraph answers over the whole store.
# ontology/shapes.ttl stays the source of truth; a shape using anything outside this part
# falls back to pyshacl (slow, but never silently unchecked).

_PROPERTY_KEYS = {
    SH.path,
    SH.message,
    SH.name,
    SH.description,
    SH.minCount,
    SH.maxCount,
    SH["class"],
    SH.datatype,
    SH.hasValue,
    SH["in"],
    SH["or"],
    SH.languageIn,
    SH.uniqueLang,
    SH.minInclusive,
    SH.maxInclusive,
    SH.minExclusive,
    SH.maxExclusive,
    SH.qualifiedValueShape,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
    SH.severity,
    RDFS.label,
    RDFS.comment,
    RDF.type,
}
_VALUE_SHAPE_KEYS = {SH.datatype, SH["class"], SH.languageIn, RDF.type}
_NODE_KEYS = {RDF.type, SH.targetClass, SH.property, RDFS.label, RDFS.comment, SH.message}

# Lexical forms of the XSD datatypes a literal can be checked against (pyshacl rejects an
# ill-formed literal such as "abc"^^xsd:decimal; so do we, for these types).
_XSD = "http://www.w3.org/2001/XMLSchema#"
#: Marker graphs, one per XSD datatype, for literals the store keeps canonically.
MARKER_GRAPHS = "https://w3id.org/cvekg/graph/datatype/"
_INTEGER = r"^[+-]?[0-9]+$"
_LEXICAL = {
    "integer": _INTEGER,
    "int": _INTEGER,
    "long": _INTEGER,
    "short": _INTEGER,
    "nonNegativeInteger": r"^(\\+?[0-9]+|-0+)$",
    "positiveInteger": r"^\\+?0*[1-9][0-9]*$",
    "decimal": r"^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)$",
    "double": r"^([+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN)$",
    "float": r"^([+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN)$",
    "boolean": r"^(true|false|1|0)$",
    "date": r"^-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(Z|[+-][0-9]{2}:[0-9]{2})?$",
    "gYearMonth": r"^-?[0-9]{4,}-(0[1-9]|1[0-2])(Z|[+-][0-9]{2}:[0-9]{2})?$",
    "gYear": r"^-?[0-9]{4,}(Z|[+-][0-9]{2}:[0-9]{2})?$",
}


@dataclass(frozen=True)
class _Check:
    """One constraint of one shape, as a query returning ``?focus`` (and ``?value``)."""

    path: URIRef
    message: str
    query: str
    with_value: bool
    severity: URIRef = SH.Violation


def _term(node) -> str:
    from graph.rdf import nt_term

    return nt_term(node)


def _lexical_ok(datatype: str, lexical: str) -> bool:
    """Whether ``lexical`` is a valid lexical form of an XSD ``datatype`` we know the form of."""
    pattern = _LEXICAL.get(datatype[len(_XSD) :]) if datatype.startswith(_XSD) else None
    return pattern is None or re.search(pattern.replace("\\\\", "\\"), lexical) is not None


def _datatype_ok(datatype: URIRef, path: URIRef | None = None, marked: bool = False) -> str:
    """A SPARQL test that ``?value`` has ``datatype`` (and a valid lexical form).

    With ``marked``, the store keeps some values of ``path`` canonically (an
    ``xsd:nonNegativeInteger`` as an ``xsd:integer``): marker graphs say what the sources
    typed them, and the markers win over the stored datatype. A value the sources typed two
    ways (two markers) conforms only if both do.
    """
    if datatype == RDF.langString:
        return '(isLiteral(?value) && LANG(?value) != "")'
    test = f"(isLiteral(?value) && DATATYPE(?value) = {_term(datatype)}"
    if datatype.startswith(_XSD) and datatype[len(_XSD) :] in _LEXICAL:
        test += f' && REGEX(STR(?value), "{_LEXICAL[datatype[len(_XSD) :]]}")'
    test += ")"
    if not marked or path is None or not datatype.startswith(_XSD):
        return test
    p = _term(path)
    mark = f"<{MARKER_GRAPHS}{datatype[len(_XSD) :]}>"
    unmarked = (
        f"NOT EXISTS {{ GRAPH ?marker {{ ?focus {p} ?value }} "
        f'FILTER(STRSTARTS(STR(?marker), "{MARKER_GRAPHS}")) }}'
    )
    no_other = (
        f"NOT EXISTS {{ GRAPH ?other {{ ?focus {p} ?value }} "
        f'FILTER(STRSTARTS(STR(?other), "{MARKER_GRAPHS}") && ?other != {mark}) }}'
    )
    return (
        f"((EXISTS {{ GRAPH {mark} {{ ?focus {p} ?value }} }} && {no_other}) "
        f"|| ({test} && {unmarked}))"
    )


def _languages_ok(shapes: Graph, node) -> str:
    from rdflib.collection import Collection

    tags = [str(t) for t in Collection(shapes, node)]
    tests = " || ".join(f'langMatches(LANG(?value), "{t}")' for t in tags) or "false"
    return f"(isLiteral(?value) && ({tests}))"


def _value_ok(shapes: Graph, shape, path: URIRef | None = None, marked: bool = False) -> str | None:
    """A SPARQL test that ``?value`` conforms to a value shape; None if it is out of reach."""
    keys = set(shapes.predicates(shape))
    if not keys <= _VALUE_SHAPE_KEYS:
        return None
    tests = [_datatype_ok(dt, path, marked) for dt in shapes.objects(shape, SH.datatype)]
    tests += [f"EXISTS {{ ?value a {_term(c)} }}" for c in shapes.objects(shape, SH["class"])]
    tests += [_languages_ok(shapes, lst) for lst in shapes.objects(shape, SH.languageIn)]
    return " && ".join(tests) if tests else "true"


def _message(shapes: Graph, shape, fallback: str) -> str:
    messages = list(shapes.objects(shape, SH.message))
    for message in messages:
        if isinstance(message, Literal) and message.language in (None, "en"):
            return str(message)
    return str(messages[0]) if messages else fallback


def _compile_property(
    shapes: Graph, target: URIRef, shape, marked_paths: frozenset = frozenset()
) -> list[_Check] | None:
    """The checks of one property shape on the instances of ``target``; None if unsupported.

    Every constraint of a shape reports the shape's one message, so constraints merge into
    as few queries as they can: one for the counts (``sh:minCount``, ``sh:maxCount``,
    qualified counts, ``sh:hasValue``), one for the tests of each value (datatype, ``sh:in``,
    ranges…), one per ``sh:class`` (an anti-join, much faster than ``FILTER NOT EXISTS``
    per value) and one for ``sh:uniqueLang``.
    """
    from rdflib.collection import Collection

    if not set(shapes.predicates(shape)) <= _PROPERTY_KEYS:
        return None
    path = shapes.value(shape, SH.path)
    if not isinstance(path, URIRef):
        return None
    focus = f"?focus a {_term(target)} ."
    p = _term(path)
    marked = path in marked_paths
    message = _message(shapes, shape, "violates its shape")
    severity = shapes.value(shape, SH.severity) or SH.Violation
    checks: list[_Check] = []

    # Counts: one grouped query; a focus node is reported when any count is out of bounds.
    binds: list[str] = []
    conditions: list[str] = []
    counted = "?v"
    if marked:  # a value the sources typed two ways (two marker graphs) counts twice
        binds.append(
            f"OPTIONAL {{ GRAPH ?written {{ ?focus {p} ?v }} "
            f'FILTER(STRSTARTS(STR(?written), "{MARKER_GRAPHS}")) }} '
            f'BIND(IF(BOUND(?written), CONCAT(STR(?v), " ", STR(?written)), ?v) AS ?term)'
        )
        counted = "?term"
    for n in shapes.objects(shape, SH.minCount):
        conditions.append(f"COUNT(DISTINCT {counted}) < {int(n)}")
    for n in shapes.objects(shape, SH.maxCount):
        conditions.append(f"COUNT(DISTINCT {counted}) > {int(n)}")
    for i, value in enumerate(shapes.objects(shape, SH.hasValue)):
        binds.append(f"BIND(IF(sameTerm(?v, {_term(value)}), ?v, ?none) AS ?has{i})")
        conditions.append(f"COUNT(DISTINCT ?has{i}) < 1")
    qualified = shapes.value(shape, SH.qualifiedValueShape)
    if qualified is not None:
        test = _value_ok(shapes, qualified, path, marked)
        if test is None:
            return None
        binds.append(f"BIND(IF({test.replace('?value', '?v')}, ?v, ?none) AS ?qualified)")
        for n in shapes.objects(shape, SH.qualifiedMinCount):
            conditions.append(f"COUNT(DISTINCT ?qualified) < {int(n)}")
        for n in shapes.objects(shape, SH.qualifiedMaxCount):
            conditions.append(f"COUNT(DISTINCT ?qualified) > {int(n)}")
    if conditions:
        checks.append(
            _Check(
                path,
                message,
                f"SELECT ?focus WHERE {{ {focus} OPTIONAL {{ ?focus {p} ?v {' '.join(binds)} }} }} "
                f"GROUP BY ?focus HAVING ({' || '.join(conditions)})",
                False,
                severity,
            )
        )

    # Tests of each value: one query, a value is reported when it fails any of them.
    tests: list[str] = []
    for dt in shapes.objects(shape, SH.datatype):
        tests.append(_datatype_ok(dt, path, marked))
    for members in shapes.objects(shape, SH["in"]):
        allowed = " || ".join(f"sameTerm(?value, {_term(m)})" for m in Collection(shapes, members))
        tests.append(f"({allowed or 'false'})")
    for alternatives in shapes.objects(shape, SH["or"]):
        options = [_value_ok(shapes, alt, path, marked) for alt in Collection(shapes, alternatives)]
        if any(t is None for t in options):
            return None
        tests.append(f"({' || '.join(f'({t})' for t in options) or 'false'})")
    for languages in shapes.objects(shape, SH.languageIn):
        tests.append(_languages_ok(shapes, languages))
    for key, op in (
        (SH.minInclusive, ">="),
        (SH.maxInclusive, "<="),
        (SH.minExclusive, ">"),
        (SH.maxExclusive, "<"),
    ):
        for bound in shapes.objects(shape, key):
            tests.append(f"COALESCE(?value {op} {_term(bound)}, false)")
    if tests:
        failing = " || ".join(f"!({t})" for t in tests)
        checks.append(
            _Check(
                path,
                message,
                f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} ?focus {p} ?value "
                f"FILTER({failing}) }}",
                True,
                severity,
            )
        )
    for cls in shapes.objects(shape, SH["class"]):
        checks.append(
            _Check(
                path,
                message,
                f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} ?focus {p} ?value "
                f"MINUS {{ ?value a {_term(cls)} }} }}",
                True,
                severity,
            )
        )
    for unique in shapes.objects(shape, SH.uniqueLang):
        if unique.toPython() is True:
            checks.append(
                _Check(
                    path,
                    message,
                    f"SELECT ?focus WHERE {{ {focus} ?focus {p} ?v "
                    f'FILTER(isLiteral(?v) && LANG(?v) != "") }} '
                    "GROUP BY ?focus (LCASE(LANG(?v)) AS ?lang) HAVING (COUNT(DISTINCT ?v) > 1)",
                    False,
                    severity,
                )
            )
    return checks


def compile_shapes(shapes: Graph, marked_paths: frozenset = frozenset()) -> list[_Check] | None:
    """Every constraint of the shapes as a SPARQL check; None if one is beyond this compiler.

    ``marked_paths``: properties whose values have marker graphs (see :func:`_datatype_ok`).
    """
    checks: list[_Check] = []
    for node_shape in sorted(set(shapes.subjects(RDF.type, SH.NodeShape)), key=str):
        if not set(shapes.predicates(node_shape)) <= _NODE_KEYS:
            return None
        targets = list(shapes.objects(node_shape, SH.targetClass))
        for target in targets:
            for prop in shapes.objects(node_shape, SH.property):
                compiled = _compile_property(shapes, target, prop, marked_paths)
                if compiled is None:
                    return None
                checks += compiled
    # Property shapes that only a non-node shape would reach are beyond this compiler.
    used = set(shapes.objects(None, SH.property))
    if any(s not in used for s in shapes.subjects(SH.path, None) if not _is_nested(shapes, s)):
        return None
    return checks


def _is_nested(shapes: Graph, shape) -> bool:
    return any(True for _ in shapes.subjects(SH.qualifiedValueShape, shape))


def _datatype_paths(shapes: Graph) -> set:
    """Paths of the property shapes that check a datatype (directly, in sh:or or a
    qualified value shape)."""
    paths = set()
    for shape, path in shapes.subject_objects(SH.path):
        inner = [shape, *shapes.objects(shape, SH.qualifiedValueShape)]
        for alternatives in shapes.objects(shape, SH["or"]):
            from rdflib.collection import Collection

            inner += list(Collection(shapes, alternatives))
        if any(shapes.value(node, SH.datatype) is not None for node in inner):
            paths.add(path)
    return paths


def _markers(typed: Iterable[str], paths: set) -> tuple[str, set[str], set[str]]:
    """Marker quads (N-Quads) for typed literals of ``paths`` whose lexical form is valid."""
    lines, graphs, marked = [], set(), set()
    wanted = {f"<{p}>" for p in paths}
    for line in typed:
        parts = line.rstrip(" .\n").split(" ")
        if len(parts) != 4 or parts[1] not in wanted or '"^^<' not in parts[2]:
            continue
        lexical, _, datatype = parts[2][1:].rpartition('"^^<')
        datatype = datatype.rstrip(">")
        if not datatype.startswith(_XSD) or not _lexical_ok(datatype, lexical):
            continue
        graph = f"{MARKER_GRAPHS}{datatype[len(_XSD) :]}"
        graphs.add(graph)
        marked.add(parts[1][1:-1])
        lines.append(f"{parts[0]} {parts[1]} {parts[2]} <{graph}> .\n")
    return "".join(lines), graphs, marked


def shacl_problems_in_store(
    store,
    shapes: Graph,
    label: Labeller,
    typed: Iterable[str] = (),
    severity: URIRef = SH.Violation,
) -> list[str]:
    """The shapes' violations in a pyoxigraph store (union of its graphs), one line each.

    Only the results of ``severity`` are returned: violations by default. A shape marked
    ``sh:severity sh:Warning`` (or ``sh:Info``) states what a source usually gives, not what
    every source must: its results never fail a build; pass its severity to list them.

    The lines read as :func:`shacl_problems` writes them. The store should hold the data
    graph only (claims, reference data, inferred triples, provenance): no ontology.
    ``typed`` lists, as N-Quads, literals the store keeps canonically with their datatype
    as written (``Corpus.typed``), so ``sh:datatype xsd:nonNegativeInteger`` checks what the
    sources say.
    """
    import pyoxigraph as ox

    from graph.rdf import from_ox

    data, graphs, marked = _markers(typed, _datatype_paths(shapes))
    checks = compile_shapes(shapes, frozenset(URIRef(p) for p in marked))
    if checks is None:
        logger.warning("shapes use SHACL features beyond the SPARQL checks: running pyshacl")
        return _pyshacl_on_store(store, shapes, label, severity)
    checks = [c for c in checks if c.severity == severity]
    if data:
        store.load(data, ox.RdfFormat.N_QUADS)
    try:
        return _run_checks(store, checks, label, from_ox)
    finally:
        for graph in graphs:
            store.update(f"DROP SILENT GRAPH <{graph}>")


#: Threads running the compiled checks: Oxigraph evaluates a query without the GIL, so two
#: checks run at once on two cores (the SHACL queries of a 1M build: see docs/performance.md).
CHECK_THREADS = 2


def _run_checks(store, checks: list[_Check], label: Labeller, from_ox) -> list[str]:
    from concurrent.futures import ThreadPoolExecutor

    def rows(check: _Check) -> list:
        return list(store.query(check.query, use_default_graph_as_union=True))

    problems = set()
    with ThreadPoolExecutor(CHECK_THREADS) as pool:
        answers = list(pool.map(rows, checks))
    for check, found in zip(checks, answers, strict=True):
        for row in found:
            focus = from_ox(row["focus"])
            value = row["value"] if check.with_value else None
            line = f"{label(focus)} {label.short(check.path)}: {check.message}"
            if value is not None:
                value = from_ox(value)
                if value != focus:
                    line += f" (value: {label(value)})"
            problems.add(line)
    return sorted(problems)


def _pyshacl_on_store(
    store, shapes: Graph, label: Labeller, severity: URIRef = SH.Violation
) -> list[str]:
    import pyoxigraph as ox

    data = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
    graph = Graph().parse(
        data=data.serialize(format=ox.RdfFormat.N_TRIPLES).decode("utf-8"), format="nt"
    )
    return shacl_problems(graph, shapes, label, severity)


def used_terms(store, graphs_to_skip: Iterable[str] = ()) -> set:
    """Predicates and classes the data in a pyoxigraph store uses (for :func:`lint_problems`)."""
    from graph.rdf import from_ox

    skip = " && ".join(f"?g != <{g}>" for g in graphs_to_skip) or "true"
    used = set()
    for query in (
        f"SELECT DISTINCT ?t WHERE {{ GRAPH ?g {{ ?s ?t ?o }} FILTER({skip}) }}",
        f"SELECT DISTINCT ?t WHERE {{ GRAPH ?g {{ ?s a ?t }} FILTER({skip}) }}",
    ):
        used.update(from_ox(row[0]) for row in store.query(query))
    return used


def support_problems(corpus: Corpus) -> list[str]:
    """Claims that do not say how they stand to their quote, or that are read from context
    without a note saying what was read and why: ``file:line:column: claim NAME: …``."""
    stated, read = str(CVEKG.stated), str(CVEKG.readFromContext)
    problems = []
    for doc in corpus.documents:
        for claim in doc.claims:
            if claim.support == stated:  # nearly every claim: no path resolved for it
                continue
            where = f"{display_path(claim.path)}:{claim.line}:{claim.column}: claim {claim.name}"
            if claim.support is None:
                problems.append(
                    f"{where} does not say how it stands to its quote: add cvekg:support "
                    "cvekg:stated (the words say it) or cvekg:readFromContext (with a "
                    "skos:editorialNote saying what was read and why)"
                )
            elif claim.support == read and not claim.notes:
                problems.append(
                    f"{where} is read from context but has no skos:editorialNote saying what "
                    "was read and why"
                )
            elif claim.support not in (stated, read):
                problems.append(
                    f"{where}: cvekg:support must be cvekg:stated or cvekg:readFromContext"
                )
    return problems


def support_counts(corpus: Corpus) -> dict[str, int]:
    """Claims by how they stand to their quote: ``{"stated": n, "read from context": m}``."""
    counts = {"stated": 0, "read from context": 0}
    for doc in corpus.documents:
        for claim in doc.claims:
            if claim.support == str(CVEKG.stated):
                counts["stated"] += 1
            elif claim.support == str(CVEKG.readFromContext):
                counts["read from context"] += 1
    return counts
