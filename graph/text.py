"""Source text as its source shows it: the inline markup a saved text keeps, rendered.

The sources are saved verbatim, and a web page's inline formatting comes along with them
(``the <u>Strong Cities Network</u>``). Quotes and sentences keep those bytes, since they are
what the source says and what the offsets count, but nobody should read raw tags:

- :func:`plain` removes the markup, for terminals, tooltips and titles;
- :func:`runs` splits the text into ``(text, style)`` runs, so a page can build one text node
  per run (``textContent``, never ``innerHTML``) and style it.

Only the formatting tags listed in :data:`STYLES` are markup. Anything else between angle
brackets (``<script>``, ``a < b > c``) is text and stays exactly as it is: rendering must
never turn a quote into active HTML.
"""

from __future__ import annotations

import re

__all__ = ["STYLES", "plain", "runs", "has_markup"]

#: The inline tags read as markup, and the style each gives its text.
STYLES: dict[str, str] = {
    "u": "u",
    "ins": "u",
    "b": "b",
    "strong": "b",
    "i": "i",
    "em": "i",
    "cite": "i",
    "s": "s",
    "strike": "s",
    "del": "s",
    "sup": "sup",
    "sub": "sub",
}
_TAG = re.compile(
    r"<(/?)(" + "|".join(sorted(STYLES, key=len, reverse=True)) + r")(?:\s[^<>]*)?>",
    re.IGNORECASE,
)


def has_markup(text: str) -> bool:
    """Whether ``text`` holds any of the markup tags of :data:`STYLES`.

    >>> has_markup("the <u>DipNote</u> blog"), has_markup("a <script> tag")
    (True, False)
    """
    return _TAG.search(text) is not None


def plain(text: str) -> str:
    """``text`` with its markup tags removed (their content kept), for plain-text output.

    >>> plain("appeared in <u>DipNote</u>, the official blog")
    'appeared in DipNote, the official blog'
    >>> plain("<script>alert(1)</script> & <i>more</i>")
    '<script>alert(1)</script> & more'
    """
    return _TAG.sub("", text)


def runs(text: str) -> list[tuple[str, str]]:
    """``text`` as ``(text, style)`` runs: ``style`` is the space-separated styles of the
    tags open around the run (``"u"``, ``"b i"``), ``""`` for unstyled text.

    A closing tag with no opening one is dropped; an opening tag never closed styles the
    text to the end. Joining the runs' texts gives :func:`plain` of the text.

    >>> runs("the <u>Strong Cities Network</u>, and <b>the <i>City Pair</i></b>")[1:]
    [('Strong Cities Network', 'u'), (', and ', ''), ('the ', 'b'), ('City Pair', 'b i')]
    >>> runs("")
    []
    """
    out: list[tuple[str, str]] = []
    open_tags: list[str] = []
    position = 0

    def emit(chunk: str) -> None:
        if not chunk:
            return
        styles = []
        for tag in open_tags:
            if STYLES[tag] not in styles:
                styles.append(STYLES[tag])
        style = " ".join(styles)
        if out and out[-1][1] == style:
            out[-1] = (out[-1][0] + chunk, style)
        else:
            out.append((chunk, style))

    for match in _TAG.finditer(text):
        emit(text[position : match.start()])
        position = match.end()
        closing, tag = match.group(1) == "/", match.group(2).lower()
        if not closing:
            open_tags.append(tag)
        elif tag in open_tags:
            # Close the innermost tag of that name (and any left open inside it).
            del open_tags[len(open_tags) - 1 - open_tags[::-1].index(tag) :]
    emit(text[position:])
    return out
