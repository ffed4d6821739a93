"""The city-pairs map (graph/views/geo.py, static/map.js): the coastline is drawn, each city
sits at its projected place on its country's land, and no exchange arc runs over a city it
does not join."""

from __future__ import annotations

import json
import math
from pathlib import Path

import networkx as nx
import pytest

from graph import network as gn
from graph.views import geo

ID = "https://w3id.org/cvekg/id/"
DESKTOP, PHONE = (1400, 900), (390, 844)
#: The colours map.js fills land and geo.py the sea with.
LAND, SEA = "#fbfaf5", geo.SEA
USA = "United States of America"


@pytest.fixture(scope="module")
def views(built_dir) -> Path:
    return built_dir / "views"


@pytest.fixture(scope="module")
def cities(store) -> nx.MultiDiGraph:
    return gn.city_pair_graph(gn.project(store))


# --- The outlines and the projection ----------------------------------------------------------


def _inside(point: tuple[float, float], rings: list[list[tuple[float, float]]]) -> bool:
    """Even-odd rule over every ring of a country."""
    x, y = point
    inside = False
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
    return inside


def _country(region: str, name: str) -> list[list[tuple[float, float]]]:
    return next(rings for _, n, rings in geo.outlines()[region]["countries"] if n == name)


def test_vendored_outlines_hold_france_and_the_united_states_and_their_provenance():
    from importlib import resources

    vendor = resources.files("graph.views").joinpath("vendor")
    readme = vendor.joinpath("README.md").read_text()
    assert "world-atlas" in readme and "2.0.2" in readme and "reduce_coastline.py" in readme
    assert "Michael Bostock" in vendor.joinpath("LICENSE-ISC-world-atlas").read_text()
    # Real places: Paris in France, Boston and Chicago in the United States, not in Canada.
    assert _inside((2.35, 48.85), _country("east", "France"))
    assert not _inside((-0.13, 51.5), _country("east", "France"))  # London
    assert _inside((-71.06, 42.36), _country("west", USA))
    assert _inside((-87.65, 41.85), _country("west", USA))
    assert not _inside((-79.4, 43.7), _country("west", USA))  # Toronto
    pyproject = (Path(__file__).parents[2] / "pyproject.toml").read_text()
    assert '"vendor/*.json"' in pyproject and '"static/*.js"' in pyproject


def test_reduce_coastline_tells_coasts_from_borders_and_clips_to_its_regions():
    import importlib.util

    path = Path(__file__).parents[2] / "scripts" / "reduce_coastline.py"
    spec = importlib.util.spec_from_file_location("reduce_coastline", path)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    # Two squares side by side at 0..2°E and 2..4°E, 45..47°N, sharing arc 1 (their border);
    # quantised at 0.5° a step. A third square far outside every region.
    topology = {
        "type": "Topology",
        "transform": {"scale": [0.5, 0.5], "translate": [0, 45]},
        "arcs": [
            [[4, 0], [-4, 0], [0, 4], [4, 0]],  # west square's outer side, (2,45)→…→(2,47)
            [[4, 4], [0, -4]],  # the shared border (2,47)→(2,45)
            [[4, 0], [4, 0], [0, 4], [-4, 0]],  # east square's outer side (2,45)→…→(2,47)
            [[-300, -50], [2, 0], [0, 2], [-2, 0], [0, -2]],  # at 150°W, 20°N
        ],
        "objects": {"countries": {"type": "GeometryCollection", "geometries": [
            {"type": "Polygon", "arcs": [[0, 1]], "id": "001", "properties": {"name": "West"}},
            {"type": "Polygon", "arcs": [[2, ~1]], "id": "002", "properties": {"name": "East"}},
            {"type": "Polygon", "arcs": [[3]], "id": "003", "properties": {"name": "Away"}},
        ]}},
    }  # fmt: skip
    east = script.reduce_topology(topology)["regions"]["east"]
    assert [c["name"] for c in east["countries"]] == ["West", "East"]
    assert len(east["borders"]) == 1 and len(east["coast"]) == 2
    border = geo._decode(east["borders"][0], 100)
    assert {p[0] for p in border} == {2.0} and {p[1] for p in border} == {45.0, 47.0}
    west_ring = geo._decode(east["countries"][0]["rings"][0], 100)
    assert _inside((1.0, 46.0), [west_ring]) and not _inside((3.0, 46.0), [west_ring])
    assert script.reduce_topology(topology)["regions"]["west"]["countries"] == []
    assert json.dumps(script.reduce_topology(topology)) == json.dumps(
        script.reduce_topology(topology)
    )


