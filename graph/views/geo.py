"""The city-pairs map: cities over Natural Earth's coastline, and exchange arcs that go round
the cities they do not join.

Two panels, the Americas (west of 30°W) on the left and Europe on the right, each in an
equirectangular projection true to scale along its own central parallel, and each to its own
scale, shown by a scale bar: the contiguous United States is about 4,500 km wide and France
1,000 km, so at one scale France's cities would sit on top of each other (one stated scale
would leave them 5 px apart). Both panels have the same height.

Cities too close to tell apart at that scale (Paris, Montreuil and Sarcelles) are moved apart,
the best connected staying in place, and each moved city keeps a thin line to its true place.

The outlines are ``vendor/natural-earth-110m.json``, reduced from the npm package
``world-atlas`` by ``scripts/reduce_coastline.py``; the page gets them already projected, in
the graph's coordinates, clipped to the panels, so the browser only draws (``static/map.js``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Hashable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from graph.views.layout import Decoration, Pos, spread

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "Panel",
    "MapDrawing",
    "map_layout",
    "route_arcs",
    "arc_points",
    "outlines",
    "clip_ring",
    "clip_line",
    "simplify",
    "KM_PER_DEGREE",
    "CLEARANCE",
    "ROUTE_LIMIT",
]

#: Length of a degree of latitude (the sphere of radius 6,371 km).
KM_PER_DEGREE = 6371.0 * math.pi / 180
#: What each panel shows at least, as (west, south, east, north): the contiguous United States;
#: France with the British Isles' south. A panel grows to hold every city it has.
DEFAULT_BOXES = {
    "west": (-125.0, 24.0, -66.0, 49.5),
    "east": (-5.5, 41.6, 9.8, 54.6),
}
NAMES = {"west": ("United States", "États-Unis"), "east": ("Europe", "Europe")}
#: Degrees of room around the cities of a panel.
PAD = 1.5
#: How close two cities' discs may come (graph units) before the lesser moves aside.
MIN_DISTANCE = 80.0
#: How far (graph units) an arc keeps from the centre of any city it does not join.
CLEARANCE = 46.0

Box = tuple[float, float, float, float]
Point = tuple[float, float]


@dataclass(frozen=True)
class Panel:
    """One panel of the map: the part of the world it shows (``box``, in degrees), where its
    top-left corner is in the graph's coordinates, and its scale (graph units a degree of
    latitude). Its projection is equirectangular, true to scale along ``parallel``."""

    key: str
    box: Box
    left: float
    top: float
    scale: float

    @property
    def parallel(self) -> float:
        return (self.box[1] + self.box[3]) / 2

    @property
    def width(self) -> float:
        return (self.box[2] - self.box[0]) * math.cos(math.radians(self.parallel)) * self.scale

    @property
    def height(self) -> float:
        return (self.box[3] - self.box[1]) * self.scale

    def project(self, lon: float, lat: float) -> Point:
        """Graph coordinates of a longitude and latitude (y grows southwards)."""
        k = math.cos(math.radians(self.parallel))
        return (
            self.left + (lon - self.box[0]) * k * self.scale,
            self.top + (self.box[3] - lat) * self.scale,
        )

    def scale_bar(self) -> tuple[int, float]:
        """A round distance about a fifth of the panel's width: (km, graph units)."""
        units_per_km = self.scale / KM_PER_DEGREE
        target = self.width / 5 / units_per_km
        km = max(k for k in (50, 100, 200, 250, 500, 1000, 2000) if k <= max(target, 50))
        return km, km * units_per_km


@dataclass
class MapDrawing:
    """What a map page draws besides its nodes: the panels with their outlines (``data``, for
    ``static/map.js``), the drawings ``cvekg.js`` draws and fits (``decorations``), and where
    each city truly is (``true``), which differs from its node's place when it was moved."""

    data: dict[str, Any]
    decorations: list[Decoration]
    true: Pos
    tall: Pos


