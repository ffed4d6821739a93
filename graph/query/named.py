"""The named (competency) queries: ``ontology/queries/NN-name.rq``, each opening with its question.

A query file starts with comment lines: the first states the question in words, the next ones
(optional) add notes. Users call a query by any unambiguous part of its name: ``08``, ``8``,
``08-learned-about``, ``learned-about`` or the file name.
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

    def as_dict(self) -> dict[str, str]:
        """What the query page needs: names, question, notes and text."""
        return {
            "name": self.name,
            "number": self.number,
            "slug": self.slug,
            "question": self.question,
            "notes": self.notes,
            "text": self.text,
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
    text = path.read_text(encoding="utf-8")
    comments = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            break
        comments.append(stripped.lstrip("#").strip())
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
    )


def list_queries(folder: Path | None = None) -> list[NamedQuery]:
    """Every ``*.rq`` file of ``folder`` (default: the shipped competency queries), by name."""
    if folder is None:
        from graph.resources import queries_dir

        folder = queries_dir()
    return [parse_query_file(p) for p in sorted(Path(folder).glob("*.rq"))]


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
        return expression, "-e"
    if source is None:
        raise CvekgError("no query given: NAME, FILE.rq, - (standard input) or -e 'QUERY'")
    if source == "-":
        import sys

        return (stdin or sys.stdin).read(), "<stdin>"
    path = Path(source)
    if path.is_file():
        try:
            return path.read_text(encoding="utf-8"), str(path)
        except UnicodeDecodeError as exc:
            raise CvekgError(f"{source}: not UTF-8 text ({exc.reason})") from None
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
