"""Fixtures of the server tests: the seed graph served on a free port, servers a test starts
itself, and a raw HTTP client."""

from __future__ import annotations

import http.client
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from graph.server import SparqlServer


def _start(out: Path, **options) -> tuple[SparqlServer, threading.Thread]:
    server = SparqlServer(out, port=0, **options).start()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def _stop(server: SparqlServer, thread: threading.Thread) -> None:
    server.shutdown()
    thread.join(5)
    server.close()


@pytest.fixture(scope="module")
def server(built_dir: Path) -> Iterator[SparqlServer]:
    """The seed graph served on a free port, with a small row cap to test it."""
    running, thread = _start(built_dir, timeout=10, max_rows=500, workers=2)
    yield running
    _stop(running, thread)


class Client:
    """Raw HTTP, one connection per request, as the W3C protocol tests do."""

    def __init__(self, url: str):
        parts = urllib.parse.urlsplit(url)
        self.host, self.port = parts.hostname, parts.port

    def request(
        self, method: str, path: str, body: bytes | str | None = None, **headers: str
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            data = body.encode("utf-8") if isinstance(body, str) else body
            wire = {k.replace("_", "-"): v for k, v in headers.items()}
            connection.request(method, path, body=data, headers=wire)
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def get(self, query: str, **headers: str):
        return self.request("GET", "/sparql?" + urllib.parse.urlencode({"query": query}), **headers)


@pytest.fixture(scope="module")
def client(server: SparqlServer) -> Client:
    return Client(server.url)


@pytest.fixture
def client_for() -> type[Client]:
    """The client for a server the test starts itself: ``client_for(url)``."""
    return Client


@pytest.fixture
def own_server() -> Iterator[Callable[..., SparqlServer]]:
    """Start a server of the test's own (``own_server(out, timeout=1.5)``); stopped after it."""
    running: list[tuple[SparqlServer, threading.Thread]] = []

    def start(out: Path, **options) -> SparqlServer:
        running.append(_start(out, **options))
        return running[-1][0]

    yield start
    for server, thread in running:
        _stop(server, thread)


@pytest.fixture
def page(browser, served: str):
    """A fresh page that records every request and every console error."""
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    page = context.new_page()
    page.requests = []
    page.problems = []
    # On the context, so pages the test opens (the graph view) are watched too.
    context.on("request", lambda request: page.requests.append(request.url))
    context.on("console", lambda m: m.type in {"error", "warning"} and page.problems.append(m.text))
    context.on("weberror", lambda error: page.problems.append(str(error.error)))
    yield page
    context.close()
