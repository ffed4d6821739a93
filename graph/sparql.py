"""The one safe entry point for SPARQL: pre-bound prefixes, a gate, and the Oxigraph engine.

The gate runs before evaluation and refuses what a read-only, offline tool must never do:
``SERVICE`` (Oxigraph would fetch it over HTTP), every SPARQL Update (``LOAD``, ``INSERT``…),
and ``FROM``/``FROM NAMED`` with an IRI that is not one of our graphs. It tokenises the query,
skipping strings, IRIs and comments, so a keyword inside a literal is not mistaken for one.
Queries see the union of all graphs as their default graph; ``GRAPH ?claim {…}`` reaches each
claim and the provenance graph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from graph.errors import CvekgError
from graph.namespaces import PREFIXES

__all__ = [
    "QueryInfo",
    "QuerySyntaxError",
    "QueryRefusedError",
    "check_query",
    "open_store",
    "run_query",
    "select",
    "query_form",
]

_TOKEN = re.compile(
    r'''(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\''''
    r"""|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')"""
    r"""|(?P<iri><[^<>"{}|^`\\\s]*>)"""
    r"""|(?P<comment>\#[^\n]*)"""
    r"""|(?P<var>[?$][\w]+)"""
    r"""|(?P<pname>[A-Za-z_][\w.-]*:[\w.%-]*|:[\w.%-]*)"""
    r"""|(?P<word>[A-Za-z_][\w-]*)"""
    r"""|(?P<other>\S)""",
    re.S,
)
_UPDATE_WORDS = {
    "INSERT",
    "DELETE",
    "LOAD",
    "CLEAR",
    "DROP",
    "CREATE",
    "ADD",
    "MOVE",
    "COPY",
    "WITH",
}
_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


class QuerySyntaxError(CvekgError):
    """A query that does not parse: message, line, column and the line with a caret."""

    def __init__(self, message: str, query: str, line: int | None, column: int | None):
        self.message, self.query, self.line, self.column = message, query, line, column
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.line is None:
            return f"SPARQL syntax error: {self.message}"
        lines = self.query.splitlines() or [""]
        text = lines[self.line - 1] if 0 < self.line <= len(lines) else ""
        caret = " " * max(0, (self.column or 1) - 1) + "^"
        return (
            f"SPARQL syntax error at line {self.line}, column {self.column}: {self.message}\n"
            f"  {text}\n  {caret}"
        )


class QueryRefusedError(CvekgError):
    """A query the read-only, offline gate does not run (an update, SERVICE, remote FROM)."""


@dataclass(frozen=True)
class QueryInfo:
    """What the gate learnt: the query form and whether it names its own dataset (FROM)."""

    form: str
    has_dataset_clause: bool


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    offset: int


def _tokens(query: str) -> list[_Token]:
    return [
        _Token(m.lastgroup or "other", m.group(), m.start())
        for m in _TOKEN.finditer(query)
        if m.lastgroup != "comment"
    ]


def _where(query: str, offset: int) -> str:
    line = query.count("\n", 0, offset) + 1
    column = offset - (query.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def query_form(query: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the query's form, or ``UPDATE``."""
    for token in _tokens(query):
        word = token.text.upper()
        if token.kind == "word" and word in _FORMS:
            return word
        if token.kind == "word" and word in _UPDATE_WORDS:
            return "UPDATE"
    return "UNKNOWN"


def check_query(query: str, local_graphs: set[str] | None = None) -> QueryInfo:
    """Refuse what must not run; say what the query is.

    Examples
    --------
    >>> check_query('SELECT * WHERE { ?s ?p "SERVICE" }')
    QueryInfo(form='SELECT', has_dataset_clause=False)
    >>> try:
    ...     check_query("SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")
    ... except QueryRefusedError as refused:
    ...     print(refused)
    SERVICE is refused (line 1, column 18): queries run offline, on the local graph only
    """
    tokens = _tokens(query)
    prefixes = dict(PREFIXES)
    has_from = False
    for i, token in enumerate(tokens):
        word = token.text.upper() if token.kind == "word" else ""
        if word == "PREFIX" and i + 2 < len(tokens) and tokens[i + 2].kind == "iri":
            prefixes[tokens[i + 1].text.rstrip(":")] = tokens[i + 2].text[1:-1]
        if word == "SERVICE":
            raise QueryRefusedError(
                f"SERVICE is refused ({_where(query, token.offset)}): "
                "queries run offline, on the local graph only"
            )
        if word in _UPDATE_WORDS:
            raise QueryRefusedError(
                f"SPARQL Update ({word}, {_where(query, token.offset)}) is refused: "
                "the graph is read-only"
            )
        if word == "FROM":
            has_from = True
            j = i + 1
            if j < len(tokens) and tokens[j].text.upper() == "NAMED":
                j += 1
            if j >= len(tokens):
                continue
            target = tokens[j]
            if target.kind == "iri":
                iri = target.text[1:-1]
            elif target.kind == "pname":
                prefix, _, local = target.text.partition(":")
                iri = prefixes.get(prefix, "") + local
            else:
                continue
            if local_graphs is None or iri not in local_graphs:
                raise QueryRefusedError(
                    f"FROM <{iri}> is refused ({_where(query, target.offset)}): "
                    "only the graph's own named graphs can be selected, nothing is fetched"
                )
    return QueryInfo(query_form(query), has_from)


def open_store(out: Path) -> ox.Store:
    """Load a build's ``graph.trig`` into an in-memory Oxigraph store."""
    store = ox.Store()
    store.bulk_load(path=str(out / "graph.trig"), format=ox.RdfFormat.TRIG)
    return store


def _graph_names(store: ox.Store) -> set[str]:
    return {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)}


def run_query(store: ox.Store, query: str):
    """Check, then evaluate a query over the union of all graphs (Oxigraph results)."""
    info = check_query(query, _graph_names(store))
    try:
        # A FROM clause picks the default graph itself; otherwise it is the union of all graphs.
        return store.query(
            query, prefixes=PREFIXES, use_default_graph_as_union=not info.has_dataset_clause
        )
    except SyntaxError as exc:
        message = str(exc)
        match = re.match(r"error at (\d+):(\d+): (.*)", message, re.S)
        if match:
            raise QuerySyntaxError(
                match.group(3), query, int(match.group(1)), int(match.group(2))
            ) from None
        raise QuerySyntaxError(message, query, None, None) from None


def _python(term):
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        return term.value
    return term.value


def select(store: ox.Store, query: str) -> list[dict[str, str | None]]:
    """Run a SELECT and return rows as ``{variable: lexical value}`` (IRIs as strings)."""
    results = run_query(store, query)
    names = [v.value for v in results.variables]
    return [{n: _python(row[n]) for n in names} for row in results]
