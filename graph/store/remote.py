"""A remote SPARQL 1.1 endpoint (or several replicas of one) behind the ``pyoxigraph.Store``
API the commands use, so that query, results, network, views and server run unchanged on it.

:class:`RemoteStore` offers what the code above the store stage calls on a store:
``query(...)`` (with ``prefixes``, ``use_default_graph_as_union``, ``default_graph`` and
``named_graphs``), ``quads_for_pattern``, ``named_graphs()``, ``contains_named_graph``,
``len()`` and iteration; it returns real pyoxigraph objects (``QuerySolutions``,
``QueryBoolean``, ``QueryTriples``, ``Quad``), so nothing above it can tell the stores apart.

It speaks the SPARQL 1.1 Protocol the way production servers answer reliably: form-encoded
POSTs (Virtuoso 7 hangs on ``application/sparql-query`` bodies), JSON results and N-Triples
graphs asked for explicitly. What it evens out, each a measured engine difference:

- an answer cut at the server's row cap (Virtuoso's ``ResultSetMaxRows``: HTTP 200 with an
  ``X-SPARQL-MaxRows`` header) is completed page by page with ``OFFSET``/``LIMIT``, or, when
  the query has its own ``LIMIT``/``OFFSET`` or builds a graph, refused with a message:
  never silently short;
- Virtuoso's blank nodes (``nodeID://b10001``) come back as blank nodes that later patterns
  can name again; ``ASK`` answered as a one-row ``__ASK_RETVAL`` table becomes a boolean;
- ``EXISTS`` bound to a variable comes back from Virtuoso as ``1``/``0``: turned into
  ``true``/``false`` as the standard says;
- literals of the integer types derived from ``xsd:integer`` and decimals are given as the
  embedded store gives them (Oxigraph keeps them canonical, oxigraph#526), so answers match.

Replicas: each query goes to the next endpoint in turn; one that does not connect, times out
or fails with a server error (not an error about the query) is set aside for a while and the
query is retried on the others; when none answers, :class:`EndpointError` names them all.
The query gate (:mod:`graph.query.sparql`) runs above this module, before anything is sent.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
import urllib.error
import urllib.parse
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from graph.errors import CvekgError
from graph.namespaces import GRAPH_NS

__all__ = ["RemoteStore", "EndpointError", "RemoteQueryError", "TruncatedAnswerError"]

#: Where a server keeps what a dump holds outside any named graph (``cvekg publish`` loads
#: the default graph of ``graph.nq`` there): the remote store's ``DefaultGraph()``.
DEFAULT_GRAPH_IRI = GRAPH_NS + "default"

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER_TYPES = {
    _XSD + t
    for t in (
        "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger",
        "long", "int", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort",
        "unsignedByte",
    )
}  # fmt: skip
_JSON = "application/sparql-results+json"
_NTRIPLES = "application/n-triples"
#: A Virtuoso blank node in results and in queries, and the label we give it.
_VIRTUOSO_BNODE = "nodeID://"
_BNODE_PREFIX = "vnode"
#: How long a replica that failed is set aside before it is tried again.
_SET_ASIDE = 30.0


class EndpointError(CvekgError):
    """No endpoint answered (down, unreachable, past the time limit)."""


class RemoteQueryError(CvekgError):
    """An endpoint answered that it could not run the query (its own words follow)."""


class TruncatedAnswerError(RemoteQueryError):
    """The endpoint cut the answer at its row cap and it cannot be completed by paging."""


class _ServerDownError(Exception):
    """One endpoint did not answer: try another."""


class RemoteStore:
    """One dataset served by ``endpoints`` (SPARQL 1.1 Protocol query URLs, replicas of the
    same dump), read-only, with the ``pyoxigraph.Store`` methods the commands use.

    ``timeout`` bounds each request (connect and read); ``page`` is the page size used when
    an answer must be completed (default: the row cap the server reports).
    """

    def __init__(self, endpoints: Sequence[str], timeout: float = 120.0):
        if not endpoints:
            raise CvekgError("no SPARQL endpoint given")
        for url in endpoints:
            if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
                raise CvekgError(f"{url}: not an http(s) URL of a SPARQL endpoint")
        self.endpoints = list(endpoints)
        self.timeout = timeout
        self._turn = itertools.count()
        self._down: dict[str, float] = {}
        self._lock = threading.Lock()
        self.requests = 0

    def __repr__(self) -> str:
        return f"RemoteStore({', '.join(self.endpoints)})"

    @property
    def name(self) -> str:
        """The endpoints, for messages."""
        return " ".join(self.endpoints)

    # --- HTTP, replicas ------------------------------------------------------------------

    def _order(self) -> list[str]:
        """The endpoints in the order to try them: the next in turn first, those set aside
        recently last (they are still tried when the others fail)."""
        start = next(self._turn) % len(self.endpoints)
        turn = self.endpoints[start:] + self.endpoints[:start]
        now = time.monotonic()
        with self._lock:
            up = [u for u in turn if self._down.get(u, 0) <= now]
        return up + [u for u in turn if u not in up]

    def _post(self, form: list[tuple[str, str]], accept: str) -> tuple[bytes, dict[str, str]]:
        """POST ``form`` to the endpoints in turn until one answers; its body and headers."""
        data = urllib.parse.urlencode(form).encode("utf-8")
        failures = []
        for url in self._order():
            try:
                body, headers = self._post_one(url, data, accept)
            except _ServerDownError as exc:
                failures.append(f"{url}: {exc}")
                with self._lock:
                    self._down[url] = time.monotonic() + _SET_ASIDE
                continue
            with self._lock:
                self._down.pop(url, None)
            return body, headers
        raise EndpointError("no SPARQL endpoint answered: " + "; ".join(failures))

    def _post_one(self, url: str, data: bytes, accept: str) -> tuple[bytes, dict[str, str]]:
        import urllib.request  # http.client and email, some 30 ms: only when a request is sent

        request = urllib.request.Request(
            url,
            data=data,
            method="POST",
            headers={
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                "Accept": accept,
                "User-Agent": "cvekg",
            },
        )
        self.requests += 1
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.read(), {k.lower(): v for k, v in response.headers.items()}
        except urllib.error.HTTPError as exc:
            text = exc.read().decode("utf-8", "replace").strip()
            if exc.code in {502, 503, 504} or (exc.code >= 500 and not text):
                raise _ServerDownError(f"HTTP {exc.code}") from None
            first = "\n".join(text.splitlines()[:3]) or exc.reason
            raise RemoteQueryError(f"{url} refused the query (HTTP {exc.code}): {first}") from None
        except (TimeoutError, urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, TimeoutError):
                reason = f"no answer within {self.timeout:g} s"
            raise _ServerDownError(str(reason)) from None

    # --- queries -------------------------------------------------------------------------

    def query(
        self,
        query: str,
        *,
        prefixes: dict[str, str] | None = None,
        use_default_graph_as_union: bool = False,
        default_graph: Iterable | None = None,
        named_graphs: Iterable | None = None,
        base_iri: str | None = None,
    ):
        """Evaluate ``query`` on the endpoint: ``QuerySolutions``, ``QueryBoolean`` or
        ``QueryTriples``, as ``pyoxigraph.Store.query`` gives them.

        The query is first read by Oxigraph (over an empty store), so a syntax error is the
        same ``SyntaxError`` either store raises, and the query form is known. A remote
        default graph is the union of the dataset's graphs, as ``use_default_graph_as_union``
        asks; queries that read no default graph (only ``GRAPH`` patterns) see no difference.
        """
        probe = ox.Store().query(
            query, prefixes=prefixes, base_iri=base_iri, use_default_graph_as_union=True
        )
        text = _prologue(prefixes, base_iri) + query
        form: list[tuple[str, str]] = [("query", text)]
        form += [("default-graph-uri", _iri(g)) for g in default_graph or ()]
        form += [("named-graph-uri", _iri(g)) for g in named_graphs or ()]
        if isinstance(probe, ox.QuerySolutions):
            variables = [v.value for v in probe.variables]
            return _solutions(self._select(text, form), variables, _exists_variables(query))
        if isinstance(probe, ox.QueryBoolean):
            return _boolean(self._post(form, _JSON)[0])
        body, headers = self._post(form, _NTRIPLES)
        if "x-sparql-maxrows" in headers:
            raise TruncatedAnswerError(
                f"{self.name} cut this graph answer at its row cap of "
                f"{headers['x-sparql-maxrows']} triples (Virtuoso: ResultSetMaxRows in "
                "[SPARQL] of virtuoso.ini); narrow the query or raise the cap"
            )
        return _triples(body)

    def _select(self, text: str, form: list[tuple[str, str]]) -> list[dict]:
        """The bindings of a SELECT, completed page by page if the server cut them."""
        body, headers = self._post(form, _JSON)
        bindings = _bindings(body)
        if "x-sparql-maxrows" not in headers:
            return bindings
        cap = int(headers["x-sparql-maxrows"])
        if _has_own_slice(text):
            raise TruncatedAnswerError(
                f"{self.name} cut the answer at its row cap of {cap} rows (Virtuoso: "
                "ResultSetMaxRows in [SPARQL] of virtuoso.ini), and a query with its own "
                "LIMIT or OFFSET cannot be completed page by page: narrow it or raise the cap"
            )
        while True:  # a read-only dataset answers the same query in the same order
            page = [(k, f"{v}\nOFFSET {len(bindings)} LIMIT {cap}" if k == "query" else v)
                    for k, v in form]  # fmt: skip
            more = _bindings(self._post(page, _JSON)[0])
            bindings += more
            if len(more) < cap:
                return bindings

    # --- the Store API over SPARQL -------------------------------------------------------

    def quads_for_pattern(self, subject=None, predicate=None, object=None, graph_name=None):  # noqa: A002
        """The quads matching the pattern (``None`` matches anything), as pyoxigraph gives
        them; ``DefaultGraph()`` is the graph a dump's default graph was loaded into."""
        terms = {"s": subject, "p": predicate, "o": object}
        pattern = " ".join(_sparql_term(t) if t is not None else f"?{v}" for v, t in terms.items())
        if isinstance(graph_name, ox.DefaultGraph):
            where = f"GRAPH <{DEFAULT_GRAPH_IRI}> {{ {pattern} }}"
        elif graph_name is not None:
            where = f"GRAPH {_sparql_term(graph_name)} {{ {pattern} }}"
        else:
            where = f"GRAPH ?g {{ {pattern} }}"
        wanted = [v for v, t in terms.items() if t is None]
        if graph_name is None:
            wanted.append("g")
        select = " ".join(f"?{v}" for v in wanted) if wanted else "(1 AS ?one)"
        rows = self.query(f"SELECT {select} WHERE {{ {where} }}")
        for row in rows:
            s, p, o = (terms[v] if terms[v] is not None else row[v] for v in "spo")
            g = row["g"] if graph_name is None else graph_name
            if isinstance(g, ox.NamedNode) and g.value == DEFAULT_GRAPH_IRI:
                g = ox.DefaultGraph()
            yield ox.Quad(s, p, o, g)

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        """The dataset's named graphs (each holds at least one triple)."""
        # GROUP BY, not DISTINCT: Virtuoso answers DISTINCT ?g from an index that lists its
        # private system graphs too.
        for row in self.query("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
            if isinstance(row["g"], ox.NamedNode) and row["g"].value != DEFAULT_GRAPH_IRI:
                yield row["g"]

    def contains_named_graph(self, graph) -> bool:
        """True if the dataset holds a (non-empty) named graph ``graph``."""
        return bool(self.query(f"ASK {{ GRAPH {_sparql_term(graph)} {{ ?s ?p ?o }} }}"))

    def __contains__(self, quad: object) -> bool:
        """``quad in store``: one ``ASK`` (never a scan of the dataset)."""
        if not isinstance(quad, ox.Quad):
            return False
        pattern = " ".join(_sparql_term(t) for t in (quad.subject, quad.predicate, quad.object))
        graph = quad.graph_name
        name = (
            f"<{DEFAULT_GRAPH_IRI}>" if isinstance(graph, ox.DefaultGraph) else _sparql_term(graph)
        )
        return bool(self.query(f"ASK {{ GRAPH {name} {{ {pattern} }} }}"))

    def __len__(self) -> int:
        rows = list(self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"))
        return int(rows[0]["n"].value) if rows else 0

    def __iter__(self) -> Iterator[ox.Quad]:
        return self.quads_for_pattern(None, None, None, None)

    def ping(self) -> list[tuple[str, str | None]]:
        """Each endpoint with ``None`` when it answers an ``ASK``, else why not."""
        data = urllib.parse.urlencode([("query", "ASK { ?s ?p ?o }")]).encode()
        state: list[tuple[str, str | None]] = []
        for url in self.endpoints:
            try:
                self._post_one(url, data, _JSON)
                state.append((url, None))
            except (_ServerDownError, CvekgError) as exc:
                state.append((url, str(exc)))
        return state


# --- terms and results ----------------------------------------------------------------------


def _iri(graph) -> str:
    return graph.value if isinstance(graph, ox.NamedNode) else str(graph)


def _prologue(prefixes: dict[str, str] | None, base_iri: str | None) -> str:
    lines = [f"BASE <{base_iri}>"] if base_iri else []
    lines += [f"PREFIX {name}: <{iri}>" for name, iri in (prefixes or {}).items()]
    return "".join(line + "\n" for line in lines)


def _sparql_term(term) -> str:
    """A term as SPARQL text; a blank node from Virtuoso as its ``<nodeID://…>`` name."""
    if isinstance(term, ox.BlankNode):
        if term.value.startswith(_BNODE_PREFIX):
            return f"<{_VIRTUOSO_BNODE}{term.value[len(_BNODE_PREFIX) :]}>"
        raise RemoteQueryError(
            f"blank node _:{term.value} cannot be named in a query to a remote endpoint"
        )
    return str(term)


_SLICE_AT_END = re.compile(r"\b(LIMIT|OFFSET)\b", re.I)


def _has_own_slice(text: str) -> bool:
    """True when the query text has a top-level ``LIMIT`` or ``OFFSET`` (after its last
    ``}``): paging it would change its meaning."""
    return bool(_SLICE_AT_END.search(text[text.rfind("}") + 1 :]))


def _exists_variables(query: str) -> set[str]:
    """The variables bound to a bare ``EXISTS {…}`` / ``NOT EXISTS {…}`` (``BIND(EXISTS {…}
    AS ?v)``, ``(EXISTS {…} AS ?v)``): Virtuoso answers them as 1/0."""
    found = set()
    for match in re.finditer(r"(?:\(|\bBIND\s*\()\s*(?:NOT\s+)?EXISTS\s*\{", query, re.I):
        depth, i = 1, match.end()
        while i < len(query) and depth:
            depth += {"{": 1, "}": -1}.get(query[i], 0)
            i += 1
        after = re.match(r"\s*AS\s+[?$](\w+)", query[i:], re.I)
        if after:
            found.add(after.group(1))
    return found


def _bindings(body: bytes) -> list[dict]:
    try:
        return json.loads(body)["results"]["bindings"]
    except (ValueError, KeyError, TypeError) as exc:
        raise RemoteQueryError(f"the endpoint's answer is not SPARQL JSON results: {exc}") from None


def _canonical(value: dict, boolean: bool) -> dict:
    """A JSON results term as the embedded store would give it (see the module's notes)."""
    kind = value.get("type")
    if kind == "bnode" and value["value"].startswith(_VIRTUOSO_BNODE):
        return {"type": "bnode", "value": _BNODE_PREFIX + value["value"][len(_VIRTUOSO_BNODE) :]}
    if kind not in {"literal", "typed-literal"} or "datatype" not in value:
        return value
    datatype, lexical = value["datatype"], value["value"]
    if boolean and datatype == _XSD + "integer" and lexical in {"0", "1"}:
        return {
            "type": "literal",
            "datatype": _XSD + "boolean",
            "value": str(lexical == "1").lower(),
        }
    try:
        if datatype in _INTEGER_TYPES:
            return {"type": "literal", "datatype": _XSD + "integer", "value": str(int(lexical))}
        if datatype == _XSD + "decimal":
            number = Decimal(lexical)
            text = (
                str(int(number))
                if number == number.to_integral_value()
                else f"{number.normalize():f}"
            )
            return {"type": "literal", "datatype": datatype, "value": text}
    except (ValueError, InvalidOperation):
        pass
    return {**value, "type": "literal"}


def _solutions(bindings: list[dict], variables: list[str], booleans: set[str]) -> ox.QuerySolutions:
    """Real ``QuerySolutions`` over ``variables`` (the query's own, in its order)."""
    rows = [
        {k: _canonical(v, k in booleans) for k, v in row.items() if k in variables}
        for row in bindings
    ]
    document = {"head": {"vars": variables}, "results": {"bindings": rows}}
    return ox.parse_query_results(json.dumps(document).encode(), format=ox.QueryResultsFormat.JSON)


def _boolean(body: bytes) -> ox.QueryBoolean:
    try:
        document = json.loads(body)
        if "boolean" in document:
            value = bool(document["boolean"])
        else:  # Virtuoso: one row of __ASK_RETVAL (1) for yes, no row for no
            rows = document["results"]["bindings"]
            value = bool(rows) and next(iter(rows[0].values()))["value"] in {"1", "true"}
    except (ValueError, KeyError, IndexError, TypeError, StopIteration) as exc:
        raise RemoteQueryError(f"the endpoint's answer to an ASK is not readable: {exc}") from None
    return ox.parse_query_results(
        json.dumps({"head": {}, "boolean": value}).encode(), format=ox.QueryResultsFormat.JSON
    )


def _triples(body: bytes) -> ox.QueryTriples:
    """Real ``QueryTriples`` from an N-Triples answer (through a scratch store, which also
    gives literals as the embedded store does)."""
    scratch = ox.Store()
    try:
        scratch.load(body, ox.RdfFormat.N_TRIPLES)
    except SyntaxError as exc:
        raise RemoteQueryError(f"the endpoint's graph answer is not N-Triples: {exc}") from None
    return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")
