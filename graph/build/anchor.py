"""Find each claim's quote in its source text: character offsets, sentence, or a clear error.

Curators write only the quote. The text keeps its line breaks and OCR slips, so matching
treats any run of whitespace in the quote or the text as one space; nothing else is forgiven.
"""

from __future__ import annotations

import bisect
import difflib
import re
from dataclasses import dataclass

__all__ = ["Anchor", "QuoteNotFoundError", "QuoteAmbiguousError", "SourceText", "anchor_quote"]

_SPACE = re.compile(r"\s+")
_LONG_SPACE = re.compile(r"\s\s+")
# Words whose trailing full stop does not end a sentence ("Dr. Erroll", "U.S. Embassy").
_ABBREVIATIONS = {"dr", "mr", "mrs", "ms", "st", "u.s", "u.k", "e.g", "i.e", "vs", "no", "jr"}
_SENTENCE_END = re.compile(r"[.!?]['\")\]]*(?=\s+['\"(\[]?[A-Z0-9<])")
# A blank line, or a line break before a bullet; "\r\n" and a lone "\r" break lines too.
_LINE_BREAK = r"(?:\r\n|\r(?!\n)|\n)"
_BLANK_LINE = re.compile(rf"{_LINE_BREAK}(?:[ \t]*{_LINE_BREAK})+")
_BULLET_BREAK = re.compile(rf"{_LINE_BREAK}(?=[ \t]*[-*\u2022] )")
# What a paragraph ends with when its last sentence is finished: a full stop, a question or
# exclamation mark, a colon (before a list) or an ellipsis, then perhaps a closing quote.
_FINISHED = re.compile(r"[.!?:\u2026]['\"\u2019\u201d)\]]*$")
# A heading is a paragraph of one short line that does not run on (no trailing comma…).
_HEADING_MAX = 100
_RUNS_ON = re.compile(r"[,;\-\u2013\u2014(]$")


@dataclass(frozen=True)
class Anchor:
    """Where a quote sits in its text: ``text[start:end]`` is the exact passage."""

    start: int
    end: int
    exact: str
    sentence: str
    prefix: str
    suffix: str
    unique: bool


class QuoteNotFoundError(ValueError):
    """The quote is nowhere in the text; ``closest`` is the most similar passage."""

    def __init__(self, quote: str, closest: str):
        super().__init__(f'quote not found: "{quote}" (closest: "{closest}")')
        self.quote = quote
        self.closest = closest


class QuoteAmbiguousError(ValueError):
    """The quote occurs more than once and no prefix says which."""

    def __init__(self, quote: str, count: int):
        super().__init__(
            f'quote occurs {count} times: "{quote}" '
            "(add cvekg:quotePrefix with the words just before the one you mean)"
        )
        self.quote = quote
        self.count = count


def _ends_block(paragraph: str, following: str) -> bool:
    """Whether a blank line between ``paragraph`` and the ``following`` text ends a sentence:
    the paragraph ends with sentence punctuation, or it is a heading (one short line that
    does not run on, and the text after it does not go on in lower case or a bracket)."""
    body = paragraph.strip()
    if not body or _FINISHED.search(body):
        return True
    last_line = re.split(_LINE_BREAK, body)[-1].strip()
    one_line = last_line == body or re.match(r"[-*\u2022] ", last_line) is not None
    goes_on = re.match(r"\s*[a-z(\[,;]", following) is not None
    return (
        one_line
        and not goes_on
        and len(last_line) <= _HEADING_MAX
        and not _RUNS_ON.search(last_line)
    )


def _normalise(text: str) -> tuple[str, list[int], list[int], list[int]]:
    """Collapse whitespace runs to one space.

    Returns the normalised text and, for each run longer than one character (shorter ones
    keep every position in place), where its space sits in the normalised text, where the
    run starts in the original and how many characters were dropped up to its end: enough
    to map any normalised index back (:meth:`SourceText.original`).
    """
    normal_at: list[int] = []
    starts: list[int] = []
    dropped: list[int] = []
    removed = 0
    for match in _LONG_SPACE.finditer(text):
        normal_at.append(match.start() - removed)
        starts.append(match.start())
        removed += match.end() - match.start() - 1
        dropped.append(removed)
    return _SPACE.sub(" ", text), normal_at, starts, dropped


