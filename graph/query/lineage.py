"""Which named graphs each row of a SELECT answer rests on: its lineage.

A row's values alone do not say where it came from (``03-city-pairs`` shows labels and a
date, never the exchange that joins them), so the lineage is read from the triples that
matched it:

1. The query is parsed into SPARQL algebra (rdflib's ``parseQuery``/``translateQuery``) and
   walked for the triple patterns it evaluates at its top level: in BGPs, property paths,
   ``OPTIONAL``, ``UNION``, ``GRAPH``, and under ``FILTER``/``BIND``/``GROUP BY``. Patterns
   under ``MINUS``, ``NOT EXISTS`` and ``EXISTS`` support no row and are left out.
2. A *lineage query* is the same ``WHERE`` clause projecting the row's variables (for an
   aggregate, its group keys) plus every variable the patterns use, without ``DISTINCT``,
   ``ORDER BY``, ``LIMIT``, ``GROUP BY`` or ``HAVING``. It runs on the same store through the
   safe entry point (:func:`graph.query.sparql.run_query`), so each of its solutions is one
   way the original row was matched, with every inner binding.
3. Each pattern, instantiated with a solution's bindings, is looked up as a quad pattern
   (``GRAPH ?g { s p o }``; a property path step by step), which gives the named graphs
   holding the very triples that matched: the same graphs a ``GRAPH ?g_i`` around every
   pattern would bind, without changing what a pattern spanning graphs (a path, a join)
   matches.
4. A subquery is a query of its own: its lineage is computed the same way and joined to the
   outer solutions on the variables it projects. An aggregate row (``COUNT``, ``SAMPLE``…)
   rests on every solution of its group.

A triple of the inferred graph rests on what it was inferred from (:func:`implied_graphs`):
for an inverse or broader property, the graphs relating its two ends; for a transitive
property, the graphs of each step; for an inferred type, the graphs typing its subject and
those stating the properties that define the class (a French city is a city located in
France). A triple of the provenance graph about a claim rests on that claim.

Limits: a row is matched to lineage solutions by its values, so rows with blank nodes or
values computed by ``RAND()``/``NOW()``/``UUID()``/``BNODE()`` find none; ``GROUP BY`` on an
expression without ``AS`` is not followed; a blank node in a pattern (``[ a cvekg:City ]``)
or a variable hidden inside a subquery is looked up as a wildcard, which may cite a few
more graphs than matched. Such rows are left to the caller's value-based guess.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef, Variable
from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, Path, SequencePath

from graph.namespaces import CLAIM, INFERRED_GRAPH, ONTOLOGY_GRAPH, PREFIXES, PROVENANCE_GRAPH
from graph.namespaces import REFERENCE_GRAPH as _REFERENCE_NS
from graph.query.sparql import _tokens, run_query

__all__ = ["Hit", "row_lineage", "implied_graphs", "naming_claims", "LineageUnavailableError"]

logger = logging.getLogger(__name__)

_CLAIM = str(CLAIM)
_INFERRED = str(INFERRED_GRAPH)
_PROVENANCE = str(PROVENANCE_GRAPH)
_ONTOLOGY = str(ONTOLOGY_GRAPH)
_REFERENCE = str(_REFERENCE_NS)
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_OWL = "http://www.w3.org/2002/07/owl#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_CHUNK = 300
_END_OF_PROJECTION = {"WHERE", "FROM"}
_MODIFIERS = {"GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES"}
_ALIAS = re.compile(r"\bAS\s+[?$]([\w]+)\s*\)$", re.IGNORECASE)

#: A quad that matched: ``(graph, subject, predicate, object)`` as N-Triples strings.
Hit = tuple[str, str, str, str]


class LineageUnavailableError(Exception):
    """The query's lineage cannot be worked out (a form or construct not followed)."""


@dataclass
class _Pattern:
    """A triple pattern of the query: rdflib terms, the ``GRAPH`` it sits in, and whether it
    is optional (a solution may leave its variables unbound)."""

    subject: object
    predicate: object
    object: object
    graph: object = None
    optional: bool = False


