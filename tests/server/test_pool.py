"""The pool of query workers: a query past the time limit is stopped while the others are
answered; a rebuilt graph is served without a restart."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from graph.server import SparqlServer

if TYPE_CHECKING:
    from conftest import Client  # tests/server/conftest.py

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
FRENCH = "SELECT ?c WHERE { ?c a cvekg:FrenchCity } ORDER BY ?c"
LYON = "https://w3id.org/cvekg/id/city/lyon"


def _bindings(body: bytes) -> list[dict]:
    return json.loads(body)["results"]["bindings"]


def test_slow_query_is_stopped_while_others_are_answered(
    built_dir: Path, own_server: Callable[..., SparqlServer], client_for: type[Client]
) -> None:
    server = own_server(built_dir, timeout=1.5, workers=2)
    client = client_for(server.url)
    slow: dict = {}

    def run_slow() -> None:
        started = time.monotonic()
        slow["reply"] = client.get(SLOW)
        slow["seconds"] = time.monotonic() - started

    runner = threading.Thread(target=run_slow)
    runner.start()
    time.sleep(0.3)
    started = time.monotonic()
    status, _, body = client.get(FRENCH)
    fast_seconds = time.monotonic() - started
    assert runner.is_alive(), "the slow query should still be running"
    assert status == 200 and len(_bindings(body)) == 9
    assert fast_seconds < 1.0
    runner.join(15)
    status, _, body = slow["reply"]
    assert status == 503
    assert b"ran past the time limit of 1.5 s" in body
    assert 1.4 < slow["seconds"] < 6
    assert server.pool.replaced == 1
    # The server stays responsive, with its worker replaced.
    for _ in range(3):
        assert client.get(FRENCH)[0] == 200


def test_a_rebuilt_graph_is_served_without_a_restart(
    built_dir: Path,
    tmp_path: Path,
    own_server: Callable[..., SparqlServer],
    client_for: type[Client],
) -> None:
    out = tmp_path / "build"
    out.mkdir()
    shutil.copy(built_dir / "graph.trig", out / "graph.trig")
    server = own_server(out, timeout=10, workers=1)
    client = client_for(server.url)
    ask = "ASK { city:lyon rdfs:label 'Lyon (rebuilt)'@en }"
    assert json.loads(client.get(ask)[2])["boolean"] is False
    # A build writes the new graph beside the old one, then renames it into place.
    extra = f'<{LYON}> <http://www.w3.org/2000/01/rdf-schema#label> "Lyon (rebuilt)"@en .'
    new = out / ".graph.trig.new"
    new.write_text((out / "graph.trig").read_text(encoding="utf-8") + "\n" + extra + "\n")
    os.replace(new, out / "graph.trig")
    deadline = time.monotonic() + 60
    answers = []
    while time.monotonic() < deadline:
        status, _, body = client.get(ask)
        assert status == 200  # the old workers answer while the new ones load
        answers.append(json.loads(body)["boolean"])
        if answers[-1]:
            break
        time.sleep(0.2)
    assert answers[0] is False and answers[-1] is True
    assert server.pool.reloads == 1 and server.pool.generation == 1