@cache
def outlines() -> dict[str, Any]:
    """The vendored outlines (see ``vendor/README.md``), decoded to degrees: for each region,
    ``countries`` as ``[(id, name, rings)]``, ``coast`` and ``borders`` as lines."""
    raw = json.loads(
        resources.files("graph.views").joinpath("vendor/natural-earth-110m.json").read_text()
    )
    q = raw["precision"]
    regions = {}
    for key, region in raw["regions"].items():
        regions[key] = {
            "box": tuple(region["box"]),
            "countries": [
                (c["id"], c["name"], [_decode(r, q) for r in c["rings"]])
                for c in region["countries"]
            ],
            "coast": [_decode(line, q) for line in region["coast"]],
            "borders": [_decode(line, q) for line in region["borders"]],
        }
    return regions


def _decode(line: list[int], q: int) -> list[Point]:
    x = y = 0
    points = []
    for i in range(0, len(line), 2):
        x, y = x + line[i], y + line[i + 1]
        points.append((x / q, y / q))
    return points


def _encode(points: list[Point]) -> list[int]:
    """Integers, each point after the first as its difference from the one before."""
    out: list[int] = []
    last: tuple[int, int] | None = None
    for x, y in points:
        p = (round(x), round(y))
        if p == last:
            continue
        out += list(p) if last is None else [p[0] - last[0], p[1] - last[1]]
        last = p
    return out if len(out) >= 4 else []


# --- Geometry shared with scripts/reduce_coastline.py -----------------------------------------


def simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas–Peucker, iteratively (the ends always stay)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        norm = math.hypot(dx, dy)
        best, index = -1.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            if norm == 0:
                d = math.hypot(px - ax, py - ay)
            else:
                d = abs(dy * (px - ax) - dx * (py - ay)) / norm
            if d > best:
                best, index = d, i
        if best > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def clip_ring(ring: list[Point], box: Box) -> list[Point]:
    """Sutherland–Hodgman: the part of a polygon ring inside ``box`` (x0, y0, x1, y1), closed;
    its new edges run along the box's sides."""
    x0, y0, x1, y1 = box
    sides = (
        (lambda p: p[0] >= x0, lambda a, b: _at_x(a, b, x0)),
        (lambda p: p[0] <= x1, lambda a, b: _at_x(a, b, x1)),
        (lambda p: p[1] >= y0, lambda a, b: _at_y(a, b, y0)),
        (lambda p: p[1] <= y1, lambda a, b: _at_y(a, b, y1)),
    )
    out = ring[:-1] if ring and ring[0] == ring[-1] else list(ring)
    for inside, cross in sides:
        if not out:
            break
        points, out = out, []
        previous = points[-1]
        for point in points:
            if inside(point):
                if not inside(previous):
                    out.append(cross(previous, point))
                out.append(point)
            elif inside(previous):
                out.append(cross(previous, point))
            previous = point
    return out + out[:1] if len(out) >= 3 else []


def _at_x(a: Point, b: Point, x: float) -> Point:
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def _at_y(a: Point, b: Point, y: float) -> Point:
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


def clip_line(points: list[Point], box: Box) -> list[list[Point]]:
    """The runs of a line inside ``box`` (x0, y0, x1, y1), each with one point beyond either
    end, so the line reaches the box's side."""
    x0, y0, x1, y1 = box
    runs: list[list[Point]] = []
    current: list[Point] = []
    for i, p in enumerate(points):
        if x0 <= p[0] <= x1 and y0 <= p[1] <= y1:
            if not current and i > 0:
                current.append(points[i - 1])
            current.append(p)
        elif current:
            current.append(p)
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return [run for run in runs if len(run) >= 2]


# --- The panels and the cities -----------------------------------------------------------------


def _panels(G: nx.Graph, height: float, gap: float) -> tuple[list[Panel], dict[str, list]]:
    members: dict[str, list] = {"west": [], "east": []}
    for n, d in G.nodes(data=True):
        if d.get("lon") is not None and d.get("lat") is not None:
            members["west" if d["lon"] < -30 else "east"].append(n)
    panels = []
    left = 0.0
    for key in ("west", "east"):
        if not members[key]:
            continue
        lons = [G.nodes[n]["lon"] for n in members[key]]
        lats = [G.nodes[n]["lat"] for n in members[key]]
        west, south, east, north = DEFAULT_BOXES[key]
        box = (min(west, min(lons) - PAD), min(south, min(lats) - PAD),
               max(east, max(lons) + PAD), max(north, max(lats) + PAD))  # fmt: skip
        panel = Panel(key, box, left, 0.0, height / (box[3] - box[1]))
        panels.append(panel)
        left += panel.width + gap
    return panels, members


