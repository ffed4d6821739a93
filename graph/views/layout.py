"""Positions for the views, computed once in Python so the browser draws with physics off.

Measured on this machine (2 cores), synthetic Barabási–Albert graphs (2 links per node), one
run each:

=============================  ========  ========  =========
layout                         1k nodes  5k nodes  20k nodes
=============================  ========  ========  =========
networkx ``spring_layout``     1.6 s     31 s      (not run)
networkx ``forceatlas2_layout`` 2.8 s    81 s      (dense n² matrix: 3 GB)
Graphviz ``sfdp``              0.15 s    1.1 s     7.3 s
igraph DrL                     1.8 s     4.3 s     22 s
igraph Fruchterman–Reingold,   0.7 s     0.3 s     1.2 s
grid above 1,000 nodes
=============================  ========  ========  =========

So :func:`force_layout` is igraph's Fruchterman–Reingold (grid variant above 1,000 nodes),
seeded for repeatable pictures. Events are laid out by their dates, places by their coordinates
(:mod:`graph.views.geo`, the map), and an entity's neighbourhood as rings around it (drawn by
the page itself, ``cvekg.js``).
"""

from __future__ import annotations

import math
import zlib
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "force_layout",
    "timeline_layout",
    "durations",
    "spread",
    "Decoration",
    "LANES",
]

Pos = dict[Hashable, tuple[float, float]]
#: A drawing behind the graph: ``{"kind": "text"|"line"|"band", ...}`` in graph coordinates.
Decoration = dict[str, Any]


def force_layout(G: nx.Graph, spacing: float = 110.0, seed: int = 7) -> Pos:
    """Force-directed positions, scaled so neighbouring nodes sit about ``spacing`` apart.

    Each connected part is laid out on its own (Kamada–Kawai when the whole graph has at most
    :data:`SMALL` nodes, whose even link lengths read best; igraph's Fruchterman–Reingold
    otherwise), then the parts are packed in rows, largest first, so a few isolated nodes do
    not shrink the picture. Linear in the graph's size: 0.7 s for 20,000 nodes.
    """
    import igraph as ig

    nodes = sorted(G.nodes, key=str)
    index = {node: i for i, node in enumerate(nodes)}
    pairs = set()
    for u, v in G.edges():
        i, j = index[u], index[v]
        if i != j:
            pairs.add((i, j) if i < j else (j, i))
    # igraph's GraphBase, not Graph: Graph's constructor imports NumPy (0.06–0.1 s of every
    # build) to look for arrays, which we never pass. The layouts are the same functions,
    # without Graph's wrappers (lists of coordinates instead of Layout objects).
    g = ig.GraphBase(len(nodes), sorted(pairs))
    members: dict[int, list[int]] = defaultdict(list)
    for vertex, part in enumerate(g.connected_components()):  # each vertex's part
        members[part].append(vertex)
    # Vertex ids in increasing order within each part, as induced_subgraph numbers them.
    parts = sorted(members.values(), key=lambda c: (-len(c), str(nodes[c[0]])))
    # Kamada–Kawai costs ~0.1 s a part whatever its size: only for a small graph as a whole,
    # and its first few parts (a drill-down page may hold hundreds of small ones).
    careful = KAMADA_KAWAI_PARTS if len(nodes) <= SMALL else 0
    boxes = []
    for part in parts:
        pos = _part_layout(g, part, nodes, spacing, seed, careful > 0)
        careful -= len(part) > 3
        xs = [p[0] for p in pos.values()]
        ys = [p[1] for p in pos.values()]
        boxes.append((pos, min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)))
    return _pack(boxes, spacing)


#: Graphs up to this size get Kamada–Kawai, larger ones Fruchterman–Reingold.
SMALL = 300
#: At most this many parts (of four nodes or more) of a small graph get Kamada–Kawai.
KAMADA_KAWAI_PARTS = 12
#: Parts up to this size get igraph's full Kamada–Kawai run (the seed graph's 126 nodes).
KAMADA_KAWAI_FULL = 150


