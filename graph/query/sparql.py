"""The one safe entry point for SPARQL: pre-bound prefixes, a gate, and the Oxigraph engine.

The gate runs before evaluation and refuses what a read-only, offline tool must never do:
``SERVICE`` (Oxigraph would fetch it over HTTP), every SPARQL Update (``LOAD``, ``INSERT``…),
and ``FROM``/``FROM NAMED`` with an IRI that is not one of our graphs. It reads the query as
Oxigraph's grammar does (:mod:`graph.query.lexer`, linear time), so a keyword inside a literal
is not mistaken for one, and it looks for ``SERVICE`` a second way that trusts no reading. It
also bounds how deeply brackets nest, which Oxigraph's recursive parser cannot survive.
Queries see the union of all graphs as their default graph; ``GRAPH ?claim {…}`` reaches each
claim and the provenance graph.

Oxigraph's own syntax errors are terse and often point at the end of the query (its parser
reports the furthest place it tried), so :func:`run_query` first looks for the mistakes people
actually make (an unclosed string, an unknown prefix, a misspelt keyword, an unbalanced
bracket) and names their exact place; only then does it fall back on Oxigraph's message.
"""

from __future__ import annotations

import difflib
import logging
import re
import time
from collections.abc import Container, Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from graph.errors import CvekgError, display_width, line_column
from graph.namespaces import PREFIXES
from graph.query.lexer import MAX_NESTING, NestingError, lex, service_anywhere, unescape_iri
from graph.query.lexer import Token as _Token
from graph.query.lexer import codepoints as _codepoints

__all__ = [
    "QueryInfo",
    "QueryOutcome",
    "QuerySyntaxError",
    "QueryRefusedError",
    "QueryFailedError",
    "QueryTooNestedError",
    "MAX_NESTING",
    "check_query",
    "run_query",
    "execute",
    "select",
    "query_form",
]

logger = logging.getLogger(__name__)

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

#: Every bare word SPARQL 1.1 (and the SPARQL 1.2 draft Oxigraph follows) accepts: keywords
#: and built-in functions. A word outside this list is always a mistake, usually a misspelling.
_KEYWORDS = """
BASE PREFIX SELECT DISTINCT REDUCED AS CONSTRUCT WHERE DESCRIBE ASK FROM NAMED GROUP BY HAVING
ORDER ASC DESC LIMIT OFFSET VALUES LOAD SILENT INTO CLEAR DROP CREATE ADD MOVE COPY TO INSERT
DATA DELETE WITH USING DEFAULT GRAPH ALL OPTIONAL SERVICE BIND UNDEF MINUS UNION FILTER IN NOT
EXISTS TRUE FALSE LATERAL VERSION STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS
CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE
STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256
SHA384 SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX
SUBSTR REPLACE COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR TRIPLE SUBJECT PREDICATE
OBJECT ISTRIPLE LANGDIR STRLANGDIR HASLANG HASLANGDIR ADJUST
""".split()
_KEYWORD_SET = set(_KEYWORDS)


_CLOSERS = {"}": "{", ")": "(", "]": "["}


class QuerySyntaxError(CvekgError):
    """A query that does not parse: message, line, column and the line with a caret."""

    def __init__(self, message: str, query: str, line: int | None, column: int | None):
        self.message, self.query, self.line, self.column = message, query, line, column
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.line is None:
            return f"SPARQL syntax error: {self.message}"
        lines = self.query.split("\n")  # as lines are counted: only \n ends one
        text = lines[self.line - 1].rstrip("\r") if 0 < self.line <= len(lines) else ""
        caret = _under(text[: max(0, (self.column or 1) - 1)]) + "^"
        return (
            f"SPARQL syntax error at line {self.line}, column {self.column}: {self.message}\n"
            f"  {text}\n  {caret}"
        )


def _under(text: str) -> str:
    """Blanks as wide as ``text`` on a terminal: its tabs kept, wide (CJK) characters as two."""
    return "".join("\t" if c == "\t" else " " * display_width(c) for c in text)


class QueryRefusedError(CvekgError):
    """A query the read-only, offline gate does not run (an update, SERVICE, remote FROM)."""