@dataclass
class _Level:
    """What one SELECT (the query or a subquery) evaluates at its own level."""

    patterns: list[_Pattern] = field(default_factory=list)
    projected: list[str] = field(default_factory=list)
    group: list[str] | None = None  # group-by variables, when the level aggregates


# --- reading the algebra --------------------------------------------------------------------


def _algebra(text: str):
    from rdflib import Namespace
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        return translateQuery(
            parseQuery(text), initNs={k: Namespace(v) for k, v in PREFIXES.items()}
        ).algebra
    except Exception as exc:  # rdflib reads a little less than Oxigraph does
        raise LineageUnavailableError(f"rdflib cannot read the query: {exc}") from None


def _level(text: str) -> _Level:
    """The patterns, projection and grouping of the SELECT that ``text`` holds."""
    top = _algebra(text)
    if top.name != "SelectQuery":
        raise LineageUnavailableError(f"{top.name} has no rows")
    level = _Level(projected=[str(v) for v in top.get("PV") or []])

    def walk(node, graph, optional: bool, top_project: bool) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item, graph, optional, top_project)
            return
        name = getattr(node, "name", None)
        if name is None:
            return
        if name == "Project" and not top_project:
            return  # a subquery: its own level
        if name == "BGP":
            for s, p, o in node.triples:
                level.patterns.append(_Pattern(s, p, o, graph, optional))
        elif name == "Graph":
            walk(node.p, node.term, optional, False)
        elif name == "LeftJoin":
            walk(node.p1, graph, optional, False)
            walk(node.p2, graph, True, False)
        elif name == "Minus":
            walk(node.p1, graph, optional, False)
        elif name in {"Join", "Union"}:
            walk(node.p1, graph, optional, False)
            walk(node.p2, graph, optional, False)
        elif name == "Group":
            exprs = node.get("expr") or []
            if any(not isinstance(e, Variable) for e in exprs):
                raise LineageUnavailableError("GROUP BY an expression without AS is not followed")
            level.group = [str(e) for e in exprs]
            walk(node.p, graph, optional, False)
        elif name == "SelectQuery" or name == "Project":
            walk(node.p, graph, optional, name == "SelectQuery")
        elif "p" in node:
            walk(node.p, graph, optional, top_project and name != "ToMultiSet")

    walk(top, None, False, True)
    if level.group is None and _aggregates(top):
        level.group = []  # aggregates without GROUP BY: one group
    return level


def _aggregates(node) -> bool:
    """Whether the top level (not a subquery) has an AggregateJoin."""
    while node is not None and hasattr(node, "name"):
        if node.name == "AggregateJoin":
            return True
        if node.name == "ToMultiSet":
            return False
        node = node.get("p")
        if node is not None and getattr(node, "name", None) == "Project":
            node = node.get("p")
    return False


# --- rewriting the text ---------------------------------------------------------------------


@dataclass
class _Shape:
    """Where the parts of a SELECT sit in its text (character offsets)."""

    prologue: str
    projection: str
    dataset: str
    where: str
    group_aliases: list[str]
    values: str
    subqueries: list[str]