def test_cities_are_placed_at_their_projection_or_tied_to_it_by_a_line(cities):
    pos, drawing = geo.map_layout(cities)
    panels = {p["key"]: p for p in drawing.data["panels"]}
    for n, d in cities.nodes(data=True):
        if d.get("lon") is None:
            continue
        key = "west" if d["lon"] < -30 else "east"
        panel = _panel(panels[key])
        true = panel.project(d["lon"], d["lat"])
        assert math.dist(true, drawing.true[n]) < 1, n
        if math.dist(pos[n], true) > 4:  # moved aside: a line runs from it to its place
            assert any(
                math.dist(pos[n], leader[:2]) < 1 and math.dist(true, leader[2:]) < 1
                for leader in panels[key]["leaders"]
            ), n
    # The best connected of a cluster stays put: Paris (two exchanges) beside Sarcelles.
    paris, sarcelles = f"{ID}city/paris", f"{ID}city/sarcelles"
    assert pos[paris] == pytest.approx(drawing.true[paris])
    assert math.dist(pos[sarcelles], pos[paris]) >= geo.MIN_DISTANCE * 0.9


def _panel(data: dict) -> geo.Panel:
    box = tuple(data["box"])
    return geo.Panel(data["key"], box, data["x"], data["y"], data["h"] / (box[3] - box[1]))


def test_route_arcs_bends_a_link_round_a_city_in_its_way_and_keeps_a_clear_one_straight():
    G = nx.MultiDiGraph()
    G.add_edge("a", "b")
    G.add_edge("a", "c")
    G.add_edge("a", "b")  # a second link between the same cities
    pos = {"a": (0.0, 0.0), "b": (600.0, 0.0), "x": (300.0, 5.0), "c": (0.0, -400.0)}
    to_b, again, to_c = geo.route_arcs(G, pos)  # G.edges order: by source, then target
    assert to_c == {"enabled": False}
    assert to_b["enabled"] and to_b != again
    for bend in (to_b, again):
        points = geo.arc_points(pos["a"], pos["b"], bend)
        assert min(math.dist(p, pos["x"]) for p in points) >= geo.CLEARANCE


# --- In Chromium ---------------------------------------------------------------------------

#: What the page drew: the scale, each city's place, each link's points as vis-network draws
#: them (its own getPoint), and the map's panels as map.js holds them.
DRAWN = """() => {
  const c = window.cvekg, n = c.network;
  const ids = c.nodes.getIds();
  const pos = n.getPositions(ids);
  const nodes = ids.map(id => ({ id, iri: c.data.meta.nodes[id].iri, x: pos[id].x, y: pos[id].y,
                                 size: c.data.nodes[id].size }));
  const edges = c.edges.getIds().map(id => {
    const e = n.body.edges[id];
    const points = [];
    for (let k = 0; k <= 100; k++) {
      const p = e.edgeType.getPoint(k / 100);
      points.push([p.x, p.y]);
    }
    return { from: e.fromId, to: e.toId, points, dashes: !!e.options.dashes,
             arrow: e.options.arrows.to.enabled, arrowScale: e.options.arrows.to.scaleFactor };
  });
  return { scale: n.getScale(), nodes, edges, map: c.data.map };
}"""

