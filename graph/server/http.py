"""The HTTP layer: the standard library's ``ThreadingHTTPServer`` and its request handler, which
routes each request (the routes are listed in :mod:`graph.server`), reads its body, negotiates
the format and hands the work to the :class:`~graph.server.pool.QueryPool`; and
:class:`SparqlServer`, the listener and the pool together.

Only this module speaks HTTP: the pool and the pages build :class:`~graph.server.reply.Reply`
values, so another HTTP server can take this one's place without touching them.
"""

from __future__ import annotations

import json
import logging
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from graph import __version__
from graph.errors import CvekgError
from graph.server.negotiate import (
    ENTITY_MEDIA,
    GRAPH_MEDIA,
    RESULT_MEDIA,
    format_override,
    negotiate,
)
from graph.server.pages import PAGE_CSP, WEB, script_hashes_csp
from graph.server.pool import QueryPool
from graph.server.reply import PLAIN_TEXT, Reply

__all__ = ["SparqlServer"]

logger = logging.getLogger(__name__)

_STATIC_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".html": "text/html; charset=utf-8",
}
_MAX_BODY = 1_000_000
_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "X-SPARQL-MaxRows, X-Query-Seconds",
}


class _Handler(BaseHTTPRequestHandler):
    server_version = f"cvekg/{__version__}"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the base class's name)
        logger.info("%s %s", self.address_string(), format % args)

    # Routing

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._route("GET")

    def do_HEAD(self) -> None:  # noqa: N802
        self._route("HEAD")

    def do_POST(self) -> None:  # noqa: N802
        self._route("POST")

    def do_OPTIONS(self) -> None:  # noqa: N802
        self._send(
            Reply(
                204,
                PLAIN_TEXT,
                b"",
                {
                    **_CORS,
                    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                    "Access-Control-Allow-Headers": "Content-Type, Accept",
                    "Access-Control-Max-Age": "600",
                    "Allow": "GET, HEAD, POST, OPTIONS",
                },
            )
        )

    def _not_allowed(self) -> None:
        self._discard_body()
        self._send(
            Reply.text(
                405,
                f"{self.command} is not allowed: this endpoint is read-only (GET, POST, OPTIONS)",
                Allow="GET, HEAD, POST, OPTIONS",
            )
        )

    do_PUT = do_DELETE = do_PATCH = do_TRACE = do_CONNECT = _not_allowed  # noqa: N815

    def _route(self, method: str) -> None:
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)
        try:
            if path == "/sparql":
                reply = self._sparql(method, url.query)
            elif method == "POST" and path == "/view":
                reply = self._view(self._form_body())
            elif method == "POST":
                self._discard_body()
                reply = Reply.text(405, "POST goes to /sparql or /view", Allow="GET, HEAD")
            elif path == "/view":
                reply = self._view(urllib.parse.parse_qs(url.query))
            elif path in {"/", "/index.html"}:
                reply = self._static("index.html")
            elif path.startswith("/static/"):
                reply = self._static(path.removeprefix("/static/"))
            elif path in {"/views", "/views/"}:
                reply = Reply.text(303, "See /views/index.html", Location="/views/index.html")
            elif path.startswith("/views/"):
                reply = self._views_file(path.removeprefix("/views/"))
            elif path == "/api/queries":
                reply = self._queries()
            elif path.startswith("/entity/"):
                reply = self._entity(path.removeprefix("/entity/"), url.query)
            elif path.startswith("/id/"):
                target = "/entity/" + urllib.parse.quote(path.removeprefix("/id/"))
                reply = Reply.text(303, f"See {target}", Location=target, Vary="Accept")
            else:
                reply = Reply.text(404, f"nothing at {path}; the query page is at /")
        except _RequestError as exc:
            reply = exc.reply
        if method == "HEAD":
            reply.headers["Content-Length"] = str(len(reply.body))
            reply = Reply(reply.status, reply.content_type, b"", reply.headers)
        self._send(reply)

    # Helpers

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        headers = {
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            **reply.headers,
        }
        if reply.content_type.startswith("text/html") and "Content-Security-Policy" not in headers:
            headers["Content-Security-Policy"] = PAGE_CSP
        headers.setdefault("Content-Length", str(len(reply.body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if reply.body:
            self.wfile.write(reply.body)

    def _read_body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            raise _RequestError(Reply.text(411, "send the request body with a Content-Length"))
        try:
            size = int(length or 0)
        except ValueError:
            raise _RequestError(Reply.text(400, "bad Content-Length")) from None
        if size > _MAX_BODY:
            self.close_connection = True
            raise _RequestError(Reply.text(413, f"request body over {_MAX_BODY} bytes"))
        return self.rfile.read(size) if size else b""

    def _discard_body(self) -> None:
        try:
            self._read_body()
        except _RequestError:
            self.close_connection = True

    def _form_body(self) -> dict[str, list[str]]:
        media = self.headers.get_content_type()
        body = self._read_body()
        if media != "application/x-www-form-urlencoded":
            raise _RequestError(
                Reply.text(415, "send a form (application/x-www-form-urlencoded)", **_CORS)
            )
        return _parse_form(body)

    def _static(self, name: str) -> Reply:
        file = (WEB / name).resolve()
        if file.parent != WEB or file.suffix not in _STATIC_TYPES or not file.is_file():
            return Reply.text(404, f"no static file {name}")
        headers = {"Cache-Control": "no-cache"}
        return Reply(200, _STATIC_TYPES[file.suffix], file.read_bytes(), headers)

    def _views_file(self, name: str) -> Reply:
        """A page of the built views (``build/views``), under the CSP its inline scripts need;
        nothing outside that folder, and nothing but HTML."""
        root = self.server.views_folder
        if root is None or not root.is_dir():
            return Reply.text(404, "no views were built (run cvekg build without --no-views)")
        file = (root / name).resolve()
        if not file.is_relative_to(root) or file.suffix != ".html" or not file.is_file():
            return Reply.text(404, f"no view {name}")
        page = file.read_text(encoding="utf-8")
        headers = {"Cache-Control": "no-cache", "Content-Security-Policy": script_hashes_csp(page)}
        return Reply(200, _STATIC_TYPES[".html"], page.encode("utf-8"), headers)

    def _queries(self) -> Reply:
        from graph.namespaces import PREFIXES
        from graph.query.named import list_queries

        document = {
            "queries": [q.as_dict() for q in list_queries(self.server.queries_folder)],
            "prefixes": PREFIXES,
            "timeout": self.server.pool.timeout,
            "maxRows": self.server.pool.max_rows,
            "triples": self.server.pool.triples,
        }
        body = json.dumps(document, ensure_ascii=False).encode("utf-8")
        return Reply(200, "application/json", body, {"Cache-Control": "no-cache"})

    # SPARQL Protocol

    def _sparql(self, method: str, query_string: str) -> Reply:
        params = _parse_form(query_string.encode("ascii", "replace"))
        if method == "POST":
            media = self.headers.get_content_type()
            body = self._read_body()
            if media == "application/x-www-form-urlencoded":
                for name, values in _parse_form(body).items():
                    params.setdefault(name, []).extend(values)
            elif media == "application/sparql-query":
                params.setdefault("query", []).append(_utf8(body))
            elif media == "application/sparql-update":
                return Reply.text(403, "SPARQL Update is refused: the graph is read-only", **_CORS)
            else:
                return Reply.text(
                    415,
                    f"unsupported request type {media}: POST a form "
                    "(application/x-www-form-urlencoded) or application/sparql-query",
                    **_CORS,
                )
        if "update" in params:
            return Reply.text(403, "SPARQL Update is refused: the graph is read-only", **_CORS)
        queries = params.get("query", [])
        if not queries:
            return Reply.text(400, "no query: send ?query=… (SPARQL 1.1 Protocol)", **_CORS)
        if len(queries) > 1:
            return Reply.text(400, f"{len(queries)} queries sent; send exactly one", **_CORS)
        query = queries[0]
        from graph.query.sparql import QueryRefusedError, check_query

        try:
            info = check_query(query, self.server.pool.graphs)
        except QueryRefusedError as exc:
            return Reply.text(403, str(exc), **_CORS)
        accept = self.headers.get("Accept")
        override = (params.get("format") or params.get("output") or [None])[-1]
        if override:
            result_format = format_override(override, RESULT_MEDIA)
            graph_format = format_override(override, GRAPH_MEDIA)
            if result_format is None and graph_format is None:
                return Reply.text(400, f"unknown format {override!r}", **_CORS)
        else:
            result_format = negotiate(accept, RESULT_MEDIA)
            graph_format = negotiate(accept, GRAPH_MEDIA)
        expected = {"SELECT": result_format, "ASK": result_format}.get(info.form, graph_format)
        if info.form in {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"} and expected is None:
            offers = RESULT_MEDIA if info.form in {"SELECT", "ASK"} else GRAPH_MEDIA
            return Reply.text(
                406,
                f"cannot answer a {info.form} query as {override or accept}; "
                f"available: {', '.join(offers)}",
                **_CORS,
            )
        reply = self.server.pool.run(
            {
                "kind": "sparql",
                "query": query,
                "result_format": result_format,
                "graph_format": graph_format,
                "accept": accept,
                "default": params.get("default-graph-uri"),
                "named": params.get("named-graph-uri"),
            }
        )
        reply.headers.update(_CORS)
        reply.headers["Vary"] = "Accept"
        return reply

    def _view(self, params: dict[str, list[str]]) -> Reply:
        query = (params.get("query") or [""])[-1]
        if not query.strip():
            return Reply.text(400, "no query: /view?query=CONSTRUCT…")
        from graph.query.sparql import QueryRefusedError, check_query

        try:
            check_query(query, self.server.pool.graphs)
        except QueryRefusedError as exc:
            return Reply.text(403, str(exc))
        title = (params.get("title") or [""])[-1][:200]
        views = self.server.views_folder is not None and self.server.views_folder.is_dir()
        return self.server.pool.run(
            {"kind": "view", "query": query, "title": title, "views": views}
        )

    def _entity(self, rest: str, query_string: str) -> Reply:
        kind, _, slug = rest.partition("/")
        if not kind or not slug or "/" in slug:
            return Reply.text(404, "an entity page is /entity/KIND/SLUG, e.g. /entity/city/lyon")
        override = (_parse_form(query_string.encode("ascii", "replace")).get("format") or [None])[
            -1
        ]
        if override:
            fmt = format_override(override, ENTITY_MEDIA)
        else:
            fmt = negotiate(self.headers.get("Accept"), ENTITY_MEDIA)
        if fmt is None:
            return Reply.text(406, f"available: {', '.join(ENTITY_MEDIA)}", Vary="Accept")
        reply = self.server.pool.run({"kind": "entity", "kind_": kind, "slug": slug, "format": fmt})
        reply.headers["Vary"] = "Accept"
        if fmt != "html":
            reply.headers.update(_CORS)
        return reply


class _RequestError(Exception):
    def __init__(self, reply: Reply):
        super().__init__(reply.body.decode("utf-8", "replace"))
        self.reply = reply


def _utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise _RequestError(Reply.text(400, "the query is not UTF-8 text", **_CORS)) from None


def _parse_form(body: bytes) -> dict[str, list[str]]:
    try:
        return urllib.parse.parse_qs(body.decode("ascii"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise _RequestError(Reply.text(400, "the form is not URL-encoded UTF-8", **_CORS)) from None


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    pool: QueryPool
    queries_folder: Path | None
    views_folder: Path | None


class SparqlServer:
    """The server: an HTTP listener and a pool of query workers over ``out/graph.trig``.

    Use it as a context manager (``with SparqlServer(out, port=0) as server: ...``), run
    :meth:`serve_forever`, and read the bound address from :attr:`url`.
    """

    def __init__(
        self,
        out: Path,
        host: str = "127.0.0.1",
        port: int = 8000,
        timeout: float = 10.0,
        max_rows: int = 10000,
        workers: int = 2,
        queries: Path | None = None,
        endpoints: list[str] | None = None,
    ):
        trig = Path(out) / "graph.trig"
        if not endpoints and not trig.is_file():
            raise CvekgError(f"{trig}: no built graph (run cvekg build)")
        source = "endpoint:" + " ".join(endpoints) if endpoints else trig  # a remote dataset
        self.pool = QueryPool(source, workers=workers, timeout=timeout, max_rows=max_rows)
        self.host, self.port, self.queries = host, port, queries
        self.views = (Path(out) / "views").resolve()
        self.httpd: _HTTPServer | None = None

    def start(self) -> SparqlServer:
        """Start the workers and bind the listening socket."""
        self.pool.start()
        try:
            self.httpd = _HTTPServer((self.host, self.port), _Handler)
        except OSError as exc:
            self.pool.close()
            raise CvekgError(f"cannot listen on {self.host}:{self.port}: {exc.strerror}") from None
        self.httpd.pool = self.pool
        self.httpd.queries_folder = self.queries
        self.httpd.views_folder = self.views
        return self

    @property
    def url(self) -> str:
        """The base URL, ``http://127.0.0.1:8000/``."""
        assert self.httpd is not None, "start() first"
        host, port = self.httpd.server_address[:2]
        shown = f"[{host}]" if ":" in str(host) else host
        return f"http://{shown}:{port}/"

    def serve_forever(self) -> None:
        """Answer requests until :meth:`shutdown` (or Ctrl+C)."""
        assert self.httpd is not None, "start() first"
        self.httpd.serve_forever(poll_interval=0.2)

    def shutdown(self) -> None:
        """Stop :meth:`serve_forever` (from another thread)."""
        if self.httpd is not None:
            self.httpd.shutdown()

    def close(self) -> None:
        """Release the socket and stop the workers."""
        if self.httpd is not None:
            self.httpd.server_close()
        self.pool.close()

    def __enter__(self) -> SparqlServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()