def _shape(text: str) -> _Shape:
    tokens = _tokens(text)
    select = next(
        (i for i, t in enumerate(tokens) if t.kind == "word" and t.text.upper() == "SELECT"), None
    )
    if select is None:
        raise LineageUnavailableError("not a SELECT query")
    first = select + 1
    if first < len(tokens) and tokens[first].text.upper() in {"DISTINCT", "REDUCED"}:
        first += 1
    depth, end_projection, open_brace = 0, None, None
    for i in range(first, len(tokens)):
        token = tokens[i]
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
        elif depth == 0 and token.kind == "word" and token.text.upper() in _END_OF_PROJECTION:
            end_projection = end_projection if end_projection is not None else i
        elif depth == 0 and token.text == "{":
            end_projection = end_projection if end_projection is not None else i
            open_brace = i
            break
    if open_brace is None or end_projection is None:
        raise LineageUnavailableError("no WHERE clause found")
    depth, close_brace, subqueries, sub_start, sub_depth = 0, None, [], None, 0
    for i in range(open_brace, len(tokens)):
        token = tokens[i]
        if token.text == "{":
            depth += 1
        elif token.text == "}":
            if sub_start is not None and depth == sub_depth:
                subqueries.append(text[tokens[sub_start].offset : token.offset])
                sub_start = None
            depth -= 1
            if depth == 0:
                close_brace = i
                break
        elif token.kind == "word" and token.text.upper() == "SELECT" and sub_start is None:
            sub_start, sub_depth = i, depth
    if close_brace is None:
        raise LineageUnavailableError("the WHERE clause is not closed")
    after = tokens[close_brace + 1 :]
    values_at = next(
        (t.offset for t in after if t.kind == "word" and t.text.upper() == "VALUES"), None
    )
    aliases: list[str] = []
    grouping = False
    depth, alias_start = 0, None
    for k, token in enumerate(after):
        word = token.text.upper() if token.kind == "word" else ""
        if word == "GROUP" and depth == 0:
            grouping = True
        elif word in _MODIFIERS - {"GROUP"} and depth == 0:
            grouping = False
        if not grouping:
            continue
        if token.text == "(":
            if depth == 0:
                alias_start = k
            depth += 1
        elif token.text == ")":
            depth -= 1
            if depth == 0 and alias_start is not None:
                inner = after[alias_start : k + 1]
                if any(t.kind == "word" and t.text.upper() == "AS" for t in inner):
                    aliases.append(text[after[alias_start].offset : token.offset + 1])
                alias_start = None
    start_projection = tokens[first].offset
    projection_end = tokens[end_projection].offset
    return _Shape(
        prologue=text[: tokens[select].offset],
        projection=text[start_projection:projection_end].strip(),
        dataset=text[projection_end : tokens[open_brace].offset].strip(),
        where=text[tokens[open_brace].offset : tokens[close_brace].offset + 1],
        group_aliases=aliases,
        values=text[values_at:] if values_at is not None else "",
        subqueries=subqueries,
    )


def _variables(patterns: Iterable[_Pattern]) -> list[str]:
    seen: dict[str, None] = {}
    for pattern in patterns:
        for term in (pattern.subject, pattern.predicate, pattern.object, pattern.graph):
            if isinstance(term, Variable):
                seen.setdefault(str(term))
    return list(seen)


# --- looking up what matched ----------------------------------------------------------------


def _sparql(term) -> str | None:
    """A term as SPARQL text (None for a variable or blank node: a wildcard)."""
    if isinstance(term, URIRef | Literal):
        return term.n3()
    return None


def _value(term, solution: dict[str, str | None]) -> str | None:
    """A pattern's term under a solution, as SPARQL text (None: look it up as any term; a
    blank node of the answer cannot be looked up by its label)."""
    if isinstance(term, Variable):
        value = solution.get(str(term))
        return None if value is None or value.startswith(("_:", "<<")) else value
    if isinstance(term, BNode):
        return None
    return _sparql(term)


def _lookup_quads(
    store: ox.Store, patterns: Sequence[tuple[str | None, str | None, str | None, str | None]]
) -> dict[int, list[Hit]]:
    """For each quad pattern (None: any term), the quads of the store it matches."""
    found: dict[int, list[Hit]] = {}
    indexed = list(enumerate(patterns))
    for start in range(0, len(indexed), _CHUNK):
        rows = " ".join(
            f"({i} {' '.join(t if t is not None else 'UNDEF' for t in quad)})"
            for i, quad in indexed[start : start + _CHUNK]
        )
        query = (
            "SELECT ?i ?g ?s ?p ?o WHERE { VALUES (?i ?s ?p ?o ?g) { "
            + rows
            + " } GRAPH ?g { ?s ?p ?o } }"
        )
        for row in store.query(query):
            hit = (str(row["g"]), str(row["s"]), str(row["p"]), str(row["o"]))
            found.setdefault(int(row["i"].value), []).append(hit)
    return found


class _Fresh:
    def __init__(self) -> None:
        self.count = itertools.count()

    def __call__(self, stem: str) -> str:
        return f"?__lineage_{stem}{next(self.count)}"