#: The canvas's colour at graph points (x, y): the drawing, read back.
PIXELS = """points => {
  const n = window.cvekg.network, canvas = document.querySelector("#graph canvas");
  const copy = document.createElement("canvas");
  copy.width = canvas.width; copy.height = canvas.height;
  const ctx = copy.getContext("2d", { willReadFrequently: true });
  ctx.drawImage(canvas, 0, 0);
  const ratio = canvas.width / canvas.clientWidth;
  return points.map(([x, y]) => {
    const p = n.canvasToDOM({ x, y });
    const d = ctx.getImageData(Math.round(p.x * ratio), Math.round(p.y * ratio), 1, 1).data;
    return "#" + [d[0], d[1], d[2]].map(v => v.toString(16).padStart(2, "0")).join("");
  });
}"""


def _near(colour: str, wanted: str) -> bool:
    a = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(wanted[i : i + 2], 16) for i in (1, 3, 5)]
    return sum(abs(x - y) for x, y in zip(a, b, strict=True)) <= 12


#: Places the map must show as land or as sea (panel, longitude, latitude), away from cities.
PROBES = {
    LAND: [("east", 2.6, 46.9), ("east", -4.0, 42.4), ("east", -1.0, 44.0), ("east", 8.5, 50.5),
           ("east", -2.0, 52.5), ("east", 0.5, 45.5), ("east", 3.0, 44.5), ("east", -3.2, 48.2),
           ("east", -1.5, 42.3), ("east", 8.0, 53.0), ("west", -98.5, 38.5), ("west", -110, 44),
           ("west", -104, 33), ("west", -90, 45), ("west", -116, 40)],
    SEA: [("east", -4.5, 45.6), ("east", -5, 47.5), ("east", -3.5, 44.2), ("east", 3.5, 54),
          ("east", 5.5, 42.3), ("west", -90.5, 26.0), ("west", -70.0, 34.0), ("west", -124, 33),
          ("west", -67, 30), ("west", -95, 25.2)],
}  # fmt: skip


def _segment_distance(point, segment) -> float:
    (px, py), (ax, ay, bx, by) = point, segment
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / ((dx * dx + dy * dy) or 1.0)))
    return math.dist(point, (ax + t * dx, ay + t * dy))


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_city_pairs_map_draws_land_and_sea_with_each_city_at_its_place(
    open_view, views, cities, artifacts, size
):
    view = open_view(views / "city-pairs.html", size)
    screen = "phone" if size == PHONE else "desktop"
    view.page.screenshot(path=str(artifacts / f"map-city-pairs-{screen}.png"))
    drawn = view.page.evaluate(DRAWN)
    panels = {p["key"]: _panel(p) for p in drawn["map"]["panels"]}
    west, east = panels["west"], panels["east"]
    if size == PHONE:  # stacked: Europe above the Americas, each as wide as it can be
        assert west.top >= east.top + east.height
    else:
        assert east.left >= west.left + west.width
    # The coastline is drawn: land where land must be, sea where sea must be, read with every
    # kind of city unticked in the legend (so the map alone is drawn), and only where no leader
    # line runs.
    page = view.page
    if page.locator("#legend").evaluate("e => e.classList.contains('folded')"):
        page.click(".legend-title")
    for box in page.locator("#legend input[type=checkbox]").all():
        box.uncheck()
    page.wait_for_timeout(100)
    assert page.evaluate("window.cvekg.nodes.get({filter: n => !n.hidden}).length") == 0
    leaders = [leader for p in drawn["map"]["panels"] for leader in p["leaders"]]
    for colour, probes in PROBES.items():
        points = []
        for k, lon, lat in probes:
            box = panels[k].box
            assert box[0] < lon < box[2] and box[1] < lat < box[3], (k, lon, lat)
            point = panels[k].project(lon, lat)
            if all(_segment_distance(point, seg) * drawn["scale"] > 4 for seg in leaders):
                points.append((k, point))
        assert all(sum(k == key for k, _ in points) >= 3 for key in panels), (colour, points)
        points = [p for _, p in points]
        found = page.evaluate(PIXELS, [list(p) for p in points])
        assert all(_near(c, colour) for c in found), (colour, probes, found)
    # Each city at its projected place (or tied to it), on its own country's land.
    at = {node["iri"]: (node["x"], node["y"]) for node in drawn["nodes"]}
    paris, boston = at[f"{ID}city/paris"], at[f"{ID}city/boston"]
    assert paris == pytest.approx(east.project(2.35, 48.85), abs=1.5)
    assert boston == pytest.approx(west.project(-71.06, 42.36), abs=1.5)
    france = [[east.project(*p) for p in ring] for ring in _country("east", "France")]
    usa = [[west.project(*p) for p in ring] for ring in _country("west", USA)]
    assert _inside(paris, france) and not _inside(paris, usa)
    assert _inside(boston, usa)
    coast = [west.project(*p) for line in geo.outlines()["west"]["coast"] for p in line]
    assert min(math.dist(boston, p) for p in coast) * 111.2 / west.scale < 60  # km: on the coast
    assert boston[0] > west.left + west.width * 0.85  # in the east
    for n, d in cities.nodes(data=True):
        if d.get("lon") is not None:
            panel = panels["west" if d["lon"] < -30 else "east"]
            true = panel.project(d["lon"], d["lat"])
            # (vis-network gives positions to the unit)
            assert math.dist(at[n], true) < 1.5 or any(
                math.dist(at[n], leader[:2]) < 1.5 and math.dist(true, leader[2:]) < 1
                for leader in leaders
            ), n
    view.close()


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_exchange_arcs_keep_clear_of_every_city_they_do_not_join(open_view, views, size):
    """The bug: Paris → Los Angeles ran straight through Clarkston, its label beside it."""
    view = open_view(views / "city-pairs.html", size)
    drawn = view.page.evaluate(DRAWN)
    scale = drawn["scale"]
    assert drawn["edges"], "no link drawn"
    for edge in drawn["edges"]:
        for node in drawn["nodes"]:
            if node["id"] in (edge["from"], edge["to"]):
                continue
            gap = min(math.dist((node["x"], node["y"]), p) for p in edge["points"])
            assert gap >= geo.CLEARANCE * 0.85, (edge["from"], edge["to"], node["iri"], gap)
            if size == DESKTOP:  # on screen: well clear of the city's disc (its radius + 10 px)
                assert gap * scale >= node["size"] * scale + 10, (node["iri"], gap * scale)
        if edge["arrow"]:
            assert edge["arrowScale"] >= 1  # arrowheads at full size, not half
    view.close()


