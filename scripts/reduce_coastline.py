"""Reduce Natural Earth's 1:110m countries (npm ``world-atlas`` 2.0.2) to what the city-pairs
map draws: the land, coastlines and borders around the United States and Western Europe.

Run it on the package's ``countries-110m.json`` (fetched with ``npm pack world-atlas@2.0.2``
into a temporary folder, never committed)::

    python scripts/reduce_coastline.py /tmp/wa/package/countries-110m.json \
        graph/views/vendor/natural-earth-110m.json

What it does, in order:

1. decodes the TopoJSON (quantised, delta-encoded arcs) into arcs of longitude and latitude;
2. simplifies each arc once (Douglas–Peucker, :data:`TOLERANCE` degrees), so the two countries
   sharing a border keep the same line;
3. for each region of :data:`REGIONS`, keeps the arcs' pieces inside it (coastlines: arcs one
   country uses; borders: arcs two use) and clips each country's polygons to it
   (Sutherland–Hodgman), dropping countries with nothing inside;
4. rounds to hundredths of a degree (about 1 km, far below the 110m data's own precision) and
   writes each line as ``[lon0, lat0, dlon1, dlat1, ...]``: integers, each point after the first
   as its difference from the one before.

The output is deterministic: the same input gives the same bytes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from graph.views.geo import clip_line, clip_ring, simplify

__all__ = ["REGIONS", "TOLERANCE", "reduce_topology", "main"]

#: The parts of the world kept, as (west, south, east, north) in degrees: the map's panels can
#: show only these. The Americas panel holds the contiguous United States and its neighbours,
#: the Europe panel France, the British Isles and the countries around them.
REGIONS = {
    "west": (-135.0, 12.0, -50.0, 60.0),
    "east": (-20.0, 33.0, 25.0, 62.0),
}
#: Douglas–Peucker tolerance in degrees (about 5 km): invisible at the map's scales.
TOLERANCE = 0.05
#: Output coordinates are integers in this fraction of a degree.
PRECISION = 100

Point = tuple[float, float]


def _arcs(topology: dict) -> list[list[Point]]:
    """The topology's arcs in degrees (TopoJSON §2.1.4: quantised, delta-encoded)."""
    (kx, ky), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * kx + tx, y * ky + ty))
        arcs.append(points)
    return arcs


def _ring(arcs: list[list[Point]], indexes: list[int]) -> list[Point]:
    """A polygon ring from its arc indexes (``~i`` is arc ``i`` reversed)."""
    ring: list[Point] = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        ring += arc if not ring else arc[1:]
    return ring


def _encode(points: list[Point]) -> list[int]:
    """``[lon0, lat0, dlon1, dlat1, ...]`` in hundredths of a degree, repeated points dropped."""
    out: list[int] = []
    last = None
    for lon, lat in points:
        q = (round(lon * PRECISION), round(lat * PRECISION))
        if q == last:
            continue
        out += [q[0], q[1]] if last is None else [q[0] - last[0], q[1] - last[1]]
        last = q
    return out if len(out) >= 4 else []


def reduce_topology(topology: dict) -> dict:
    """The reduced map data (see the module's docstring) from world-atlas's countries-110m."""
    arcs = [simplify(a, TOLERANCE) for a in _arcs(topology)]
    geometries = topology["objects"]["countries"]["geometries"]
    users: dict[int, int] = {}
    for g in geometries:
        polygons = g["arcs"] if g["type"] == "MultiPolygon" else [g["arcs"]]
        for polygon in polygons:
            for ring in polygon:
                for i in ring:
                    users[i if i >= 0 else ~i] = users.get(i if i >= 0 else ~i, 0) + 1
    regions = {}
    for name, box in REGIONS.items():
        countries = []
        for g in sorted(geometries, key=lambda g: g.get("id") or g["properties"]["name"]):
            polygons = g["arcs"] if g["type"] == "MultiPolygon" else [g["arcs"]]
            rings = []
            for polygon in polygons:
                for ring in polygon:  # outer ring, then holes (drawn with the even-odd rule)
                    clipped = _encode(clip_ring(_ring(arcs, ring), box))
                    if clipped:
                        rings.append(clipped)
            if rings:
                countries.append(
                    {"id": g.get("id", ""), "name": g["properties"]["name"], "rings": rings}
                )
        lines: dict[str, list[list[int]]] = {"coast": [], "borders": []}
        for i, arc in enumerate(arcs):
            kind = "coast" if users.get(i, 0) == 1 else "borders"
            for run in clip_line(arc, box):
                encoded = _encode(run)
                if encoded:
                    lines[kind].append(encoded)
        regions[name] = {"box": list(box), "countries": countries, **lines}
    return {
        "source": "Natural Earth 1:110m Admin 0 countries, via npm world-atlas 2.0.2 "
        "(countries-110m.json), reduced by scripts/reduce_coastline.py",
        "precision": PRECISION,
        "regions": regions,
    }


def main(argv: list[str] | None = None) -> int:
    """``reduce_coastline.py COUNTRIES_110M_JSON OUT_JSON``."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: reduce_coastline.py COUNTRIES_110M_JSON OUT_JSON", file=sys.stderr)
        return 2
    source, out = Path(args[0]), Path(args[1])
    try:
        topology = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"{source}: cannot read a TopoJSON file: {error}", file=sys.stderr)
        return 2
    if "countries" not in topology.get("objects", {}) or "transform" not in topology:
        print(f"{source}: not world-atlas's countries-110m.json (no quantised countries)",
              file=sys.stderr)  # fmt: skip
        return 2
    reduced = reduce_topology(topology)
    out.write_text(json.dumps(reduced, separators=(",", ":")) + "\n", encoding="utf-8")
    points = sum(
        len(line) // 2
        for region in reduced["regions"].values()
        for line in [*region["coast"], *region["borders"]]
        + [r for c in region["countries"] for r in c["rings"]]
    )
    print(f"{out}: {out.stat().st_size:,} bytes, {points:,} points")
    return 0


if __name__ == "__main__":
    sys.exit(main())
