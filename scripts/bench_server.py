"""Cheap-query latency and memory of ``cvekg serve``, at rest and under each attack of issue 11.

    python scripts/bench_server.py --out build [--requests 200]

Starts the server of the ``graph`` package on the path (run it with another checkout's package
first on ``PYTHONPATH`` to compare HTTP layers), sends a cheap ASK query one request at a time
and prints its latency (p50, p95) and the resident memory of the HTTP process and of the
workers; then the same while an attack runs beside it: memory bombs, 5,000 nested groups,
``ASK {} # service`` and 28 '#', idle connections, and a 20 MB body sent with
``Content-Length: -1``. An attack the server does not survive shows as errors.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

CHEAP = "ASK { city:lyon a cvekg:FrenchCity }"
BOMB = (
    'SELECT (STRLEN(?x27) AS ?n) WHERE { BIND("'
    + "a" * 64
    + '" AS ?x0) '
    + " ".join(f"BIND(CONCAT(?x{i},?x{i}) AS ?x{i + 1})" for i in range(27))
    + " }"
)


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _get(host: str, port: int, query: str, timeout: float = 30) -> int:
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", "/sparql?" + urllib.parse.urlencode({"query": query}))
        response = conn.getresponse()
        response.read()
        return response.status
    except OSError:
        return 0
    finally:
        conn.close()


def _latencies(host: str, port: int, n: int) -> tuple[list[float], int]:
    seconds, errors = [], 0
    for _ in range(n):
        started = time.perf_counter()
        if _get(host, port, CHEAP, timeout=30) != 200:
            errors += 1
        seconds.append(time.perf_counter() - started)
    return seconds, errors


def _attack_loop(action: Callable[[], None], stop: threading.Event) -> threading.Thread:
    def loop() -> None:
        while not stop.is_set():
            try:
                action()
            except OSError:
                time.sleep(0.05)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return thread


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("build"))
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--skip", action="append", default=[], help="skip the attacks whose name holds this"
    )
    args = parser.parse_args()

    from graph.server import SparqlServer

    server = SparqlServer(args.out, port=0, workers=2, timeout=10).start()
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    parts = urllib.parse.urlsplit(server.url)
    host, port = parts.hostname, parts.port
    time.sleep(0.5)
    module = type(server).__module__
    print(f"HTTP layer: {module} ({Path(__import__(module).__file__).parent})")

    def report(name: str, seconds: list[float], errors: int) -> None:
        ordered = sorted(seconds)
        p50 = statistics.median(ordered) * 1000
        p95 = ordered[int(len(ordered) * 0.95) - 1] * 1000
        print(f"{name:34} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms   errors {errors}")

    _latencies(host, port, 20)  # warm up
    seconds, errors = _latencies(host, port, args.requests)
    report("at rest", seconds, errors)
    workers = [w.process.pid for w in list(server.pool._all)]
    print(
        f"memory: HTTP process {_rss_mb(os.getpid()):.0f} MB RSS (the bench client included), "
        f"workers {', '.join(f'{_rss_mb(p):.0f}' for p in workers)} MB RSS"
    )

    def bomb() -> None:
        _get(host, port, BOMB)

    def nested() -> None:
        _get(host, port, "SELECT * WHERE " + "{" * 5000 + "}" * 5000)

    def hashes() -> None:
        _get(host, port, "ASK {} # service" + "#" * 28)

    def negative_length() -> None:
        with socket.create_connection((host, port), 10) as conn:
            conn.sendall(
                b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/sparql-query\r\nContent-Length: -1\r\n\r\n"
            )
            block = b"A" * 65536
            for _ in range(320):  # 20 MB
                conn.sendall(block)

    idle: list[socket.socket] = []

    def idle_connections() -> None:
        if len(idle) < 250:
            idle.append(socket.create_connection((host, port), 10))
        else:
            time.sleep(0.1)

    attacks = [
        ("memory bombs (2 at once)", bomb, 2),
        ("5,000 nested groups", nested, 1),
        ("ASK {} # service + 28 '#'", hashes, 1),
        ("idle connections (250)", idle_connections, 1),
        ("Content-Length: -1, 20 MB bodies", negative_length, 1),
    ]
    for name, action, copies in attacks:
        if any(word in name for word in args.skip):
            continue
        stop = threading.Event()
        threads = [_attack_loop(action, stop) for _ in range(copies)]
        time.sleep(1.0)
        seconds, errors = _latencies(host, port, max(20, args.requests // 4))
        stop.set()
        for thread in threads:
            thread.join(30)
        for conn in idle:
            conn.close()
        idle.clear()
        report(f"under {name}", seconds, errors)
        time.sleep(1.0)
    print(f"workers replaced: {server.pool.replaced}")
    server.shutdown()
    serving.join(10)
    server.close()


if __name__ == "__main__":
    main()