def _path_steps(path, subject: str, obj: str, fresh: _Fresh) -> tuple[str, list[tuple]]:
    """A group pattern matching ``subject path obj`` step by step, each step in a ``GRAPH``,
    and the steps as ``(graph, subject, predicate, object)`` variables or terms."""
    if isinstance(path, URIRef):
        graph = fresh("g")
        return f"GRAPH {graph} {{ {subject} {path.n3()} {obj} }}", [
            (graph, subject, path.n3(), obj)
        ]
    if isinstance(path, InvPath):
        return _path_steps(path.arg, obj, subject, fresh)
    if isinstance(path, AlternativePath):
        parts = [_path_steps(arg, subject, obj, fresh) for arg in path.args]
        text = " UNION ".join(f"{{ {t} }}" for t, _ in parts)
        return text, [step for _, steps in parts for step in steps]
    if isinstance(path, SequencePath):
        nodes = [subject] + [fresh("m") for _ in path.args[1:]] + [obj]
        parts = [_path_steps(a, nodes[k], nodes[k + 1], fresh) for k, a in enumerate(path.args)]
        return " . ".join(t for t, _ in parts), [step for _, steps in parts for step in steps]
    if isinstance(path, MulPath):
        before, after = fresh("m"), fresh("m")
        inner, steps = _path_steps(path.path, before, after, fresh)
        star = f"({path.path.n3()})*"
        return f"{subject} {star} {before} . {inner} . {after} {star} {obj}", steps
    if isinstance(path, NegatedPath):
        graph, predicate = fresh("g"), fresh("p")
        forward = [a.n3() for a in path.args if isinstance(a, URIRef)]
        keep = f" FILTER({predicate} NOT IN ({', '.join(forward)}))" if forward else ""
        return f"GRAPH {graph} {{ {subject} {predicate} {obj} }}{keep}", [
            (graph, subject, predicate, obj)
        ]
    raise LineageUnavailableError(f"property path {path!r} is not followed")


def _lookup_path(store: ox.Store, path: Path, ends: Sequence[tuple[str, str]]) -> dict[int, list]:
    """For each ``(subject, object)``, the quads of every step of ``path`` between them."""
    fresh = _Fresh()
    text, steps = _path_steps(path, "?__s", "?__o", fresh)
    names = sorted({v for step in steps for v in step if v.startswith("?")})
    found: dict[int, list[Hit]] = {}
    indexed = list(enumerate(ends))
    for start in range(0, len(indexed), _CHUNK):
        rows = " ".join(f"({i} {s} {o})" for i, (s, o) in indexed[start : start + _CHUNK])
        query = (
            f"SELECT DISTINCT ?__i {' '.join(names)} WHERE {{ "
            f"VALUES (?__i ?__s ?__o) {{ {rows} }} {text} }}"
        )
        for row in store.query(query, use_default_graph_as_union=True):
            i = int(row["__i"].value)
            for step in steps:
                values = [row[v[1:]] if v.startswith("?") else v for v in step]
                if all(v is not None for v in values):
                    hit = tuple(str(v) if not isinstance(v, str) else v for v in values)
                    found.setdefault(i, []).append(hit)  # type: ignore[arg-type]
    return found


def _solution_hits(
    store: ox.Store, level: _Level, solutions: list[dict[str, str | None]]
) -> list[set[Hit]]:
    """The quads each solution matched with its level's patterns."""
    hits: list[set[Hit]] = [set() for _ in solutions]
    quads: dict[tuple, list[int]] = {}
    paths: dict[int, dict[tuple[str, str], list[int]]] = {}
    for k, solution in enumerate(solutions):
        for n, pattern in enumerate(level.patterns):
            terms = (pattern.subject, pattern.predicate, pattern.object, pattern.graph)
            if pattern.optional and any(
                isinstance(t, Variable) and solution.get(str(t)) is None for t in terms
            ):
                continue  # the OPTIONAL did not match this solution
            s, o = _value(pattern.subject, solution), _value(pattern.object, solution)
            g = _value(pattern.graph, solution) if pattern.graph is not None else None
            if isinstance(pattern.predicate, Path):
                if s is not None and o is not None:
                    paths.setdefault(n, {}).setdefault((s, o), []).append(k)
                continue
            if s is None and o is None:
                continue  # too vague to say which triple matched
            quad = (s, _value(pattern.predicate, solution), o, g)
            quads.setdefault(quad, []).append(k)
    keys = list(quads)
    for i, found in _lookup_quads(store, keys).items():
        for k in quads[keys[i]]:
            hits[k].update(found)
    for n, ends in paths.items():
        pairs = list(ends)
        for i, found in _lookup_path(store, level.patterns[n].predicate, pairs).items():
            for k in ends[pairs[i]]:
                hits[k].update(found)
    return hits


