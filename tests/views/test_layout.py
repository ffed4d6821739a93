"""Layout helpers: :func:`graph.views.layout.spread` against the plain algorithm it shortens."""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
import zlib

import pytest

from graph.views.layout import spread


def _spread_every_pair(pos: dict, min_distance: float, rounds: int, fixed: set) -> dict:
    """Every pair checked in every round: what ``spread`` must give, with its grid and its
    check of only the nodes around those that moved."""
    pos = {n: (float(x), float(y)) for n, (x, y) in pos.items()}
    for _ in range(rounds):
        shift = {}
        close = False
        for a, (ax, ay) in pos.items():
            sx = sy = 0.0
            for b, (bx, by) in pos.items():
                d = math.hypot(ax - bx, ay - by)
                if b == a or d >= min_distance:
                    continue
                if d < 1e-6:
                    angle = (zlib.crc32(str(a).encode()) % 360) * math.pi / 180
                    ux, uy, d = math.cos(angle), math.sin(angle), 0.0
                else:
                    ux, uy = (ax - bx) / d, (ay - by) / d
                sx += ux * (min_distance - d) / 2
                sy += uy * (min_distance - d) / 2
                close = True
            if (sx, sy) != (0.0, 0.0) and a not in fixed:
                shift[a] = (sx, sy)
        if not close:
            break
        for n, (dx, dy) in shift.items():
            pos[n] = (pos[n][0] + dx * 0.6, pos[n][1] + dy * 0.6)
    return pos


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_spread_moves_nodes_as_checking_every_pair_does(seed: int) -> None:
    rng = random.Random(seed)
    pos = {f"n{i}": (rng.uniform(0, 600), rng.uniform(0, 600)) for i in range(250)}
    pos["twin"] = pos["n0"]  # two nodes in one place part along a fixed direction
    fixed = {f"n{i}" for i in range(0, 250, 10)}
    got = spread(pos, 40.0, rounds=30, fixed=fixed)
    want = _spread_every_pair(pos, 40.0, 30, fixed)
    assert got.keys() == want.keys()
    for n in want:
        assert got[n] == pytest.approx(want[n], abs=1e-6), n
    assert all(got[n] == pos[n] for n in fixed)
    moved = sum(got[n] != pos[n] for n in pos)
    assert moved > 100  # the cloud was crowded: the check above compared real moves


def test_spread_leaves_nodes_far_enough_apart_where_they_are() -> None:
    pos = {i: (i * 50.0, 0.0) for i in range(20)}
    assert spread(pos, 40.0) == pos


_LAYOUT_IN_A_PROCESS = """
import json, random, sys
import networkx as nx
from graph.views.layout import force_layout
random.seed(int(sys.argv[1]))  # the global state igraph drew from before
G = nx.barabasi_albert_graph(700, 2, seed=3)
G.add_edges_from((f"leaf{i}", 0) for i in range(40))  # leaves on one hub meet and are parted
print(json.dumps(sorted((str(n), x, y) for n, (x, y) in force_layout(G).items())))
"""


def test_force_layout_is_the_same_in_every_process() -> None:
    """A page of more than 500 nodes (Fruchterman–Reingold's grid variant) was laid out
    anew by every build: igraph drew its random numbers from Python's global ``random``."""
    runs = [
        subprocess.run(
            [sys.executable, "-c", _LAYOUT_IN_A_PROCESS, str(state)],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": str(state)},
        ).stdout
        for state in (1, 2)
    ]
    assert runs[0] == runs[1]
    assert len(json.loads(runs[0])) == 740