class SourceText:
    """A source document's text, prepared once for anchoring many quotes."""

    def __init__(self, text: str):
        self.text = text
        self.normal, self._run_at, self._run_start, self._dropped = _normalise(text)
        self._sentences = self._sentence_spans(text)
        self._sentence_starts = [s for s, _ in self._sentences]

    def original(self, index: int) -> int:
        """The index in the original text of character ``index`` of the normalised text."""
        k = bisect.bisect_right(self._run_at, index) - 1
        if k < 0:
            return index
        if index == self._run_at[k]:
            return self._run_start[k]
        return index + self._dropped[k]

    @staticmethod
    def _sentence_spans(text: str) -> list[tuple[int, int]]:
        cuts = {0, len(text)}
        for match in _BULLET_BREAK.finditer(text):  # a bullet always starts a new item
            cuts.add(match.start())
        paragraph_start = 0
        for match in _BLANK_LINE.finditer(text):
            # A blank line ends a sentence only when the paragraph before it is finished or
            # is a heading: the text has stray blank lines inside sentences ("… Program" /
            # "(IVLP), and also …").
            before, after = text[paragraph_start : match.start()], text[match.end() :]
            if _ends_block(before, after):
                cuts.add(match.start())
            paragraph_start = match.end()
        for match in _SENTENCE_END.finditer(text):
            word = re.search(r"([\w.]+)$", text[max(0, match.start() - 12) : match.start()])
            if word and (word.group(1).lower() in _ABBREVIATIONS or len(word.group(1)) == 1):
                continue
            cuts.add(match.end())
        ordered = sorted(cuts)
        return list(zip(ordered, ordered[1:], strict=False))

    def sentence_around(self, start: int, end: int) -> str:
        """The sentence(s) containing ``text[start:end]``, whitespace collapsed."""
        first = self._sentences[bisect.bisect_right(self._sentence_starts, start) - 1][0]
        last = self._sentences[bisect.bisect_left(self._sentence_starts, end) - 1][1]
        passage = self.text[first:last].strip()
        passage = re.sub(r"^[-*\u2022]\s+", "", passage)
        return _SPACE.sub(" ", passage)

    def find_all(self, quote: str) -> list[int]:
        """Start positions (in the normalised text) of every occurrence of the quote."""
        needle = _SPACE.sub(" ", quote.strip())
        hits, pos = [], self.normal.find(needle)
        while needle and pos != -1:
            hits.append(pos)
            pos = self.normal.find(needle, pos + 1)
        return hits

    def closest(self, quote: str) -> str:
        """The passage of the text most similar to the quote, for error messages."""
        needle = _SPACE.sub(" ", quote.strip())
        words = [m.start() for m in re.finditer(r"\S+", self.normal)]
        size = len(needle)
        best, best_score = "", -1.0
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(needle)
        for begin in words:
            window = self.normal[begin : begin + size]
            matcher.set_seq1(window)
            if matcher.real_quick_ratio() <= best_score or matcher.quick_ratio() <= best_score:
                continue
            score = matcher.ratio()
            if score > best_score:
                best, best_score = window, score
        if best:
            # Finish the passage on a word boundary so the message reads as words.
            begin = self.normal.find(best)
            stop = self.normal.find(" ", begin + len(best) - 1)
            best = self.normal[begin : stop if stop != -1 else len(self.normal)]
        return best.strip()


def anchor_quote(source: SourceText, quote: str, prefix: str | None = None) -> Anchor:
    """Find ``quote`` in ``source``, just after ``prefix`` when one is given (it picks one
    occurrence when there are several, and must match even when there is one).

    Examples
    --------
    >>> text = SourceText("Lyon met New\\n   Orleans. Then Boston.")
    >>> a = anchor_quote(text, "met New Orleans")
    >>> (a.start, a.end, a.sentence)
    (5, 23, 'Lyon met New Orleans.')
    """
    hits = source.find_all(quote)
    if not hits:
        raise QuoteNotFoundError(quote, source.closest(quote))
    unique = len(hits) == 1
    if prefix is not None:  # checked even for a unique quote: a wrong one is a curator's slip
        want = _SPACE.sub(" ", prefix.strip())
        hits = [h for h in hits if source.normal[:h].rstrip().endswith(want)]
        if not hits:
            raise QuoteNotFoundError(f"{prefix} {quote}", source.closest(f"{prefix} {quote}"))
    if len(hits) > 1:
        raise QuoteAmbiguousError(quote, len(hits))
    needle_len = len(_SPACE.sub(" ", quote.strip()))
    start = source.original(hits[0])
    end = source.original(hits[0] + needle_len - 1) + 1
    text = source.text
    return Anchor(
        start=start,
        end=end,
        exact=text[start:end],
        sentence=source.sentence_around(start, end),
        prefix=_SPACE.sub(" ", text[max(0, start - 32) : start]),
        suffix=_SPACE.sub(" ", text[end : end + 32]),
        unique=unique,
    )
