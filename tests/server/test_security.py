"""The red-team reproducers of issue 11, each against a running server with a loopback canary:
SERVICE through the gate, another origin's page (DNS rebinding), the gate's exponential regex,
``Content-Length: -1``, a memory bomb, 5,000 nested groups, and the lesser ones (a NUL in a
path, idle connections). Each also checks that a cheap query is answered meanwhile."""

from __future__ import annotations

import json
import socket
import textwrap
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from graph.query.lexer import MAX_NESTING
from graph.server import SparqlServer

if TYPE_CHECKING:
    from conftest import Client  # tests/server/conftest.py

CHEAP = "ASK { city:lyon a cvekg:FrenchCity }"


def _cheap_seconds(client: Client) -> float:
    started = time.monotonic()
    status, _, body = client.get(CHEAP)
    assert status == 200 and json.loads(body)["boolean"] is True
    return time.monotonic() - started


def _raw(url: str, data: bytes, timeout: float = 10) -> bytes:
    """Send ``data`` as it is on a fresh connection; what comes back before it closes."""
    parts = urllib.parse.urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout) as conn:
        conn.sendall(data)
        answer = b""
        try:
            while chunk := conn.recv(65536):
                answer += chunk
                if b"\r\n\r\n" in answer:
                    break
        except (TimeoutError, ConnectionResetError):
            pass
    return answer


# --- 1. SERVICE through the gate -------------------------------------------------------------

BYPASSES = [
    "PREFIX ex: <http://e/> PREFIX a\u00b7b: <{url}> "
    "SELECT * WHERE {{ BIND(ex:a\\#b AS ?h) SERVICE a\u00b7b:x {{ ?s ?p ?o }} }}",
    "PREFIX \u3001z: <{url}> "
    "SELECT * WHERE {{ BIND(0 AS ?z) FILTER(?z<1)SERVICE\u3001z:x#>\n{{ ?s ?p ?o }} }}",
]


@pytest.mark.parametrize("template", BYPASSES)
def test_service_bypasses_are_refused_by_every_route(client: Client, canary, template: str) -> None:
    port, seen = canary
    query = template.format(url=f"http://127.0.0.1:{port}/")
    view = query.replace("SELECT *", "CONSTRUCT { ?s ?p ?o }")
    form = urllib.parse.urlencode({"query": query})
    answers = [
        client.get(query),
        client.request("POST", "/sparql", form, Content_Type="application/x-www-form-urlencoded"),
        client.request("POST", "/sparql", query, Content_Type="application/sparql-query"),
        client.request(
            "POST",
            "/view",
            urllib.parse.urlencode({"query": view}),
            Content_Type="application/x-www-form-urlencoded",
        ),
    ]
    assert [status for status, _, _ in answers] == [403] * 4
    assert all(b"SERVICE is refused" in body for _, _, body in answers)
    time.sleep(0.3)
    assert seen == []


SITECUSTOMIZE = """
import importlib.abc
import importlib.util
import sys


class _NoGate(importlib.abc.MetaPathFinder):
    # The test switches the gate off in the workers: check_query lets everything through.

    def find_spec(self, name, path, target=None):
        if name != "graph.query.sparql":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        run = spec.loader.exec_module

        def exec_module(module):
            run(module)
            module.check_query = lambda query, local=None: module.QueryInfo(
                module.query_form(query), False
            )

        spec.loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, _NoGate())
"""


def test_a_worker_cannot_reach_the_canary_even_with_the_gate_off(
    built_dir: Path,
    tmp_path: Path,
    own_server: Callable[..., SparqlServer],
    client_for: type[Client],
    canary,
    monkeypatch,
) -> None:
    port, seen = canary
    (tmp_path / "sitecustomize.py").write_text(textwrap.dedent(SITECUSTOMIZE), "utf-8")
    monkeypatch.setenv("PYTHONPATH", f"{tmp_path}:{Path(__file__).resolve().parents[2]}")
    server = own_server(built_dir, workers=1)
    client = client_for(server.url)
    status, _, body = client.get(f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/> {{}} }}")
    # The gate let it through (no 403): the worker ran it and could not connect.
    assert status == 500 and b"the query failed while running" in body, body
    assert b"unreachable" in body or b"denied" in body
    probe = server.pool.run({"kind": "network-probe", "host": "127.0.0.1", "port": port})
    assert probe.status == 503 and b"no connection" in probe.body
    time.sleep(0.3)
    assert seen == []
    assert "namespace" in server.pool.network or "seccomp" in server.pool.network


# --- 2. another origin's page, DNS rebinding --------------------------------------------------


def test_a_wrong_host_is_refused_and_cors_stays_for_the_right_one(client: Client) -> None:
    path = "/sparql?" + urllib.parse.urlencode({"query": CHEAP})
    status, _, body = client.request("GET", path, Host="attacker.example:8000")
    assert status == 421 and b"--allowed-host" in body
    status, headers, _ = client.request("GET", path, Origin="http://127.0.0.2:9999")
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
    assert client.request("GET", path, Host=f"localhost:{client.port}")[0] == 200


