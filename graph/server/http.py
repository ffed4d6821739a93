"""The HTTP layer: Starlette on uvicorn. :class:`_App` routes each request (the routes are listed
in :mod:`graph.server`), checks its Host, reads its body within a cap, negotiates the format
and hands the work to the :class:`~graph.server.pool.QueryPool`; :class:`SparqlServer` is the
listener, the uvicorn server and the pool together.

What a well-kept server solves is left to one: uvicorn (h11) parses requests and refuses a
malformed one, an invalid or negative ``Content-Length`` among them (400), bounds the header
size, the connections it serves at once (past them a 503) and idle keep-alive connections; a
connection that sends no complete request within :data:`REQUEST_SECONDS` is closed
(:class:`_Protocol`); the socket listens with a real backlog. The pool and the pages build
:class:`~graph.server.reply.Reply` values and know nothing of HTTP.

Same-origin safety: a request whose ``Host`` is not a name the server was bound to (or one
added with ``--allowed-host``) gets 421, so a page that rebinds its DNS name to 127.0.0.1
cannot read the server; cross-origin GET and POST stay open (``Access-Control-Allow-Origin:
*``) for this public, read-only data, and no request can make the server connect anywhere:
the workers have no network (:mod:`graph.sandbox`).
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import socket
import threading
import urllib.parse
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from uvicorn.protocols.http.h11_impl import H11Protocol

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

__all__ = ["SparqlServer", "MAX_BODY", "REQUEST_SECONDS", "MAX_CONNECTIONS"]

logger = logging.getLogger(__name__)

_STATIC_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".html": "text/html; charset=utf-8",
}
#: The largest request body read (a query or a form), bytes: past it, 413.
MAX_BODY = 1_000_000
#: Seconds a connection may take to send a whole request (headers and body), and may stay idle.
REQUEST_SECONDS = 10.0
#: Connections (and requests) served at once; past them a 503 at once, not a stall.
MAX_CONNECTIONS = 256
#: Connections waiting to be accepted.
BACKLOG = 2048
_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "X-SPARQL-MaxRows, X-Query-Seconds",
}
_ALLOW = "GET, HEAD, POST, OPTIONS"
_LOCAL_NAMES = {"localhost", "127.0.0.1", "::1"}


class _RequestError(Exception):
    def __init__(self, reply: Reply):
        super().__init__(reply.body.decode("utf-8", "replace"))
        self.reply = reply


def allowed_hosts(bound: str, extra: tuple[str, ...] = ()) -> frozenset[str] | None:
    """The ``Host`` names a server bound to ``bound`` answers: its own name, the loopback
    names when it is on the loopback, and ``extra``. ``None`` (any IP address, the names in
    ``extra`` and ``localhost``) when bound to every interface."""
    names = {bound.lower().strip("[]")} | {e.lower().strip("[]") for e in extra}
    if bound in {"0.0.0.0", "::", ""}:
        return None
    try:
        loopback = ipaddress.ip_address(bound.strip("[]")).is_loopback
    except ValueError:
        loopback = bound == "localhost"
    if loopback:
        names |= _LOCAL_NAMES
    return frozenset(names)


def _host_name(header: str) -> str:
    """``example.org`` from ``example.org:8000``, ``::1`` from ``[::1]:8000``."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class _App:
    """The ASGI application: one request in, one :class:`Reply` out."""

    def __init__(
        self,
        pool: QueryPool,
        queries_folder: Path | None,
        views_folder: Path | None,
        hosts: frozenset[str] | None,
        extra_hosts: tuple[str, ...] = (),
    ):
        self.pool, self.queries_folder, self.views_folder = pool, queries_folder, views_folder
        self.hosts, self.extra_hosts = hosts, {h.lower().strip("[]") for h in extra_hosts}

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        try:
            reply = await self._route(request)
        except _RequestError as exc:
            reply = exc.reply
        except ClientDisconnect:
            return
        headers = {
            "Content-Type": reply.content_type,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Server": f"cvekg/{__version__}",
            **reply.headers,
        }
        if reply.content_type.startswith("text/html") and "Content-Security-Policy" not in headers:
            headers["Content-Security-Policy"] = PAGE_CSP
        headers["Content-Length"] = str(len(reply.body))
        body = b"" if scope["method"] == "HEAD" else reply.body
        await Response(body, reply.status, headers)(scope, receive, send)

    # Routing

    def _host_refused(self, request: Request) -> Reply | None:
        header = request.headers.get("host")
        if not header:
            return Reply.text(400, "a Host header is required")
        name = _host_name(header)
        if self.hosts is None:  # every interface: IP addresses, localhost and the names added
            try:
                ipaddress.ip_address(name)
                return None
            except ValueError:
                if name == "localhost" or name in self.extra_hosts:
                    return None
        elif name in self.hosts:
            return None
        answered = ", ".join(sorted(self.hosts or {"any IP address", "localhost"}))
        return Reply.text(
            421,
            f"this server does not answer for the host {header!r} (it answers for {answered}; "
            "cvekg serve --allowed-host NAME adds a name): a page whose name was pointed at "
            "this machine cannot read it",
        )

    async def _route(self, request: Request) -> Reply:
        refused = self._host_refused(request)
        if refused is not None:
            return refused
        method = request.method
        path = _path(request.scope.get("raw_path") or request.scope["path"].encode("utf-8"))
        query_string = request.scope.get("query_string", b"")
        if method == "OPTIONS":
            return Reply(
                204,
                PLAIN_TEXT,
                b"",
                {
                    **_CORS,
                    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                    "Access-Control-Allow-Headers": "Content-Type, Accept",
                    "Access-Control-Max-Age": "600",
                    "Allow": _ALLOW,
                },
            )
        if method not in {"GET", "HEAD", "POST"}:
            return Reply.text(
                405,
                f"{method} is not allowed: this endpoint is read-only (GET, POST, OPTIONS)",
                Allow=_ALLOW,
            )
        if path == "/sparql":
            return await self._sparql(request, method, query_string)
        if method == "POST" and path == "/view":
            return await self._view(await self._form_body(request))
        if method == "POST":
            return Reply.text(405, "POST goes to /sparql or /view", Allow="GET, HEAD")
        if path == "/view":
            return await self._view(_parse_form(query_string))
        if path in {"/", "/index.html"}:
            return self._static("index.html")
        if path.startswith("/static/"):
            return self._static(path.removeprefix("/static/"))
        if path in {"/views", "/views/"}:
            return Reply.text(303, "See /views/index.html", Location="/views/index.html")
        if path.startswith("/views/"):
            return self._views_file(path.removeprefix("/views/"))
        if path == "/api/queries":
            return self._queries()
        if path.startswith("/entity/"):
            return await self._entity(request, path.removeprefix("/entity/"), query_string)
        if path.startswith("/id/"):
            target = "/entity/" + urllib.parse.quote(path.removeprefix("/id/"))
            return Reply.text(303, f"See {target}", Location=target, Vary="Accept")
        return Reply.text(404, f"nothing at {path}; the query page is at /")

    # Helpers

    async def _read_body(self, request: Request) -> bytes:
        """The body, at most :data:`MAX_BODY` bytes (413 past it, however it is sent)."""
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                raise _RequestError(
                    Reply.text(413, f"request body over {MAX_BODY} bytes", Connection="close")
                )
        return bytes(body)

    async def _form_body(self, request: Request) -> dict[str, list[str]]:
        media = _media_type(request)
        body = await self._read_body(request)
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
        root = self.views_folder
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
        from graph.query.terms import vocabulary

        document = {
            "queries": [q.as_dict() for q in list_queries(self.queries_folder)],
            "prefixes": PREFIXES,
            # The ontology's classes and properties, for the editor's completion.
            "terms": list(vocabulary()),
            "timeout": self.pool.timeout,
            "maxRows": self.pool.max_rows,
            "triples": self.pool.triples,
        }
        body = json.dumps(document, ensure_ascii=False).encode("utf-8")
        return Reply(200, "application/json", body, {"Cache-Control": "no-cache"})

    # SPARQL Protocol

    async def _sparql(self, request: Request, method: str, query_string: bytes) -> Reply:
        params = _parse_form(query_string)
        if method == "POST":
            media = _media_type(request)
            body = await self._read_body(request)
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
        accept = request.headers.get("accept")
        override = (params.get("format") or params.get("output") or [None])[-1]
        if override:
            result_format = format_override(override, RESULT_MEDIA)
            graph_format = format_override(override, GRAPH_MEDIA)
            if result_format is None and graph_format is None:
                return Reply.text(400, f"unknown format {override!r}", **_CORS)
        else:
            result_format = negotiate(accept, RESULT_MEDIA)
            graph_format = negotiate(accept, GRAPH_MEDIA)
        # The gate runs in the worker, within the time limit and without network: a hostile
        # query costs a worker's time, never this process's.
        reply = await run_in_threadpool(
            self.pool.run,
            {
                "kind": "sparql",
                "query": queries[0],
                "result_format": result_format,
                "graph_format": graph_format,
                "accept": accept,
                "default": params.get("default-graph-uri"),
                "named": params.get("named-graph-uri"),
                # Not in the SPARQL Protocol: answer from stated claims alone (cvekg query
                # --stated-only), leaving out those read from context.
                "stated_only": (params.get("stated-only") or [""])[-1].lower()
                in {"1", "true", "yes", "on"},
            },
        )
        reply.headers.update(_CORS)
        reply.headers["Vary"] = "Accept"
        return reply

    async def _view(self, params: dict[str, list[str]]) -> Reply:
        query = (params.get("query") or [""])[-1]
        if not query.strip():
            return Reply.text(400, "no query: /view?query=CONSTRUCT…")
        title = (params.get("title") or [""])[-1][:200]
        views = self.views_folder is not None and self.views_folder.is_dir()
        return await run_in_threadpool(
            self.pool.run, {"kind": "view", "query": query, "title": title, "views": views}
        )

    async def _entity(self, request: Request, rest: str, query_string: bytes) -> Reply:
        kind, _, slug = rest.partition("/")
        if not kind or not slug or "/" in slug:
            return Reply.text(404, "an entity page is /entity/KIND/SLUG, e.g. /entity/city/lyon")
        override = (_parse_form(query_string).get("format") or [None])[-1]
        if override:
            fmt = format_override(override, ENTITY_MEDIA)
        else:
            fmt = negotiate(request.headers.get("accept"), ENTITY_MEDIA)
        if fmt is None:
            return Reply.text(406, f"available: {', '.join(ENTITY_MEDIA)}", Vary="Accept")
        reply = await run_in_threadpool(
            self.pool.run, {"kind": "entity", "kind_": kind, "slug": slug, "format": fmt}
        )
        reply.headers["Vary"] = "Accept"
        if fmt != "html":
            reply.headers.update(_CORS)
        return reply