class QueryTooNestedError(QuerySyntaxError):
    """A query nesting brackets deeper than :data:`MAX_NESTING`, refused before Oxigraph reads
    it (its recursive parser would overflow its stack and kill the process)."""


class QueryFailedError(CvekgError):
    """A query that parsed but that Oxigraph could not evaluate."""


@dataclass(frozen=True)
class QueryInfo:
    """What the gate learnt: the query form and whether it names its own dataset (FROM)."""

    form: str
    has_dataset_clause: bool


@dataclass
class QueryOutcome:
    """A query's answer, read to the end (or to ``max_rows``) so it can be shown several ways.

    ``rows`` hold Oxigraph terms (``None`` for an unbound variable) in ``variables`` order;
    ``boolean`` is set for ASK, ``triples`` for CONSTRUCT and DESCRIBE.
    """

    form: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    truncated: bool = False
    seconds: float = 0.0

    def __len__(self) -> int:
        if self.form == "ASK":
            return int(bool(self.boolean))
        return len(self.triples) if self.form in {"CONSTRUCT", "DESCRIBE"} else len(self.rows)

    @property
    def is_graph(self) -> bool:
        """True for CONSTRUCT and DESCRIBE, whose answer is a graph rather than a table."""
        return self.form in {"CONSTRUCT", "DESCRIBE"}


def _tokens(query: str, keep_comments: bool = False) -> list[_Token]:
    return lex(query, keep_comments)


def _where(query: str, offset: int) -> str:
    line, column = line_column(query, offset)
    return f"line {line}, column {column}"