def test_allowed_host_adds_a_name(
    built_dir: Path, own_server: Callable[..., SparqlServer], client_for: type[Client]
) -> None:
    server = own_server(built_dir, workers=1, allowed_hosts=("graph.example.org",))
    client = client_for(server.url)
    path = "/sparql?" + urllib.parse.urlencode({"query": CHEAP})
    assert client.request("GET", path, Host="graph.example.org")[0] == 200
    assert client.request("GET", path, Host="other.example.org")[0] == 421


# --- 3. the gate's exponential regex -------------------------------------------------------------


def test_hashes_after_service_do_not_stall_the_server(client: Client) -> None:
    query = "ASK {} # service" + "#" * 28
    started = time.monotonic()
    status, _, _ = client.request("POST", "/sparql", query, Content_Type="application/sparql-query")
    assert status == 200 and time.monotonic() - started < 3
    assert _cheap_seconds(client) < 1


# --- 4. Content-Length: -1, and bodies past the cap ----------------------------------------------


def test_negative_content_length_is_a_400(server: SparqlServer, client: Client) -> None:
    head = (
        "POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
        "Content-Length: -1\r\n\r\n"
    )
    answer = _raw(server.url, head.encode() + b"A" * 100_000)
    assert answer.startswith(b"HTTP/1.1 400")
    assert _cheap_seconds(client) < 1


def test_a_body_past_the_cap_is_a_413_however_it_is_sent(
    server: SparqlServer, client: Client
) -> None:
    chunk = b"A" * 65536
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(40))
    head = (
        "POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )
    answer = _raw(server.url, head.encode() + chunked)
    assert answer.startswith(b"HTTP/1.1 413")
    status, _, _ = client.request(
        "POST", "/sparql", b"A" * 1_100_000, Content_Type="application/sparql-query"
    )
    assert status == 413
    assert _cheap_seconds(client) < 1


# --- 5. a memory bomb ----------------------------------------------------------------------------

BOMB = (
    'SELECT (STRLEN(?x27) AS ?n) WHERE { BIND("'
    + "a" * 64
    + '" AS ?x0) '
    + " ".join(f"BIND(CONCAT(?x{i},?x{i}) AS ?x{i + 1})" for i in range(27))
    + " }"
)


def test_a_memory_bomb_is_a_503_naming_the_limit_while_others_are_answered(
    built_dir: Path, own_server: Callable[..., SparqlServer], client_for: type[Client]
) -> None:
    server = own_server(built_dir, workers=2, max_memory=512, timeout=20)
    client = client_for(server.url)
    bomb: dict = {}

    def run_bomb() -> None:
        bomb["reply"] = client.get(BOMB)

    runner = threading.Thread(target=run_bomb)
    runner.start()
    cheap = [_cheap_seconds(client) for _ in range(3)]
    runner.join(30)
    status, _, body = bomb["reply"]
    assert status == 503 and b"the limit of 512 MB" in body and b"--max-memory" in body
    assert max(cheap) < 1
    assert _cheap_seconds(client) < 1  # the spare took the dead worker's place


# --- 6. 5,000 nested groups ----------------------------------------------------------------------


def test_deep_nesting_is_a_400_and_the_worker_lives(server: SparqlServer, client: Client) -> None:
    replaced = server.pool.replaced
    status, _, body = client.get("SELECT * WHERE " + "{" * 5000 + "}" * 5000)
    assert status == 400 and f"the limit is {MAX_NESTING}".encode() in body
    assert server.pool.replaced == replaced
    assert _cheap_seconds(client) < 1


# --- the lesser ones -------------------------------------------------------------------------


def test_nul_in_a_path_is_a_400(client: Client) -> None:
    status, _, body = client.request("GET", "/views/%00.html")
    assert status == 400 and b"control character" in body
    assert client.request("GET", "/views/%ff.html")[0] == 400


def test_idle_connections_neither_block_others_nor_stay(
    built_dir: Path,
    own_server: Callable[..., SparqlServer],
    client_for: type[Client],
    monkeypatch,
) -> None:
    from graph.server import http

    monkeypatch.setattr(http, "REQUEST_SECONDS", 1.0)
    server = own_server(built_dir, workers=1)
    client = client_for(server.url)
    parts = urllib.parse.urlsplit(server.url)
    idle = [socket.create_connection((parts.hostname, parts.port), 5) for _ in range(100)]
    slow = idle[0]
    slow.sendall(b"GET / HTTP/1.1\r\n")  # headers a byte at a time, never finished
    try:
        assert _cheap_seconds(client) < 1
        time.sleep(2.5)
        closed = 0
        for conn in idle:
            conn.settimeout(2)
            try:
                closed += conn.recv(1) == b""
            except OSError:
                closed += 1
        assert closed == len(idle)
    finally:
        for conn in idle:
            conn.close()
