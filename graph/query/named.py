"""The named (competency) queries: ``ontology/queries/NN-name.rq``, each opening with its question.

A query file starts with comment lines: the first states the question in words, the next ones
(optional) add notes, and a line ``# view: map`` (``graph``, ``map``, ``timeline``, ``bar``)
names the result view the query page opens its answer in. Users call a query by any unambiguous
part of its name: ``08``, ``8``, ``08-learned-about``, ``learned-about`` or the file name.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from graph.errors import CvekgError

__all__ = [
    "row_counts",
    "NamedQuery",
    "UnknownQueryError",
    "list_queries",
    "find_query",
    "read_query",
    "parse_query_file",
]

_NAME = re.compile(r"(?P<number>\d+)-(?P<slug>[\w-]+)")
_VIEW = re.compile(r"view:\s*(graph|map|timeline|bar)", re.IGNORECASE)


class UnknownQueryError(CvekgError):
    """No named query matches; the message lists the closest names."""


@dataclass(frozen=True)
class NamedQuery:
    """One competency query: ``08-learned-about.rq`` has number ``08``, slug ``learned-about``."""

    name: str
    number: str
    slug: str
    question: str
    notes: str
    text: str
    path: Path
    view: str = ""

    def as_dict(self) -> dict[str, str]:
        """What the query page needs: names, question, notes, text and the view to open."""
        return {
            "name": self.name,
            "number": self.number,
            "slug": self.slug,
            "question": self.question,
            "notes": self.notes,
            "text": self.text,
            "view": self.view,
        }


def parse_query_file(path: Path) -> NamedQuery:
    """Read a query file: its leading comment lines are the question, then notes.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "03-city-pairs.rq").write_text(
    ...     "# Which cities paired?\\n# Inferred classes.\\nSELECT * WHERE { ?s ?p ?o }\\n")
    >>> q = parse_query_file(folder / "03-city-pairs.rq")
    >>> q.number, q.slug, q.question, q.notes
    ('03', 'city-pairs', 'Which cities paired?', 'Inferred classes.')
    """
    text = _decoded(path.read_bytes(), str(path))
    comments = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            break
        comments.append(stripped.lstrip("#").strip())
    views = [m[1].lower() for c in comments[1:] if (m := _VIEW.fullmatch(c))]
    comments = [c for c in comments if not _VIEW.fullmatch(c)] if views else comments
    match = _NAME.fullmatch(path.stem)
    number, slug = (match["number"], match["slug"]) if match else ("", path.stem)
    return NamedQuery(
        name=path.stem,
        number=number,
        slug=slug,
        question=comments[0] if comments else "",
        notes=" ".join(c for c in comments[1:] if c),
        text=text,
        path=path,
        view=views[0] if views else "",
    )


def list_queries(folder: Path | None = None, problems: list[str] | None = None) -> list[NamedQuery]:
    """Every ``*.rq`` file of ``folder`` (default: the shipped competency queries), by name.

    A file that cannot be read (not UTF-8, unreadable) is left out, so the others still
    work; ``problems`` (when given) gets one line naming each such file and why.
    """
    if folder is None:
        from graph.resources import queries_dir

        folder = queries_dir()
    if not Path(folder).is_dir():
        raise CvekgError(f"{folder}: no such folder of named queries")
    queries = []
    for path in sorted(Path(folder).glob("*.rq")):
        try:
            queries.append(parse_query_file(path))
        except (CvekgError, OSError) as exc:
            if problems is not None:
                problems.append(str(exc) if isinstance(exc, CvekgError) else f"{path}: {exc}")
    return queries


def _decoded(data: bytes, where: str) -> str:
    """A query's bytes as text: UTF-8, a byte-order mark dropped; else a message naming the
    place of the first byte that is not UTF-8; an empty query is refused."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8", "replace")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        raise CvekgError(
            f"{where}:{line}:{column}: not UTF-8 text (byte 0x{data[exc.start]:02x}): save the "
            "query as UTF-8"
        ) from None
    if not re.sub(r"#[^\n]*", "", text).strip():  # nothing, or comments only
        raise CvekgError(f"{where}: the query is empty (no SPARQL in it, only comments or blanks)")
    return text


def find_query(name: str, folder: Path | None = None) -> NamedQuery:
    """The query called ``name``, matched forgivingly; else an error naming the closest ones.

    Exact name, then number (``8`` is ``08``), then slug, then a unique name starting with
    ``name``.
    """
    queries = list_queries(folder)
    wanted = name.strip().lower().removesuffix(".rq")
    for test in (
        lambda q: q.name.lower() == wanted,
        lambda q: wanted.isdigit() and q.number.isdigit() and int(q.number) == int(wanted),
        lambda q: q.slug.lower() == wanted,
        lambda q: q.name.lower().startswith(wanted) or q.slug.lower().startswith(wanted),
    ):
        found = [q for q in queries if test(q)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise UnknownQueryError(
                f"query name {name!r} is ambiguous: it matches " + ", ".join(q.name for q in found)
            )
    names = [q.name for q in queries]
    by_slug = {q.slug: q.name for q in queries}
    close = difflib.get_close_matches(wanted, names, n=3, cutoff=0.5)
    close += [
        by_slug[s]
        for s in difflib.get_close_matches(wanted, list(by_slug), n=3, cutoff=0.5)
        if by_slug[s] not in close
    ]
    hint = f"; closest: {', '.join(close[:3])}" if close else ""
    raise UnknownQueryError(f"no named query {name!r}{hint} (cvekg queries lists them all)")


def read_query(
    source: str | None, expression: str | None = None, folder: Path | None = None, stdin=None
) -> tuple[str, str]:
    """The text of the query a user asked for, and a short label saying where it came from.

    ``source`` is a query name, a ``.rq`` file or ``-`` (standard input); ``expression`` is
    the text of a query given on the command line (``-e``).
    """
    if expression is not None:
        if source is not None:
            raise CvekgError("give either a query (NAME, FILE.rq or -) or -e 'QUERY', not both")
        if not expression.strip():
            raise CvekgError("-e: the query is empty")
        return expression, "-e"
    if source is None:
        raise CvekgError("no query given: NAME, FILE.rq, - (standard input) or -e 'QUERY'")
    if source == "-":
        import sys

        stream = stdin or sys.stdin
        data = stream.buffer.read() if hasattr(stream, "buffer") else stream.read().encode()
        return _decoded(data, "<stdin>"), "<stdin>"
    path = Path(source)
    if path.is_file():
        try:
            return _decoded(path.read_bytes(), str(path)), str(path)
        except OSError as exc:
            raise CvekgError(f"{source}: cannot read it: {exc.strerror or exc}") from None
    if "/" in source or "\\" in source:
        raise CvekgError(f"{source}: no such query file")
    try:
        query = find_query(source, folder)
    except UnknownQueryError as exc:
        if path.suffix == ".rq":
            raise CvekgError(f"{source}: no such query file, and {exc}") from None
        raise
    return query.text, query.name


def row_counts(store, queries: list) -> dict[str, int]:
    """How many rows (or triples; 1 or 0 for ASK) each named query answers on ``store``:
    ``cvekg queries --endpoint`` checks a remote dataset with them."""
    from graph.query.sparql import execute

    counts = {}
    for query in queries:
        outcome = execute(store, query.text)
        if outcome.form == "ASK":
            counts[query.name] = int(bool(outcome.boolean))
        else:
            counts[query.name] = len(outcome.rows if outcome.form == "SELECT" else outcome.triples)
    return counts
