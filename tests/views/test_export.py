"""Save PNG (static/export.js) on every graph page: the drawing at twice its CSS pixels, with
the page's title, the legend and the source credit drawn around it.

The bug it replaces: the image was the canvas as the screen had it (one pixel per CSS pixel on
most screens) and held neither title, legend nor credit."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

DESKTOP, PHONE = (1400, 900), (390, 844)
INK, MUTED = "#0f172a", "#475569"

#: How far the image's drawing is from the canvas on the page, both averaged over blocks of
#: Q × Q CSS pixels (so that lines drawn at twice the pixels and then shrunk compare with lines
#: drawn at once): the mean difference per channel (0-255) where the page has drawn something
#: (not white) that the image's legend does not cover; and the same with the image moved 40
#: CSS pixels aside, which a real match must beat by far.
SAME_DRAWING = """async ([url, head, scale, legend]) => {
  const Q = 4;
  const img = new Image();
  img.src = url;
  await img.decode();
  const live = document.querySelector("#graph canvas");
  const w = Math.floor(live.clientWidth / Q), h = Math.floor(live.clientHeight / Q);
  const read = (draw) => {
    const c = document.createElement("canvas");
    c.width = w; c.height = h;
    const ctx = c.getContext("2d", { willReadFrequently: true });
    ctx.imageSmoothingQuality = "high";
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, w, h);
    draw(ctx);
    return ctx.getImageData(0, 0, w, h).data;
  };
  const page = read(ctx => ctx.drawImage(live, 0, 0, w * Q, h * Q, 0, 0, w, h));
  const at = dx => ctx => ctx.drawImage(img, 0, head * scale, w * Q * scale, h * Q * scale,
                                        dx / Q, 0, w, h);
  const png = read(at(0)), shifted = read(at(40));
  let same = 0, moved = 0, drawn = 0, n = 0;
  const [lx, ly, lw, lh] = legend.map(v => v / Q);  // drawn over the drawing in the image only
  const top = head / Q;
  for (let i = 0; i < page.length; i += 4) {
    const x = (i / 4) % w, y = Math.floor(i / 4 / w) + top;
    if (x >= lx - 1 && x < lx + lw + 1 && y >= ly - 1 && y < ly + lh + 1) continue;
    if (page[i] + page[i + 1] + page[i + 2] > 750) continue;
    drawn++;
    for (let k = 0; k < 3; k++) {
      same += Math.abs(page[i + k] - png[i + k]);
      moved += Math.abs(page[i + k] - shifted[i + k]);
      n++;
    }
  }
  return { same: same / n, moved: moved / n, drawn: drawn / (w * h) };
}"""


@pytest.fixture(scope="module")
def views(built_dir) -> Path:
    return built_dir / "views"


@pytest.mark.parametrize(
    ("name", "size"),
    [("city-pairs.html", DESKTOP), ("city-pairs.html", PHONE), ("overview.html", DESKTOP),
     ("timeline.html", DESKTOP), ("entity/city-lyon.html", DESKTOP)],
    ids=["city-pairs", "city-pairs-phone", "overview", "timeline", "entity"],
)  # fmt: skip
def test_save_png_is_the_drawing_at_twice_its_pixels_with_title_legend_and_credit(
    open_view, views, png_size, find_colours, artifacts, name, size
):
    view = open_view(views / name, size)
    page = view.page
    with page.expect_download() as download:
        page.click("#png")
    assert download.value.suggested_filename.endswith(".png")
    data = Path(download.value.path()).read_bytes()
    made = page.evaluate("window.cvekg.exported")
    scale = made["scale"]
    assert scale == 2
    canvas = page.evaluate(
        "(() => { const c = document.querySelector('#graph canvas');"
        " return [c.clientWidth, c.clientHeight, c.width]; })()"
    )
    # Twice the canvas's CSS size: the drawing, with bands for the title and the credit.
    assert made["drawing"] == canvas[:2]
    assert png_size(data) == (scale * made["size"][0], scale * made["size"][1])
    assert made["size"][0] == canvas[0] and made["size"][1] > canvas[1] + made["head"]
    assert canvas[2] == canvas[0]  # the page went back to its own pixel ratio
    # The drawing is the page's drawing (not a blank, not another part of it).
    match = page.evaluate(
        SAME_DRAWING,
        [
            "data:image/png;base64," + base64.b64encode(data).decode(),
            made["head"],
            scale,
            made["legend"],
        ],
    )
    assert match["drawn"] > 0.01 and match["same"] < 6 and match["moved"] > 3 * match["same"], match
    # The title above it, as wide as the title's text.
    title = page.locator("#title").inner_text()
    width = page.evaluate(
        "t => { const c = document.createElement('canvas').getContext('2d');"
        " c.font = '600 20px system-ui, sans-serif'; return c.measureText(t).width; }",
        title,
    )
    W, H = made["size"]
    x, y, w, h = made["legend"]
    colours = page.evaluate("window.cvekg.data.legend.map(g => g.color)")
    head, legend, foot = find_colours(
        page,
        data,
        [[0, 0, W * scale, made["head"] * scale],
         [round(x * scale), round(y * scale), round(w * scale), round(h * scale)],
         [0, made["foot"] * scale, W * scale, (H - made["foot"]) * scale]],
        [INK, MUTED, *colours],
    )  # fmt: skip
    ink = head[0]
    assert ink["count"] > 500
    if width < W - 28:  # on one line
        # (glyphs' side bearings leave a few pixels unpainted at either end)
        slack = max(0.05 * width, 10) * scale
        assert abs((ink["x1"] - ink["x0"]) - width * scale) < slack, (ink, width)
    # The legend, with every kind of entity the page draws in its own colour.
    drawn_groups = page.evaluate("[...new Set(window.cvekg.nodes.get().map(n => n.group))]")
    legend_colours = page.evaluate(
        "gs => window.cvekg.data.legend.filter(g => gs.includes(g.key)).map(g => g.color)",
        drawn_groups,
    )
    assert legend_colours
    for colour in legend_colours:
        assert legend[2 + colours.index(colour)]["count"] > 40, colour
    assert legend[0]["count"] > 200  # its rows' text
    # The credit under it: the sources, and for the map, Natural Earth.
    assert foot[1]["count"] > 200
    sources = page.evaluate("[...new Set(window.cvekg.data.claims.map(c => c.source))]")
    assert any(s and s[:30] in made["credit"] for s in sources), made["credit"]
    assert ("Natural Earth" in made["credit"]) == (name == "city-pairs.html")
    Path(artifacts / f"png-{name.replace('/', '-')[:-5]}-{size[0]}.png").write_bytes(data)
    view.close()


def test_save_png_speaks_the_page_language(open_view, views):
    view = open_view(views / "city-pairs.html")
    view.page.select_option("#lang", "fr")
    with view.page.expect_download():
        view.page.click("#png")
    credit = view.page.evaluate("window.cvekg.exported.credit")
    assert credit.startswith("Sources :") and "Fond de carte : Natural Earth" in credit
    view.close()
