"""Fixtures of the views' browser tests: a page opened offline, and axe-core run on it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


class Opened:
    """A page in its own browser context; every request that is not a file (or, for a
    server's page, not to ``allowed``) is refused and recorded, console errors collected."""

    def __init__(self, browser, url: str, size=(1400, 900), allowed: str = "file:"):
        self.context = browser.new_context(viewport={"width": size[0], "height": size[1]})
        self.requests: list[str] = []
        self.errors: list[str] = []

        def refuse(route):
            url = route.request.url
            if url.startswith(allowed) or url.startswith("about:") or url.startswith("data:"):
                return route.continue_()
            self.requests.append(url)
            return route.abort()

        self.context.route("**/*", refuse)
        self.page = self.context.new_page()
        self.page.on(
            "console", lambda m: m.type in ("error", "warning") and self.errors.append(m.text)
        )
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(url)

    def ready(self) -> Opened:
        """Wait for a graph page's script to have drawn it."""
        self.page.wait_for_selector("body[data-ready=true]", timeout=20000)
        return self

    def close(self) -> None:
        self.context.close()
        assert self.errors == [], self.errors
        assert self.requests == [], self.requests


@pytest.fixture
def opened(browser) -> Iterator[Callable[..., Opened]]:
    """``opened(url_or_path, size=…)``: pages closed (and checked) after the test."""
    pages: list[Opened] = []

    def open_(target: str | Path, size=(1400, 900), allowed: str = "file:") -> Opened:
        url = target.as_uri() if isinstance(target, Path) else target
        pages.append(Opened(browser, url, size, allowed))
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