def map_layout(
    G: nx.Graph, height: float = 620.0, gap: float = 150.0, tall_gap: float = 200.0
) -> tuple[Pos, MapDrawing]:
    """Cities at their projected places in two panels side by side (see the module's
    docstring); nodes without coordinates in rows under the panels. Returns the positions and
    the drawing, which also holds the same map with Europe above the Americas (``tall``), for
    narrow screens."""
    panels, members = _panels(G, height, gap)
    true: Pos = {}
    for panel in panels:
        for n in members[panel.key]:
            true[n] = panel.project(G.nodes[n]["lon"], G.nodes[n]["lat"])
    # The best connected city of each cluster stays at its true place; the others move aside.
    degree = dict(G.degree)
    fixed: list[Hashable] = []
    for n in sorted(true, key=lambda n: (-degree[n], str(n))):
        x, y = true[n]
        if all(math.hypot(x - true[m][0], y - true[m][1]) >= MIN_DISTANCE for m in fixed):
            fixed.append(n)
    pos = spread(dict(true), MIN_DISTANCE, rounds=60, fixed=fixed)
    # Stacked: Europe above the Americas, centred on them. (Under them, the links from the
    # south of France would have to climb past Paris to reach the United States.)
    shift = (0.0, 0.0)
    if len(panels) == 2:
        a, b = panels
        shift = (a.left + a.width / 2 - b.left - b.width / 2, -(b.height + tall_gap))
    moved = set(members["east"]) if len(panels) == 2 else set()
    tall = {n: (x + shift[0], y + shift[1]) if n in moved else (x, y) for n, (x, y) in pos.items()}
    rest = sorted((n for n in G.nodes if n not in true), key=str)
    for layout in (pos, tall):
        for i, n in enumerate(rest):
            layout[n] = (i % 8 * 160.0, height + 160 + i // 8 * 110.0)
    data = {"panels": [], "shift": [round(shift[0], 1), round(shift[1], 1)]}
    decorations: list[Decoration] = []
    for p in panels:
        leaders = [
            [round(pos[n][0], 1), round(pos[n][1], 1), round(true[n][0], 1), round(true[n][1], 1)]
            for n in sorted(members[p.key], key=str)
            if math.hypot(pos[n][0] - true[n][0], pos[n][1] - true[n][1]) > 4
        ]
        data["panels"].append({**_panel_data(p), "leaders": leaders})
        en, fr = NAMES[p.key]
        decorations.append(
            {"kind": "band", "x": p.left, "y": p.top, "w": p.width, "h": p.height,
             "color": SEA, "panel": p.key}
        )  # fmt: skip
        decorations.append(
            {"kind": "text", "x": p.left + p.width / 2, "y": p.top - 34, "en": en, "fr": fr,
             "size": 26, "color": "#475569", "panel": p.key}
        )  # fmt: skip
        # Room under the panel for its scale bar (map.js), which the view's fit then keeps.
        decorations.append(
            {"kind": "band", "x": p.left, "y": p.top + p.height, "w": p.width, "h": 60,
             "color": "rgba(0,0,0,0)", "panel": p.key}
        )  # fmt: skip
    return pos, MapDrawing(data, decorations, true, tall)


SEA = "#e3eefa"


def _panel_data(panel: Panel) -> dict[str, Any]:
    """A panel for ``map.js``: its frame, scale bar and outlines in graph coordinates
    (integers, delta-encoded), clipped to a margin round the frame."""
    region = outlines()[panel.key]
    margin = 20.0
    frame = (panel.left - margin, panel.top - margin,
             panel.left + panel.width + margin, panel.top + panel.height + margin)  # fmt: skip

    def projected(points: list[Point]) -> list[Point]:
        return [panel.project(lon, lat) for lon, lat in points]

    countries = []
    for _, _, rings in region["countries"]:
        for ring in rings:
            encoded = _encode(clip_ring(projected(ring), frame))
            if encoded:
                countries.append(encoded)
    lines = {}
    for kind in ("coast", "borders"):
        lines[kind] = [
            e
            for line in region[kind]
            for run in clip_line(projected(line), frame)
            if (e := _encode(run))
        ]
    km, length = panel.scale_bar()
    return {
        "key": panel.key,
        "x": round(panel.left, 1),
        "y": round(panel.top, 1),
        "w": round(panel.width, 1),
        "h": round(panel.height, 1),
        "box": [round(v, 4) for v in panel.box],
        "parallel": round(panel.parallel, 1),
        "bar": [km, round(length, 1)],
        "land": countries,
        "coast": lines["coast"],
        "borders": lines["borders"],
    }


# --- Arcs ---------------------------------------------------------------------------------------


def arc_points(a: Point, b: Point, smooth: dict[str, Any], steps: int = 48) -> list[Point]:
    """Points along a link as vis-network 10 draws it: straight, or a quadratic curve through
    the control point its ``curvedCW``/``curvedCCW`` smoothing puts at ``roundness``."""
    if not smooth.get("enabled", True) or smooth.get("type") not in ("curvedCW", "curvedCCW"):
        return [(a[0] + (b[0] - a[0]) * i / steps, a[1] + (b[1] - a[1]) * i / steps)
                for i in range(steps + 1)]  # fmt: skip
    r = smooth["roundness"]
    dx, dy = b[0] - a[0], a[1] - b[1]
    length = math.hypot(dx, dy)
    turn = 0.5 * r + 0.5 if smooth["type"] == "curvedCW" else -0.5 * r + 0.5
    angle = (math.atan2(dy, dx) + turn * math.pi) % (2 * math.pi)
    via = (a[0] + (0.5 * r + 0.5) * length * math.sin(angle),
           a[1] + (0.5 * r + 0.5) * length * math.cos(angle))  # fmt: skip
    out = []
    for i in range(steps + 1):
        t = i / steps
        out.append((
            (1 - t) ** 2 * a[0] + 2 * t * (1 - t) * via[0] + t * t * b[0],
            (1 - t) ** 2 * a[1] + 2 * t * (1 - t) * via[1] + t * t * b[1],
        ))  # fmt: skip
    return out


#: The bends tried for each link, least bent first.
_BENDS = [{"enabled": False}] + [
    {"enabled": True, "type": side, "roundness": r / 20}
    for r in range(1, 21)
    for side in ("curvedCW", "curvedCCW")
]


def route_arcs(G: nx.MultiDiGraph, pos: Pos, clearance: float = CLEARANCE) -> list[dict]:
    """A vis-network ``smooth`` setting for each link of ``G`` (in ``G.edges`` order): the
    least bent that keeps ``clearance`` from every other city and from under it, where its
    label hangs; failing that, the one that keeps farthest. Links between the same two cities
    never take the same bend.

    Cities are looked up in a grid of ``clearance``-sized cells, and the first bend that keeps
    clear ends the search. Still, a crowded map has no clear way for most links and each costs
    every bend: above :data:`ROUTE_LIMIT` links they are left straight.
    """
    if G.number_of_edges() > ROUTE_LIMIT:
        return [dict(_BENDS[0]) for _ in G.edges()]
    grid: dict[tuple[int, int], list[tuple[Hashable, float, float, float]]] = {}
    for n, (x, y) in pos.items():
        for ox, oy, extra in ((x, y, 0.0), (x, y + LABEL_DROP, LABEL_SLACK)):
            cell = (int(ox // clearance), int(oy // clearance))
            grid.setdefault(cell, []).append((n, ox, oy, extra))
    taken: dict[frozenset, list[dict]] = {}
    out = []
    for u, v in G.edges():
        pair = frozenset((u, v))
        best, farthest = None, (-1.0, _BENDS[0])
        for bend in _BENDS:
            if bend in taken.get(pair, []):
                continue
            near = _nearest(arc_points(pos[u], pos[v], bend), grid, clearance, (u, v),
                            floor=farthest[0])  # fmt: skip
            if near >= clearance:
                best = bend
                break
            farthest = max(farthest, (near, bend), key=lambda f: f[0])
        best = best or farthest[1]
        taken.setdefault(pair, []).append(best)
        out.append(best)
    return out


#: Measured (median of 3 runs) with random links between 200 cities on a 1,800 × 620 map,
#: where few links can keep clear: 200 links 0.66 s (300: 3.2 s). The seed's 9 links: 7 ms.
ROUTE_LIMIT = 200
#: A city's label hangs this far under its centre (graph units); a link may come this much
#: nearer the label's middle than the city's centre.
LABEL_DROP, LABEL_SLACK = 26.0, 8.0


def _nearest(points: list[Point], grid, clearance: float, ends: tuple, floor: float) -> float:
    """The least distance from a link's points to a city (or its label) other than its ends,
    up to ``clearance`` (nothing nearer than that: ``clearance``); once under ``floor`` (what
    another bend already keeps), some value under it."""
    best = clearance
    for px, py in points:
        if best < floor:
            break
        cx, cy = int(px // clearance), int(py // clearance)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for n, ox, oy, extra in grid.get((cx + dx, cy + dy), ()):
                    if n not in ends:
                        best = min(best, math.hypot(px - ox, py - oy) + extra)
    return best


#: The link key of the map's legend, by kind of link: (swatch, English, French).
LINK_KEY = {
    "exchange": ("arrow", "Exchange: delegation's city → host city",
                 "Échange : ville de la délégation → ville hôte"),
    "stop": ("dashed", "A stop on the visit", "Étape de la visite"),
    "partners": ("plain", "Partners, no direction named", "Partenaires, sans direction"),
}  # fmt: skip
LEADER_KEY = ("leader", "Moved aside to be legible; the line ends at its true place",
              "Écartée pour être lisible ; le trait finit à sa vraie place")  # fmt: skip


def dress_links(data: dict[str, Any], G: nx.MultiDiGraph, pos: Pos, drawing: MapDrawing) -> None:
    """Make a map page's links read on the map: each bent clear of the cities it does not join
    (:func:`route_arcs`), arrowheads at full size, and the legend's key to the kinds of link
    drawn, the moved cities and the projection (``data["map"]["key"]``).

    ``data["map"]["tall"]`` holds the stacked map's node places and bends, by node and link
    index (the order of ``G.nodes`` and ``G.edges``, as :func:`graph.views.page.page_data`
    numbers them), which ``map.js`` takes on a narrow screen.
    """
    for edge, smooth in zip(data["edges"], route_arcs(G, pos), strict=True):
        edge["smooth"] = smooth
    if any(drawing.data["shift"]):
        data["map"]["tall"] = {
            "pos": [[round(drawing.tall[n][0], 1), round(drawing.tall[n][1], 1)] for n in G.nodes],
            "smooth": route_arcs(G, drawing.tall),
        }
    data["options"]["edges"]["arrows"]["to"]["scaleFactor"] = 1.0
    data["options"]["edges"]["width"] = 1.6
    kinds = {d.get("kind") for *_, d in G.edges(data=True)}
    key = [list(LINK_KEY[k]) for k in LINK_KEY if k in kinds]
    if any(p["leaders"] for p in data["map"]["panels"]):
        key.append(list(LEADER_KEY))
    parallels = " / ".join(f"{p['parallel']:g}°N" for p in data["map"]["panels"])
    if parallels:  # (no city has coordinates: no panel, no projection)
        key.append([
            "projection",
            f"Equirectangular, true to scale along {parallels}; each panel to its own scale (bar)",
            f"Équirectangulaire, à l'échelle le long de {parallels.replace('.', ',')} ; "
            "chaque panneau à sa propre échelle (barre)",
        ])  # fmt: skip
    data["map"]["key"] = key