def _part_layout(g, part: list[int], nodes: list, spacing: float, seed: int, small: bool) -> Pos:
    """Positions of one connected part (``part``: vertex ids of ``g``, in IRI order)."""
    n = len(part)
    names = [nodes[i] for i in part]
    if n == 1:
        return {names[0]: (0.0, 0.0)}
    if n == 2:
        return {names[0]: (0.0, 0.0), names[1]: (spacing, 0.0)}
    if n == 3:  # a triangle, so no label sits on a link
        return {
            node: (spacing * math.cos(a), spacing * math.sin(a))
            for node, a in zip(names, (-math.pi / 2, math.pi / 6, 5 * math.pi / 6), strict=True)
        }
    sub = g.induced_subgraph(part)
    if small:
        start = [[math.cos(2 * math.pi * i / n), math.sin(2 * math.pi * i / n)] for i in range(n)]
        # igraph's default is 50 moves per node, each costing O(n): past KAMADA_KAWAI_FULL
        # nodes 10 give the same stress (0.175 against 0.171, on the 1M build's drill-down
        # parts of up to 300 nodes) in a quarter of the time (1.0 s instead of 4.2 s).
        moves = 50 if n <= KAMADA_KAWAI_FULL else 10
        with _igraph_random(seed):
            coords = [(c[0], c[1]) for c in sub.layout_kamada_kawai(seed=start, maxiter=moves * n)]
    else:
        coords = _fruchterman_reingold(sub, seed)
    pos = {names[i]: coords[i] for i in range(n)}
    return spread(_scaled(pos, spacing), spacing * 0.7, rounds=30 if n <= 2000 else 3)


def _fruchterman_reingold(g, seed: int) -> list[tuple[float, float]]:
    """igraph's Fruchterman–Reingold from a seeded random start.

    The start fills a square centred on the origin: igraph's grid variant clamps nodes outside
    its grid (a square of side about sqrt(n) around the origin) into the border cells, which
    then hold thousands of nodes each and make the run quadratic (7 s instead of 0.4 s for
    20,000 nodes).
    """
    import random

    n = g.vcount()
    rng = random.Random(seed)
    side = math.sqrt(n) / 2
    start = [[rng.uniform(-side, side), rng.uniform(-side, side)] for _ in range(n)]
    # Up to 500 nodes igraph compares every pair of nodes in each iteration: 150 iterations
    # give the same picture as 500 (edge lengths alike, screenshots alike) in a third of the
    # time, 33 ms instead of 111 ms for a drill-down page of 400 nodes, of which the 1M
    # build writes 224. The grid variant above 500 nodes is cheaper per iteration.
    niter = 150 if n <= 500 else 500 if n <= 2000 else 300 if n <= 20000 else 150
    with _igraph_random(seed):
        coords = g.layout_fruchterman_reingold(
            seed=start, niter=niter, grid="grid" if n > 500 else "nogrid"
        )
    return [(c[0], c[1]) for c in coords]


@contextmanager
def _igraph_random(seed: int) -> Iterator[None]:
    """igraph's random numbers drawn from a generator seeded with ``seed`` for the block.

    igraph draws them from Python's global ``random`` by default, seeded afresh in each
    process: Fruchterman–Reingold uses them (nodes that meet are parted at random), so a page
    of a large graph was laid out differently by every build.
    """
    import random

    import igraph as ig

    ig.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        ig.set_random_number_generator(random)


def _pack(boxes: list, spacing: float) -> Pos:
    """Shelf packing: parts left to right in rows about as wide as the largest part."""
    if not boxes:
        return {}
    total = sum((w + spacing) * (h + spacing) for _, _, _, w, h in boxes)
    width = max(boxes[0][3], math.sqrt(total) * 1.3)
    pos: Pos = {}
    x = y = row = 0.0
    for part, x0, y0, w, h in boxes:
        if x > 0 and x + w > width:
            x, y, row = 0.0, y + row + spacing * 1.2, 0.0
        pos.update({n: (px - x0 + x, py - y0 + y) for n, (px, py) in part.items()})
        x += w + spacing * 1.2
        row = max(row, h)
    return pos