def test_map_legend_explains_every_kind_of_link_and_the_projection_in_both_languages(
    open_view, views
):
    view = open_view(views / "city-pairs.html")
    page = view.page
    drawn = page.evaluate(DRAWN)
    text = page.locator("#legend").inner_text()
    assert "Exchange" in text and "A stop on the visit" in text and "Partners" in text
    assert "true to scale along 36.8°N / 48.3°N" in text and "Moved aside" in text
    assert any(e["dashes"] for e in drawn["edges"])  # the dashed link it explains is drawn
    assert page.locator("#legend .key-row").count() == 5
    page.select_option("#lang", "fr")
    text = page.locator("#legend").inner_text()
    assert "Étape de la visite" in text and "à l'échelle le long de 36,8°N / 48,3°N" in text
    assert page.locator("#legend .key-row").count() == 5  # once, not once per language change
    # The legend's key takes room beside the map, which fits beside it.
    legend = page.locator("#legend").bounding_box()
    west = drawn["map"]["panels"][0]
    left = page.evaluate(
        "p => window.cvekg.network.canvasToDOM({x: p.x, y: p.y}).x", {"x": west["x"], "y": 0}
    )
    assert left >= legend["x"] + legend["width"], (left, legend)
    view.close()


def test_cities_without_coordinates_get_rows_and_no_projection_in_the_key():
    G = nx.MultiDiGraph()
    G.add_edge("a", "b", kind="exchange")
    pos, drawing = geo.map_layout(G)
    assert drawing.data["panels"] == [] and drawing.decorations == []
    assert pos["a"][1] == pos["b"][1] > 620  # a row under where the panels would be
    data = {"edges": [{}], "options": {"edges": {"arrows": {"to": {}}}}, "map": drawing.data}
    geo.dress_links(data, G, pos, drawing)
    assert [row[0] for row in data["map"]["key"]] == ["arrow"]