def _path(raw: bytes) -> str:
    """The request's path, percent-decoded; 400 for one that is not UTF-8 or holds a NUL or
    another control character (``/views/%00.html``)."""
    try:
        path = urllib.parse.unquote(raw.decode("ascii"), errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise _RequestError(Reply.text(400, "the path is not percent-encoded UTF-8")) from None
    if any(ord(c) < 0x20 or c == "\x7f" for c in path):
        raise _RequestError(Reply.text(400, "the path holds a control character (NUL, …)"))
    return path


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


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


class _Protocol(H11Protocol):
    """uvicorn's h11 protocol, and a deadline: a connection that has not sent a whole request
    within :data:`REQUEST_SECONDS` (idle, or sending its headers a byte at a time) is closed,
    so idle connections cannot use up the server's file descriptors."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(None)

    def _arm(self, cycle: object) -> None:
        self._deadline = self.loop.call_later(REQUEST_SECONDS, self._too_slow, cycle)

    def _too_slow(self, cycle: object) -> None:
        current = self.cycle
        busy = current is not None and not current.response_complete
        if current is cycle and not busy and not self.transport.is_closing():
            self.transport.close()  # no new request came in time
        elif not self.transport.is_closing():
            self._arm(current)

    def connection_lost(self, exc: Exception | None) -> None:
        deadline = getattr(self, "_deadline", None)
        if deadline is not None:
            deadline.cancel()
        super().connection_lost(exc)


class SparqlServer:
    """The server: uvicorn serving :class:`_App`, and a pool of query workers over
    ``out/graph.trig``.

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
        max_memory: int = 1024,
        allowed_hosts: tuple[str, ...] = (),
    ):
        trig = Path(out) / "graph.trig"
        if not endpoints and not trig.is_file():
            raise CvekgError(f"{trig}: no built graph (run cvekg build)")
        source = "endpoint:" + " ".join(endpoints) if endpoints else trig  # a remote dataset
        self.pool = QueryPool(
            source, workers=workers, timeout=timeout, max_rows=max_rows, max_memory=max_memory
        )
        self.host, self.port, self.queries = host, port, queries
        self.extra_hosts = tuple(allowed_hosts)
        self.views = (Path(out) / "views").resolve()
        self.socket: socket.socket | None = None
        self.uvicorn = None
        self._serving = threading.Event()  # serve_forever has begun
        self._served = threading.Event()  # ... and has returned

    def start(self) -> SparqlServer:
        """Start the workers and bind the listening socket."""
        import uvicorn

        try:
            self.pool.start()
        except BaseException:  # Ctrl+C while the workers load: stop those already started
            self.pool.close()
            raise
        try:
            family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
            self.socket = socket.socket(family, socket.SOCK_STREAM)
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.socket.bind((self.host.strip("[]"), self.port))
            self.socket.listen(BACKLOG)
        except OSError as exc:
            self.pool.close()
            raise CvekgError(f"cannot listen on {self.host}:{self.port}: {exc.strerror}") from None
        app = _App(
            self.pool,
            self.queries,
            self.views,
            allowed_hosts(self.host, self.extra_hosts),
            self.extra_hosts,
        )
        config = uvicorn.Config(
            app,
            http=_Protocol,
            lifespan="off",
            log_level="warning",
            access_log=False,
            server_header=False,
            timeout_keep_alive=int(REQUEST_SECONDS),
            limit_concurrency=MAX_CONNECTIONS,
            backlog=BACKLOG,
            h11_max_incomplete_event_size=64 * 1024,
            timeout_graceful_shutdown=2,
        )
        self.uvicorn = uvicorn.Server(config)
        return self

    @property
    def url(self) -> str:
        """The base URL, ``http://127.0.0.1:8000/``."""
        assert self.socket is not None, "start() first"
        host, port = self.socket.getsockname()[:2]
        shown = f"[{host}]" if ":" in str(host) else host
        return f"http://{shown}:{port}/"

    def serve_forever(self) -> None:
        """Answer requests until :meth:`shutdown` (or Ctrl+C, from the main thread)."""
        assert self.uvicorn is not None and self.socket is not None, "start() first"
        self._serving.set()
        try:
            self.uvicorn.run(sockets=[self.socket])
        finally:
            self._served.set()

    def shutdown(self) -> None:
        """Stop :meth:`serve_forever` (from another thread)."""
        if self.uvicorn is not None:
            self.uvicorn.should_exit = True

    def close(self) -> None:
        """Release the socket and stop the workers; a server still answering in another
        thread is stopped first, since uvicorn's shutdown still reads the socket (closing it
        under uvicorn made its thread fail with "Invalid file descriptor: -1")."""
        if self._serving.is_set() and not self._served.is_set():
            self.shutdown()
            self._served.wait(timeout=10)
        if self.socket is not None:
            self.socket.close()
        self.pool.close()

    def __enter__(self) -> SparqlServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()
