"""graph.sandbox: a process that dropped its network cannot reach a loopback canary, not with a
socket of its own, not through Oxigraph's SERVICE; its memory cap holds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import socket, sys
import graph.sandbox as sandbox
port, how = int(sys.argv[1]), sys.argv[2]
if how == "namespace":
    assert sandbox.drop_network() is None, "could not drop the network"
    print("by", sandbox.NETWORK_DROPPED_BY)
elif how == "seccomp":
    assert sandbox._seccomp(sandbox._libc()) is None, "could not install the filter"
try:
    socket.create_connection(("127.0.0.1", port), 2).close()
    print("socket connected")
except OSError as exc:
    print("socket refused", exc.errno)
left, right = socket.socketpair()
left.send(b"x")
print("unix", right.recv(1).decode())
import pyoxigraph as ox
query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}"
try:
    list(ox.Store().query(query))
except OSError as exc:
    print("service failed", exc)
"""


def _child(port: int, how: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(port), how],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_control_a_process_with_network_reaches_the_canary(canary) -> None:
    port, seen = canary
    out = _child(port, "none")
    assert "socket connected" in out
    assert len(seen) >= 2  # the socket, then Oxigraph's SERVICE call


@pytest.mark.parametrize("how", ["namespace", "seccomp"])
def test_a_process_without_network_cannot_reach_the_canary(canary, how: str) -> None:
    port, seen = canary
    out = _child(port, how)
    assert "socket refused" in out and "service failed" in out
    assert "unix x" in out  # its Unix socket to the server still works
    assert seen == []
    if how == "namespace":
        assert "by a network namespace" in out


def test_memory_limit_makes_a_large_allocation_fail() -> None:
    code = (
        "import graph.sandbox as s; s.limit_memory(400)\n"
        "try:\n    bytearray(600 * 1024 * 1024)\nexcept MemoryError:\n    print('refused')\n"
        "print(len(bytearray(50 * 1024 * 1024)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.stdout.split() == ["refused", str(50 * 1024 * 1024)], done.stderr


def test_cvekg_query_evaluates_in_a_child_without_network(canary) -> None:
    """What ``cvekg query`` and ``cvekg view`` evaluate runs in a child process that dropped
    its network: an unguarded SERVICE there reaches nothing, and the error comes back."""
    import pyoxigraph as ox

    from graph.cli import _offline
    from graph.errors import CvekgError

    port, seen = canary

    def unguarded() -> int:
        query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}"
        return len(list(ox.Store().query(query)))

    with pytest.raises(CvekgError, match="unreachable|denied"):
        _offline(unguarded)
    assert _offline(lambda: 6 * 7) == 42
    assert seen == []


def test_the_c_library_is_found_by_name_when_the_process_lacks_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The process's own symbols serve where they hold ``unshare`` (no ``ldconfig`` run before
    every query); elsewhere the library is looked up by name, as before."""
    import ctypes

    import graph.sandbox as sandbox

    assert hasattr(sandbox._libc(), "unshare")
    real = ctypes.CDLL
    opened: list[object] = []

    def cdll(name, *args, **kwargs):
        opened.append(name)
        return object() if name is None else real(name, *args, **kwargs)

    monkeypatch.setattr(sandbox.ctypes, "CDLL", cdll)
    assert hasattr(sandbox._libc(), "unshare")
    assert opened[0] is None and opened[1] is not None
