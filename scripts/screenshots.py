"""Take the README's pictures of the main pages: ``python scripts/screenshots.py``.

Builds the seed graph into a temporary folder, opens each view in Chromium (Playwright,
``/usr/bin/chromium``) at 1400×900 and the query page of a ``cvekg serve`` on a free port, and
writes ``docs/img/<page>.png`` at three quarters of its size (1050 px wide), so that the
pictures stay small in the repository. Run it after changing what a page looks like, and
look at the pictures.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: Device pixels per CSS pixel of the pictures.
SCALE = 0.75

#: The pictures of the built views: name and page under build/views/.
VIEWS = {
    "index": "index.html",
    "overview": "overview.html",
    "city-pairs": "city-pairs.html",
    "timeline": "timeline.html",
    "entity": "entity/city-lyon.html",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from graph.pipeline import build

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "build"
        build(out=folder)
        port = _free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "graph.cli",
                "serve",
                "--build",
                str(folder),
                "--port",
                str(port),
            ],
            cwd=ROOT,
            stderr=subprocess.DEVNULL,
        )
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=args.chromium,
                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
                )
                context = browser.new_context(
                    viewport={"width": 1400, "height": 900}, device_scale_factor=SCALE
                )
                page = context.new_page()
                for name, path in VIEWS.items():
                    page.goto((folder / "views" / path).as_uri())
                    page.wait_for_timeout(1500)  # the first frame, and labels placed
                    _save(page, args.out / f"{name}.png")
                for _ in range(100):
                    with socket.socket() as s:
                        if s.connect_ex(("127.0.0.1", port)) == 0:
                            break
                    time.sleep(0.1)
                query = (ROOT / "ontology" / "queries" / "25-paris-visits.rq").read_text()
                page.goto(f"http://127.0.0.1:{port}/#query={quote(query)}&view=map")
                page.wait_for_timeout(2500)
                _save(page, args.out / "query.png")
                browser.close()
        finally:
            server.terminate()
            server.wait()
    return 0


def _save(page, path: Path) -> None:
    page.screenshot(path=str(path))
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    raise SystemExit(main())