def _scaled(pos: Pos, spacing: float) -> Pos:
    """Scale so the median nearest-neighbour distance is ``spacing`` (measured on a sample of
    2,000 nodes: the median needs no more)."""
    nearest = _nearest_distances(pos, sample=2000)
    typical = sorted(nearest)[len(nearest) // 2] if nearest else 0.0
    factor = spacing / typical if typical > 0 else spacing
    return {n: (x * factor, y * factor) for n, (x, y) in pos.items()}


def _nearest_distances(pos: Pos, sample: int | None = None) -> list[float]:
    cell = _cell_size(pos)
    grid = _grid(pos, cell)
    found = []
    items = list(pos.items())
    if sample and len(items) > sample:
        items = items[:: len(items) // sample]
    for node, (x, y) in items:
        best = math.inf
        cx, cy = int(x // cell), int(y // cell)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for other in grid.get((cx + dx, cy + dy), ()):
                    if other != node:
                        ox, oy = pos[other]
                        best = min(best, math.hypot(x - ox, y - oy))
        if best < math.inf:
            found.append(best)
    return found


def _cell_size(pos: Pos) -> float:
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    area = max(max(xs) - min(xs), 1e-9) * max(max(ys) - min(ys), 1e-9)
    return max(math.sqrt(area / max(len(pos), 1)) * 2, 1e-9)


def _grid(pos: Pos, cell: float) -> dict[tuple[int, int], list[Hashable]]:
    grid: dict[tuple[int, int], list[Hashable]] = defaultdict(list)
    for node, (x, y) in pos.items():
        grid[(int(x // cell), int(y // cell))].append(node)
    return grid


def spread(pos: Pos, min_distance: float, rounds: int = 30, fixed: Iterable = ()) -> Pos:
    """Push apart nodes closer than ``min_distance`` (a grid keeps it linear), keeping
    ``fixed`` nodes where they are. Labels under nodes stay readable.

    After the first round only the nodes around those that moved are checked: two nodes that
    did not move and were not too close are still not (the positions are the same as
    checking every node each round; 1.5 s instead of 4.5 s over the 267 parts of the 1M
    build's drill-down pages).
    """
    pos = {n: (float(x), float(y)) for n, (x, y) in pos.items()}
    fixed = set(fixed)
    moved: list[Hashable] | None = None  # None: check every node
    for _ in range(rounds):
        grid = _grid(pos, min_distance)
        check = grid
        if moved is not None:
            cells = {
                (int(x // min_distance), int(y // min_distance)) for x, y in map(pos.get, moved)
            }
            around = {
                (cx + dx, cy + dy) for cx, cy in cells for dx in (-1, 0, 1) for dy in (-1, 0, 1)
            }
            check = {cell: grid[cell] for cell in around if cell in grid}
        shift: dict[Hashable, tuple[float, float]] = {}
        close = False
        for (cx, cy), members in check.items():
            near = [
                m
                for dx in (-1, 0, 1)
                for dy in (-1, 0, 1)
                for m in grid.get((cx + dx, cy + dy), ())
            ]
            for a in members:
                ax, ay = pos[a]
                sx = sy = 0.0
                hit = False
                for b in near:
                    if b == a:
                        continue
                    bx, by = pos[b]
                    d = math.hypot(ax - bx, ay - by)
                    if d >= min_distance:
                        continue
                    if d < 1e-6:  # same place: part along a direction fixed by its name
                        angle = (zlib.crc32(str(a).encode()) % 360) * math.pi / 180
                        ux, uy, d = math.cos(angle), math.sin(angle), 0.0
                    else:
                        ux, uy = (ax - bx) / d, (ay - by) / d
                    push = (min_distance - d) / 2
                    sx += ux * push
                    sy += uy * push
                    hit = True
                if hit:
                    close = True
                    if a not in fixed:
                        shift[a] = (sx, sy)
        if not close:
            break
        for node, (dx, dy) in shift.items():
            x, y = pos[node]
            pos[node] = (x + dx * 0.6, y + dy * 0.6)
        moved = list(shift)
    return pos


# --- Time ------------------------------------------------------------------------------------

#: Timeline lanes, top to bottom: (key, English, French, groups).
LANES = (
    ("attacks", "Attacks and incidents", "Attentats et incidents", ("attack", "incident")),
    ("exchanges", "Exchanges and visits", "Échanges et visites", ("exchange",)),
    ("events", "Meetings, presentations, agreements", "Rencontres, présentations, accords",
     ("event",)),
)  # fmt: skip


def _months(date: str) -> int | None:
    parts = date.split("-")
    try:
        return int(parts[0]) * 12 + (int(parts[1]) - 1 if len(parts) > 1 else 6)
    except ValueError:
        return None


def _span(months: int) -> tuple[str, str]:
    """``months`` in words: "6 months", "1 year 2 months" (and in French)."""
    years, rest = divmod(months, 12)
    en, fr = [], []
    if years:
        en.append(f"{years} year{'s' if years > 1 else ''}")
        fr.append(f"{years} an{'s' if years > 1 else ''}")
    if rest:
        en.append(f"{rest} month{'s' if rest > 1 else ''}")
        fr.append(f"{rest} mois")
    return " ".join(en), " ".join(fr)


def durations(G: nx.MultiDiGraph) -> dict[tuple[Hashable, Hashable, Any], tuple[str, str]]:
    """How long after (or before) its target each link's source happened, for the links
    between two dated events: ``"6 months after"``, ``"about 3 years before"`` (a date of year
    alone gives years only), ``"same month"``; in English and French. Keyed by ``(u, v, key)``.
    """
    out: dict[tuple[Hashable, Hashable, Any], tuple[str, str]] = {}
    for u, v, k in G.edges(keys=True):
        a, b = G.nodes[u].get("date") or "", G.nodes[v].get("date") or ""
        ma, mb = _months(a), _months(b)
        if ma is None or mb is None or u == v:
            continue
        if len(a) >= 7 and len(b) >= 7:
            gap, about = ma - mb, ("", "")
        else:
            gap, about = 12 * (int(a[:4]) - int(b[:4])), ("about ", "environ ")
        if gap == 0:
            out[(u, v, k)] = (
                ("same month", "le même mois") if not about[0] else ("same year", "la même année")
            )
            continue
        en, fr = _span(abs(gap))
        after = gap > 0
        out[(u, v, k)] = (
            f"{about[0]}{en} {'after' if after else 'before'}",
            f"{about[1]}{fr} {'après' if after else 'avant'}",
        )
    return out


def timeline_layout(
    G: nx.Graph, month: float = 34.0, lane: float = 200.0, gap: int = 8
) -> tuple[Pos, list[Decoration]]:
    """Events along a time axis, one lane per kind; vague dates in lanes of their own.

    x is the date (``month`` pixels a month; a stretch of more than ``gap`` empty months is cut
    to ``gap`` and marked), y the lane. Events dated only in words ("over the past four years")
    go to a lane labelled with those words; events without any date to the last lane. Returns
    positions and the drawings behind them (years, lane names, cuts).
    """
    dated: dict[Hashable, int] = {}
    for n, d in G.nodes(data=True):
        m = _months(d.get("date") or "")
        if m is not None:
            dated[n] = m
    # A compressed axis: each distinct month gets x; long empty stretches shrink to `gap`.
    x_of: dict[int, float] = {}
    cuts: list[float] = []
    x = 0.0
    previous = None
    for m in sorted(set(dated.values())):
        if previous is not None:
            step = m - previous
            if step > gap:
                cuts.append(x + gap * month / 2)
                step = gap
            x += step * month
        x_of[m] = x
        previous = m
    width = max(x, 6 * month)
    pos: Pos = {}
    decorations: list[Decoration] = []
    lane_of = {g: i for i, (_, _, _, groups) in enumerate(LANES) for g in groups}
    # Within a lane, an event too close to the previous one moves to the next free row
    # (0, +1, -1, +2...), so labels do not overlap.
    last: dict[tuple[int, int], float] = {}
    for n in sorted(dated, key=lambda n: (dated[n], str(n))):
        li = lane_of.get(G.nodes[n].get("group"), len(LANES) - 1)
        x = x_of[dated[n]]
        for k in range(40):
            row = (k + 1) // 2 * (1 if k % 2 else -1)
            if x - last.get((li, row), -math.inf) >= 150:
                break
        last[(li, row)] = x
        pos[n] = (x, li * lane + row * 62.0)
    for i, (_, en, fr, _) in enumerate(LANES):
        decorations.append(
            {"kind": "text", "x": -150, "y": i * lane, "en": en, "fr": fr, "size": 15,
             "color": "#64748b", "align": "right", "wrap": 220}
        )  # fmt: skip
        decorations.append(
            {"kind": "line", "x1": -60, "y1": i * lane, "x2": width + 80, "y2": i * lane,
             "color": "#e2e8f0"}
        )  # fmt: skip
    years = sorted({m // 12 for m in dated.values()})
    top, bottom = -lane / 2, (len(LANES) - 0.5) * lane
    # A year's line sits where its January would be, unless a cut swallowed that January:
    # then halfway between the cut (or the previous event) and the year's first event, never
    # left of the year before.
    before = -60.0  # where the lanes' lines start
    for year in years:
        months = sorted(m for m in x_of if m // 12 == year)
        first = x_of[months[0]]
        xs = first - (months[0] % 12) * month
        lower = max([before, *(c for c in cuts if c < first)])
        if xs < lower:
            xs = (lower + first) / 2
        before = x_of[months[-1]]
        decorations.append(
            {"kind": "line", "x1": xs, "y1": top, "x2": xs, "y2": bottom, "color": "#cbd5e1",
             "dash": [6, 6]}
        )  # fmt: skip
        decorations.append(
            {"kind": "text", "x": xs + 6, "y": top - 18, "en": str(year), "fr": str(year),
             "size": 20, "color": "#334155", "align": "left"}
        )  # fmt: skip
    for cx in cuts:
        decorations.append(
            {"kind": "text", "x": cx, "y": bottom + 14, "en": "≈ gap ≈", "fr": "≈ saut ≈",
             "size": 14, "color": "#64748b"}
        )  # fmt: skip
    # Vague and missing dates: one lane per wording, spread along the axis.
    vague: dict[str, list[Hashable]] = defaultdict(list)
    for n, d in G.nodes(data=True):
        if n not in dated:
            vague[d.get("date_description") or ""].append(n)
    # Compact: these lanes hold what the axis cannot place, so they take little height.
    y = len(LANES) * lane - 70
    for words in sorted(vague, key=lambda w: (w == "", w)):
        members = sorted(vague[words], key=str)
        per_row = max(1, int(width // 170) + 1)
        step = width / max(min(len(members), per_row) - 1, 1) if len(members) > 1 else 0
        en = f"Dated in words: “{words}”" if words else "No date in the source"
        fr = f"Date en toutes lettres : « {words} »" if words else "Sans date dans la source"
        decorations.append(
            {"kind": "text", "x": -150, "y": y, "en": en, "fr": fr, "size": 15,
             "color": "#64748b", "align": "right", "wrap": 220}
        )  # fmt: skip
        decorations.append(
            {"kind": "line", "x1": -60, "y1": y, "x2": width + 80, "y2": y, "color": "#f1f5f9"}
        )  # fmt: skip
        for i, n in enumerate(members):
            pos[n] = (i % per_row * step, y + i // per_row * 72.0)
        y += (len(members) - 1) // per_row * 72.0 + 92.0
    return pos, decorations