def _lineage(store: ox.Store, text: str, prologue: str) -> tuple[list[str], dict[tuple, set]]:
    """The key variables of the SELECT in ``text`` and, for each key (the values a row shows
    for them), the quads its solutions matched."""
    level = _level(prologue + text)
    shape = _shape(text)
    subs = [_lineage(store, sub, prologue + shape.prologue) for sub in shape.subqueries]
    aliases = {m.group(1) for a in shape.group_aliases if (m := _ALIAS.search(a))}
    if level.group is not None:
        key = [v for v in level.projected if v in level.group]
        head = [f"?{v}" for v in key if v not in aliases] + shape.group_aliases
        head = head or ["?__lineage_none"]  # one group: nothing to project but the inner
    else:
        key = list(level.projected)
        head = [shape.projection] if shape.projection != "*" else []
    shown = set(key) | aliases
    inner = [v for v in _variables(level.patterns) if v not in shown]
    inner += [v for sub_key, _ in subs for v in sub_key if v not in shown and v not in inner]
    select = " ".join(head + [f"?{v}" for v in inner]) if head else "*"
    query = (
        f"{prologue}{shape.prologue}SELECT {select} {shape.dataset} {shape.where} {shape.values}"
    )
    solutions = _read(run_query(store, query))
    hits = _solution_hits(store, level, solutions)
    by_key: dict[tuple, set] = {}
    for solution, found in zip(solutions, hits, strict=True):
        for sub_key, sub_hits in subs:
            found = found | sub_hits.get(tuple(solution.get(v) for v in sub_key), set())
        by_key.setdefault(tuple(solution.get(v) for v in key), set()).update(found)
    return key, by_key


def row_lineage(store: ox.Store, query: str, variables: Sequence[str], rows: Sequence[tuple]):
    """The quads each row of a SELECT answer rests on (:data:`Hit` sets, one per row), or
    ``None`` for the rows whose lineage cannot be found (see the module's limits).

    ``variables`` and ``rows`` are the answer as :func:`graph.query.sparql.execute` read it.
    Raises :class:`LineageUnavailableError` when the query cannot be followed at all.
    """
    key, by_key = _lineage(store, query, "")
    position = {v: i for i, v in enumerate(variables)}
    if any(v not in position for v in key):
        raise LineageUnavailableError("the answer's columns are not the query's")
    out: list[set[Hit] | None] = []
    for row in rows:
        values = tuple(str(row[position[v]]) if row[position[v]] is not None else None for v in key)
        out.append(by_key.get(values))
    return out


# --- what an inferred triple rests on -------------------------------------------------------


def _is_claim(term: str) -> bool:
    return term.startswith(f"<{_CLAIM}")


def _asserted(graph: str) -> bool:
    """A graph that states facts: a claim or reference data."""
    iri = graph[1:-1]
    return iri.startswith(_CLAIM) or iri.startswith(_REFERENCE)