def query_form(query: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the query's form, or ``UPDATE``.

    >>> query_form("# a comment naming SELECT\\nASK { ?s ?p ?o }")
    'ASK'
    """
    for token in _tokens(query):
        word = token.text.upper()
        if token.kind == "word" and word in _FORMS:
            return word
        if token.kind == "word" and word in _UPDATE_WORDS:
            return "UPDATE"
    return "UNKNOWN"


def check_query(query: str, local_graphs: Container[str] | None = None) -> QueryInfo:
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
    try:
        tokens = lex(query, max_nesting=MAX_NESTING)
    except NestingError as exc:
        line, column = line_column(query, exc.offset)
        raise QueryTooNestedError(
            f"brackets nested more than {exc.limit} levels deep: the limit is {exc.limit} "
            "(each {, (, [ or << opens a level)",
            query,
            line,
            column,
        ) from None
    prefixes = dict(PREFIXES)
    has_from = False
    depth = 0
    for i, token in enumerate(tokens):
        if token.kind == "other" and token.text in "{([":
            depth += 1
        elif token.kind == "other" and token.text in "})]":
            depth -= 1
        if token.kind not in {"word", "pname"}:
            continue
        word = token.text.upper() if token.kind == "word" else ""
        if word == "PREFIX" and i + 2 < len(tokens) and tokens[i + 2].kind == "iri":
            prefixes[tokens[i + 1].text.rstrip(":")] = unescape_iri(tokens[i + 2].text)
            continue
        declared = i > 0 and tokens[i - 1].text.upper() == "PREFIX"
        # Oxigraph matches a keyword by its letters alone: SERVICEex:a is SERVICE ex:a.
        if token.text.upper().startswith("SERVICE") and not declared:
            raise QueryRefusedError(
                f"SERVICE is refused ({_where(query, token.offset)}): "
                "queries run offline, on the local graph only"
            )
        if word in _UPDATE_WORDS:
            raise QueryRefusedError(
                f"SPARQL Update ({word}, {_where(query, token.offset)}) is refused: "
                "the graph is read-only"
            )
        if depth or declared or not token.text.upper().startswith("FROM"):
            continue
        # A dataset clause (at the top, before WHERE): FROM, FROM NAMED, glued or not.
        has_from = True
        rest = token.text[4:]
        if rest.upper().startswith("NAMED"):
            rest = rest[5:]
        j = i + 1
        if not rest and j < len(tokens) and tokens[j].text.upper() == "NAMED":
            j += 1
        if rest:
            target = _Token("pname" if ":" in rest else "word", rest, token.offset + 4)
        elif j < len(tokens):
            target = tokens[j]
        else:
            continue
        if target.kind == "iri":
            iri = unescape_iri(target.text)
        elif target.kind == "pname":
            prefix, _, local = target.text.partition(":")
            iri = prefixes.get(prefix, "") + _unescape_local(local)
        else:
            continue
        if local_graphs is None or iri not in local_graphs:
            raise QueryRefusedError(
                f"FROM <{iri}> is refused ({_where(query, target.offset)}): "
                "only the graph's own named graphs can be selected, nothing is fetched"
            )
    for text in (query, _codepoints(query)):
        service = service_anywhere(text)
        if service is not None:
            raise QueryRefusedError(
                f"SERVICE is refused ({_where(text, service)}): queries run offline, "
                "on the local graph only (even in a string or a comment, 'service' before an "
                "IRI, a variable or SILENT is refused: write it another way)"
            )
    return QueryInfo(query_form(query), has_from)


def _unescape_local(local: str) -> str:
    """A local name as the IRI holds it: ``\\#`` is ``#`` (``%20`` stays as it is)."""
    return re.sub(r"\\(.)", r"\1", local)


class _LocalGraphs:
    """``iri in local`` asks the store, instead of listing its graphs for every query.

    A build holds one named graph per claim (tens of thousands at scale), and only a query
    with ``FROM`` or a protocol dataset needs to know whether an IRI is one of them.
    """

    def __init__(self, store: ox.Store):
        self._store = store

    def __contains__(self, iri: object) -> bool:
        if not isinstance(iri, str):
            return False
        try:
            node = ox.NamedNode(iri)
        except ValueError:  # relative or malformed: not one of our graphs
            return False
        return self._store.contains_named_graph(node)


def _declared_prefixes(tokens: list[_Token]) -> dict[str, int]:
    declared = {}
    for i, token in enumerate(tokens):
        if token.kind == "word" and token.text.upper() == "PREFIX" and i + 1 < len(tokens):
            name = tokens[i + 1]
            if name.kind == "pname":
                declared[name.text.rstrip(":").split(":")[0]] = name.offset
    return declared


def _diagnose(query: str, oxigraph_message: str) -> QuerySyntaxError:
    """A syntax error at the place people can fix, rather than where the parser gave up."""
    tokens = _tokens(query)

    def at(offset: int, message: str) -> QuerySyntaxError:
        line, column = line_column(query, offset)
        return QuerySyntaxError(message, query, line, column)

    # An unclosed string or IRI swallows or garbles everything after it: report it first.
    for token in tokens:
        if token.kind == "unclosed":
            quote = token.text[0]
            return at(token.offset, f"this string is never closed (no matching {quote})")
        if token.kind == "other" and token.text == "<":
            rest = query[token.offset + 1 :]
            if re.match(r"[A-Za-z][\w+.-]*:", rest):
                return at(
                    token.offset,
                    "this IRI is not closed by '>' or holds a character IRIs cannot "
                    "(space, quote, <, >, {, }, |, ^, `, \\)",
                )

    known = set(PREFIXES) | set(_declared_prefixes(tokens))
    previous = None
    for token in tokens:
        if token.kind == "pname" and not (previous and previous.text.upper() == "PREFIX"):
            prefix = token.text.split(":", 1)[0]
            if prefix not in known and prefix != "_":
                close = difflib.get_close_matches(prefix, sorted(known), n=1)
                hint = (
                    f"did you mean {close[0]}:?"
                    if close
                    else f"the pre-bound ones are {', '.join(PREFIXES)}"
                )
                return at(
                    token.offset,
                    f"unknown prefix {prefix}: in {token.text} ({hint}); "
                    f"declare it with PREFIX {prefix}: <…>",
                )
        if token.kind == "word" and token.text != "a":
            word = token.text.upper()
            if word not in _KEYWORD_SET:
                close = difflib.get_close_matches(word, _KEYWORDS, n=1, cutoff=0.6)
                hint = f" (did you mean {close[0]}?)" if close else ""
                if not close and re.fullmatch(r"[A-Za-z_][\w-]*", token.text):
                    hint = " (a name needs a prefix, like cvekg:City, or a ? to be a variable)"
                return at(token.offset, f"unknown word {token.text}{hint}")
        previous = token

    stack: list[_Token] = []
    for token in tokens:
        if token.kind != "other":
            continue
        if token.text in "{([":
            stack.append(token)
        elif token.text in _CLOSERS:
            if not stack:
                return at(token.offset, f"this {token.text} closes nothing")
            opener = stack.pop()
            if opener.text != _CLOSERS[token.text]:
                return at(
                    token.offset,
                    f"this {token.text} closes the {opener.text} opened at "
                    f"{_where(query, opener.offset)}; a "
                    f"{dict((v, k) for k, v in _CLOSERS.items())[opener.text]} is missing",
                )
    if stack:
        opener = stack[-1]
        closer = {v: k for k, v in _CLOSERS.items()}[opener.text]
        return at(opener.offset, f"this {opener.text} is never closed (a {closer} is missing)")

    return _from_oxigraph(query, oxigraph_message)


_SEMANTIC_HINTS = {
    "The SELECT contains a variable that is unbound": (
        "a selected variable is neither grouped nor aggregated: add it to GROUP BY or wrap it "
        "in an aggregate such as SAMPLE(?x)"
    ),
}


def _parses(query: str) -> bool:
    try:
        ox.Store().query(query, prefixes=PREFIXES)
    except SyntaxError:
        return False
    return True


def _closing(text: str) -> str:
    """The closers that balance the brackets left open in ``text`` (a prefix of a query)."""
    stack = []
    for token in _tokens(text):
        if token.kind == "other" and token.text in "{([":
            stack.append(token.text)
        elif token.kind == "other" and token.text in _CLOSERS and stack:
            stack.pop()
    closers = {v: k for k, v in _CLOSERS.items()}
    return " ".join(closers[o] for o in reversed(stack))


def _first_bad_token(query: str, tokens: list[_Token], budget: int = 300) -> int | None:
    """Index of the token where reading fails: the query up to it, its brackets closed, parses.

    Oxigraph reports the furthest place its parser tried, often the end of the query; the
    longest prefix that still makes a query is a far better pointer for a person.
    """
    for i in range(len(tokens) - 1, max(0, len(tokens) - 1 - budget), -1):
        prefix = query[: tokens[i].offset]
        if _parses(prefix + " " + _closing(prefix)):
            return i
    return None


def _clean_expected(text: str) -> str:
    expected = re.match(r"expected (?:one of )?(.*)", text, re.S)
    if not expected:
        return text.strip()
    items = [i.strip() for i in re.split(r",\s*(?![^\[]*\])", expected.group(1))]
    items = [i for i in items if i and not i.startswith("[") and not i.startswith("'")]
    words = [i for i in items if re.fullmatch(r"[A-Za-z_]+", i)]
    if len(words) >= 6 and any(w in {"ABS", "STR", "CEIL", "LANG"} for w in words):
        return "expected an expression (a variable, a value or a function call)"
    if items:
        return "expected " + ", ".join(items[:8]) + (" …" if len(items) > 8 else "")
    return ""


def _from_oxigraph(query: str, message: str) -> QuerySyntaxError:
    """Oxigraph's message, placed where the query stops making sense, in plainer words."""
    match = re.match(r"error at (\d+):(\d+): (.*)", message, re.S)
    if not match:
        return QuerySyntaxError(message.strip(), query, None, None)
    line, column, text = int(match.group(1)), int(match.group(2)), match.group(3)
    for needle, hint in _SEMANTIC_HINTS.items():
        if needle in text:
            form = next((t for t in _tokens(query) if t.text.upper() in _FORMS), None)
            line, column = line_column(query, form.offset if form else 0)
            return QuerySyntaxError(hint, query, line, column)
    expected = _clean_expected(text)
    tokens = _tokens(query)
    bad = _first_bad_token(query, tokens)
    if bad is None:
        return QuerySyntaxError(expected or text.strip(), query, line, column)
    token = tokens[bad]
    line, column = line_column(query, token.offset)
    rest = tokens[bad:]
    if all(t.kind == "word" for t in rest) or bad == len(tokens) - 1:
        unfinished = query[token.offset :].strip()
        message = f"the query ends too early: {unfinished!r} is not finished"
    else:
        message = f"the query cannot be read from {token.text!r} on"
        if token.text.upper() == "BIND":
            message += " (BIND must give a new variable, not one used before it in the group)"
        elif token.kind in {"var", "iri", "pname", "string", "number"}:
            message += " (is a subject, predicate or object missing, or a '.' between patterns?)"
    return QuerySyntaxError(message, query, line, column)


def _dataset_nodes(uris: Iterable[str] | None, local: Container[str], what: str) -> list | None:
    if uris is None:
        return None
    nodes = []
    for uri in uris:
        if uri not in local:
            raise QueryRefusedError(
                f"{what} <{uri}> is refused: only the graph's own named graphs can be "
                "selected, nothing is fetched"
            )
        nodes.append(ox.NamedNode(uri))
    return nodes


def run_query(
    store: ox.Store,
    query: str,
    *,
    default_graph_uris: Iterable[str] | None = None,
    named_graph_uris: Iterable[str] | None = None,
):
    """Check, then evaluate a query over the union of all graphs (Oxigraph results).

    ``default_graph_uris`` and ``named_graph_uris`` are the SPARQL Protocol's
    ``default-graph-uri`` and ``named-graph-uri``: they may name only the store's own graphs.
    """
    local = _LocalGraphs(store)
    info = check_query(query, local)
    default_graph = _dataset_nodes(default_graph_uris, local, "default-graph-uri")
    named_graphs = _dataset_nodes(named_graph_uris, local, "named-graph-uri")
    union = not info.has_dataset_clause and default_graph is None and named_graphs is None
    try:
        # A FROM clause (or the protocol's dataset) picks the default graph itself; otherwise
        # it is the union of all graphs.
        return store.query(
            query,
            prefixes=PREFIXES,
            use_default_graph_as_union=union,
            default_graph=default_graph,
            named_graphs=named_graphs,
        )
    except SyntaxError as exc:
        raise _diagnose(query, str(exc)) from None


def execute(
    store: ox.Store,
    query: str,
    max_rows: int | None = None,
    *,
    default_graph_uris: Iterable[str] | None = None,
    named_graph_uris: Iterable[str] | None = None,
) -> QueryOutcome:
    """Run a query through the gate and read its answer, keeping at most ``max_rows``.

    >>> store = ox.Store()
    >>> store.add(ox.Quad(ox.NamedNode("https://w3id.org/cvekg/id/city/lyon"),
    ...                   ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
    ...                   ox.Literal("Lyon", language="en"), ox.NamedNode("urn:g")))
    >>> outcome = execute(store, "SELECT ?city WHERE { ?city rdfs:label ?l }")
    >>> outcome.form, outcome.variables, [r[0].value for r in outcome.rows]
    ('SELECT', ['city'], ['https://w3id.org/cvekg/id/city/lyon'])
    """
    started = time.perf_counter()
    try:
        outcome = _read(
            run_query(
                store,
                query,
                default_graph_uris=default_graph_uris,
                named_graph_uris=named_graph_uris,
            ),
            query,
            max_rows,
        )
    except (OSError, RuntimeError) as exc:  # Oxigraph failed while evaluating
        raise QueryFailedError(f"the query failed while running: {exc}") from None
    outcome.seconds = time.perf_counter() - started
    return outcome


def _read(results, query: str, max_rows: int | None) -> QueryOutcome:
    if isinstance(results, ox.QueryBoolean):
        outcome = QueryOutcome("ASK", boolean=bool(results))
    elif isinstance(results, ox.QuerySolutions):
        names = [v.value for v in results.variables]
        outcome = QueryOutcome("SELECT", variables=names)
        for solution in results:
            if max_rows is not None and len(outcome.rows) >= max_rows:
                outcome.truncated = True
                break
            outcome.rows.append(tuple(solution[i] for i in range(len(names))))
    else:
        form = query_form(query)
        outcome = QueryOutcome(form if form in {"CONSTRUCT", "DESCRIBE"} else "CONSTRUCT")
        for triple in results:
            if max_rows is not None and len(outcome.triples) >= max_rows:
                outcome.truncated = True
                break
            outcome.triples.append(triple)
    return outcome


def _python(term):
    if term is None:
        return None
    return term.value


def select(store: ox.Store, query: str) -> list[dict[str, str | None]]:
    """Run a SELECT and return rows as ``{variable: lexical value}`` (IRIs as strings)."""
    results = run_query(store, query)
    names = [v.value for v in results.variables]
    return [{n: _python(row[n]) for n in names} for row in results]
