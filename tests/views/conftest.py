"""Fixtures of the views' browser tests: a page opened offline (with its requests refused and
recorded), axe-core run on it, and a PNG decoder (so an image is checked by its pixels, not its
first bytes)."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

DESKTOP, PHONE = (1400, 900), (390, 844)


@pytest.fixture
def opened(browser) -> Iterator[Callable[..., Visit]]:
    """``opened(url_or_path, size=…, allowed=…)``: a :class:`Visit` not yet waited for (call
    ``.ready()`` on a graph page), closed and checked after the test."""
    pages: list[Visit] = []

    def open_(target: str | Path, size=DESKTOP, allowed: str = "file:") -> Visit:
        pages.append(Visit(browser, target, size=size, allowed=allowed, ready=False))
        return pages[-1]

    yield open_
    for page in pages:
        page.close()


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical violations on ``page`` as it stands (WCAG 2.x A and AA
    and axe's best practices), one line each with the elements concerned."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']}: "
        + "; ".join(
            " ".join(map(str, n["target"])) + " " + n.get("failureSummary", "")
            for n in v["nodes"][:4]
        )  # fmt: skip
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture(scope="session")
def axe() -> Callable[[object], list[str]]:
    """``axe(page)``: the serious and critical violations axe-core finds on the page."""
    pytest.importorskip("axe_playwright_python", reason="pip install -e '.[test]'")
    return serious_violations


class Visit:
    """A page in its own browser context: every request that is not for a file (or, for a
    server's page, not to ``allowed``) is refused and recorded; console errors, page errors
    and dialogs are collected, and :meth:`finish` asserts there were none."""

    def __init__(
        self,
        browser,
        target: str | Path,
        fragment: str = "",
        size: tuple[int, int] = DESKTOP,
        allowed: str = "file:",
        ready: bool = True,
    ):
        self.context = browser.new_context(
            viewport={"width": size[0], "height": size[1]}, accept_downloads=True
        )
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []

        def refuse(route):
            url = route.request.url
            if url.startswith((allowed, "about:", "data:")):
                return route.continue_()
            self.requests.append(url)
            return route.abort()

        self.context.route("**/*", refuse)
        self.page = self.context.new_page()
        self.page.on(
            "console", lambda m: m.type in ("error", "warning") and self.errors.append(m.text)
        )
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto((target.as_uri() if isinstance(target, Path) else target) + fragment)
        if ready:
            self.ready()

    def ready(self) -> Visit:
        """Wait for a graph page's script to have drawn it."""
        self.page.wait_for_selector("body[data-ready=true]", timeout=30000)
        return self

    def node_id(self, iri: str) -> int:
        return self.page.evaluate(
            "iri => window.cvekg.data.meta.nodes.findIndex(m => m.iri === iri)", iri
        )

    def drawn(self) -> int:
        return self.page.evaluate("window.cvekg.nodes.length")

    def click_node(self, iri: str) -> None:
        node = self.node_id(iri)
        point = self.page.evaluate(
            """id => { const n = window.cvekg.network;
                       return n.canvasToDOM(n.getPosition(id)); }""",
            node,
        )
        box = self.page.locator("#graph").bounding_box()
        self.page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])

    def finish(self, artifacts: Path | None = None, name: str = "") -> None:
        """Save a screenshot as ``artifacts/<name>.png``, close, and check nothing went wrong."""
        if artifacts is not None:
            self.page.screenshot(path=str(artifacts / f"{name}.png"))
        self.context.close()
        assert self.errors == [], self.errors
        assert self.requests == [], self.requests
        assert self.dialogs == [], self.dialogs

    close = finish


@pytest.fixture
def open_page(browser) -> Callable[..., Visit]:
    """``open_page(path, fragment="", size=DESKTOP)``: a :class:`Visit` of a built view."""
    return lambda path, fragment="", size=DESKTOP: Visit(browser, path, fragment, size)


@pytest.fixture
def open_view(browser) -> Callable[..., Visit]:
    """``open_view(path, size)``: a :class:`Visit` once the canvas has its size and the
    labels are chosen again."""

    def open_(path: Path, size: tuple[int, int] = DESKTOP) -> Visit:
        visit = Visit(browser, path, size=size)
        visit.page.wait_for_timeout(150)
        return visit

    return open_


def read_png_size(data: bytes) -> tuple[int, int]:
    """A PNG's width and height, once its image data is checked whole: the chunks read, the
    pixels inflated to exactly one filter byte and ``width`` pixels a row."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert header, "no IHDR chunk"
    width, height, depth, colour, *_ = header
    channels = {2: 3, 6: 4}[colour]
    assert depth == 8
    assert len(zlib.decompress(idat)) == height * (width * channels + 1)
    return width, height


#: In the page: an image (a data: URL) decoded by the browser; for each rectangle
#: [x, y, w, h] and each colour, the pixels within 40 of it (sum of channel differences):
#: their count and the left- and rightmost column they are in.
FIND_COLOURS = """async ([url, boxes, colours]) => {
  const img = new Image();
  img.src = url;
  await img.decode();
  const c = document.createElement("canvas");
  c.width = img.naturalWidth; c.height = img.naturalHeight;
  const ctx = c.getContext("2d", { willReadFrequently: true });
  ctx.drawImage(img, 0, 0);
  const hex = h => [1, 3, 5].map(i => parseInt(h.slice(i, i + 2), 16));
  const wanted = colours.map(hex);
  return boxes.map(([x, y, w, h]) => {
    const d = ctx.getImageData(x, y, w, h).data;
    const found = wanted.map(() => ({ count: 0, x0: Infinity, x1: -Infinity }));
    for (let i = 0; i < d.length; i += 4) {
      const col = x + (i / 4) % w;
      wanted.forEach((c, k) => {
        if (Math.abs(d[i] - c[0]) + Math.abs(d[i + 1] - c[1]) + Math.abs(d[i + 2] - c[2]) <= 40) {
          const f = found[k];
          f.count++; f.x0 = Math.min(f.x0, col); f.x1 = Math.max(f.x1, col);
        }
      });
    }
    return found;
  });
}"""


@pytest.fixture
def png_size() -> Callable[[bytes], tuple[int, int]]:
    return read_png_size


@pytest.fixture
def find_colours() -> Callable:
    """``find_colours(page, png_bytes, boxes, colours)``: see :data:`FIND_COLOURS`."""
    import base64

    def find(page, data: bytes, boxes: list, colours: list[str]) -> list[list[dict]]:
        url = "data:image/png;base64," + base64.b64encode(data).decode()
        return page.evaluate(FIND_COLOURS, [url, boxes, colours])

    return find