def implied_graphs(store: ox.Store, triples: Iterable[tuple[str, str, str]]) -> dict[tuple, set]:
    """For each inferred triple (N-Triples subject, predicate, object), the claim and
    reference graphs stating what it was inferred from (see the module docstring)."""
    result: dict[tuple, set[str]] = {}
    types, links = [], []
    for triple in set(triples):
        s, p, o = triple
        claims = {t[1:-1] for t in (s, o) if _is_claim(t)}
        if claims:
            result[triple] = claims
        elif not (s.startswith("<") and o.startswith("<")):
            continue
        elif p == f"<{_RDF_TYPE}>":
            types.append(triple)
        else:
            links.append(triple)
    if types:
        classes = " ".join(sorted({o for _, _, o in types}))
        defining: dict[str, set[str]] = {}
        query = f"""SELECT DISTINCT ?c ?p WHERE {{ VALUES ?c {{ {classes} }}
            GRAPH <{_ONTOLOGY}> {{ ?c <{_OWL}equivalentClass> ?e .
              ?e (<{_OWL}intersectionOf>/<{_RDF}rest>*/<{_RDF}first>)? ?r .
              ?r <{_OWL}onProperty> ?p }} }}"""
        for row in store.query(query):
            defining.setdefault(str(row["c"]), set()).add(str(row["p"]))
        asks = [(i, f"GRAPH ?g {{ {s} a ?any }}") for i, (s, _, _) in enumerate(types)]
        for i, (s, _, o) in enumerate(types):
            for prop in sorted(defining.get(o, ())):
                asks.append((i, f"{s} {prop}* ?m . GRAPH ?g {{ ?m {prop} ?n }}"))
        for i, graph in _ask_graphs(store, asks):
            result.setdefault(types[i], set()).add(graph)
    if links:
        asks = [
            (i, f"{{ GRAPH ?g {{ {s} ?q {o} }} }} UNION {{ GRAPH ?g {{ {o} ?q {s} }} }}")
            for i, (s, _, o) in enumerate(links)
        ]
        for i, graph in _ask_graphs(store, asks):
            result.setdefault(links[i], set()).add(graph)
        chains = [
            (i, f"{s} {p}* ?m . GRAPH ?g {{ ?m {p} ?n }} ?n {p}* {o}")
            for i, (s, p, o) in enumerate(links)
            if links[i] not in result
        ]
        for i, graph in _ask_graphs(store, chains):
            result.setdefault(links[i], set()).add(graph)
    return result


def naming_claims(store: ox.Store, entities: Iterable[str]) -> dict[str, set[str]]:
    """The claims naming each entity (N-Triples IRI), as subject or object.

    An entity typed by reference data alone (a city and its country) is in the graph
    because the source names it: for a row resting on nothing else, those claims are what
    its inferred type rests on."""
    entities = sorted(set(entities))
    asks = [
        (i, f"{{ GRAPH ?g {{ {e} ?p ?o }} }} UNION {{ GRAPH ?g {{ ?x ?p {e} }} }}")
        for i, e in enumerate(entities)
    ]
    found: dict[str, set[str]] = {}
    for i, graph in _ask_graphs(store, asks):
        if graph.startswith(_CLAIM):
            found.setdefault(entities[i], set()).add(graph)
    return found


def _ask_graphs(store: ox.Store, asks: Sequence[tuple[int, str]]) -> Iterable[tuple[int, str]]:
    """The asserted graphs ``?g`` of each ``(index, group pattern)``, as ``(index, IRI)``."""
    found: list[tuple[int, str]] = []
    for start in range(0, len(asks), _CHUNK // 6):
        chunk = asks[start : start + _CHUNK // 6]
        union = " UNION ".join(f"{{ {pattern} BIND({i} AS ?i) }}" for i, pattern in chunk)
        query = f"SELECT DISTINCT ?i ?g WHERE {{ {union} }}"
        for row in _read(store.query(query, use_default_graph_as_union=True)):
            if _asserted(row["g"]):
                found.append((int(row["i"].split('"')[1]), row["g"][1:-1]))
    return found


def _read(results) -> list[dict[str, str | None]]:
    """Oxigraph solutions as plain dicts of N-Triples strings, read at once: Oxigraph's
    result objects must not outlive the thread that ran the query (the CLI runs queries
    in a worker thread)."""
    names = [v.value for v in results.variables]
    rows = [{n: (str(row[n]) if row[n] is not None else None) for n in names} for row in results]
    del results
    return rows
