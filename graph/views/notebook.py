"""A page shown inline in Jupyter: :class:`View`, which :func:`graph.views.show` returns.

Jupyter calls ``_repr_html_`` and puts what it returns into the notebook's own page. A
notebook's page is not ours: its scripts and styles would meet ours, and its Content Security
Policy is not the one our page carries. So the page goes in whole as an ``<iframe srcdoc>``,
escaped once as an attribute value: the browser reads back exactly the page ``cvekg view``
writes, with its inline scripts, styles, CSP and data, and loads nothing from anywhere.
The frame is sandboxed (scripts and downloads only, an opaque origin), so the page cannot
reach the notebook, nor the notebook's cookies.

pyvis's own notebook display, the most reported problem in its tracker, loads vis-network
from a CDN or writes a file beside the notebook that the frame then fetches; neither works
offline or in a notebook viewer that serves no files.
"""

from __future__ import annotations

import html
from pathlib import Path

__all__ = ["View"]

#: What the page's frame may do: run its scripts and save its PNG; nothing else (no
#: same-origin: the notebook and the page cannot reach each other).
SANDBOX = "allow-scripts allow-downloads"


class View:
    """One self-contained page (``html``) that displays in a notebook and can be saved."""

    def __init__(self, html_text: str, title: str = "cvekg", height: int = 640):
        self.html = html_text
        self.title = title
        self.height = height

    def __repr__(self) -> str:
        return f"<View {self.title!r}: {len(self.html):,} characters of HTML>"

    def _repr_html_(self) -> str:
        """The page inside an ``<iframe srcdoc>``: Jupyter shows it inline, offline."""
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" '
            f'title="{html.escape(self.title, quote=True)}" sandbox="{SANDBOX}" '
            f'style="width: 100%; height: {int(self.height)}px; border: 1px solid #cbd5e1; '
            'border-radius: 6px"></iframe>'
        )

    def save(self, path: str | Path) -> Path:
        """Write the page to ``path`` (a file that opens in any browser, offline)."""
        from graph.files import atomic_writer

        path = Path(path)
        with atomic_writer(path) as handle:
            handle.write(self.html)
        return path
