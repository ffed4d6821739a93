"""How the gate reads a SPARQL query: its terminals as Oxigraph's grammar reads them, in one
left-to-right pass (linear time), and a second, independent look for ``SERVICE``.

:func:`lex` splits a query into tokens: IRIs (``<…>`` with ``\\u`` escapes, as Oxigraph reads
them), prefixed names with the full ``PN_CHARS`` ranges and local-name escapes (``ex:a\\#b`` is
one name, not a name and a comment), variables, strings (short and long, with their escapes),
numbers, language tags, blank nodes, comments (``#`` to a carriage return or a line feed) and
punctuation. ``<`` is an IRI where a term can stand and the less-than operator after an operand
inside an expression (``FILTER(?z<1)SERVICE…#>`` holds no IRI), as Oxigraph's parser decides.
Each terminal is matched by an anchored expression that cannot backtrack into what it matched
(possessive quantifiers, alternatives that start with distinct characters), so a hostile
query costs time in proportion to its length.

:func:`service_anywhere` does not trust that reading: it finds the word ``service`` followed by
what the keyword takes (``SILENT``, an IRI, a variable, a prefixed name), wherever it stands,
even inside what looks like a string or a comment, also in linear time. Oxigraph matches
keywords by their letters alone (``SERVICEex:a{}`` calls ``ex:a``), so this look has no left
word boundary; only ``:service``, ``-service``, ``?service`` and ``$service`` are certain to
be part of a name.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import NamedTuple

__all__ = ["Token", "lex", "service_anywhere", "codepoints", "MAX_NESTING", "NestingError"]

#: Brackets (``{``, ``(``, ``[``, ``<<``) a query may nest. Oxigraph's parser recurses on each
#: level: 5,000 levels overflow its stack (the process dies), and nested collections and
#: blank nodes take seconds to parse from about 100 levels; people write fewer than ten.
MAX_NESTING = 32

# The character classes of the SPARQL grammar, as Oxigraph 0.5 reads them (its PN_CHARS_BASE
# stops at U+FFFD: a character beyond is no name character there).
_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
)
#: What ``PN_CHARS`` adds beyond ASCII to ``PN_CHARS_U`` and the digits (``-`` is ASCII).
_EXTRA = "\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_ECHAR = r"\\[tbnrf\"'\\]"

_WS = re.compile(r"[ \t\r\n]++")
_COMMENT = re.compile(r"#[^\r\n]*+")
_IRI = re.compile(f'<(?:[^<>"{{}}|^`\\\\\\x00-\\x20]|{_UCHAR})*+>')
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*+")
_EXPONENT = r"[eE][+-]?+[0-9]++"
# Oxigraph tries DOUBLE, then DECIMAL, then INTEGER: ``1.`` is the integer 1 and a dot.
_NUMBER = re.compile(
    f"[0-9]++(?:\\.[0-9]*+{_EXPONENT}|\\.[0-9]++(?:{_EXPONENT})?+|{_EXPONENT})?+"
    f"|\\.[0-9]++(?:{_EXPONENT})?+"
)
_LANGTAG = re.compile(r"@[A-Za-z]++(?:-[A-Za-z0-9]++)*+")
_STRINGS = {
    '"""': re.compile(f'"""(?:(?:""|")?+(?:[^"\\\\]|{_ECHAR}|{_UCHAR}))*+"""'),
    "'''": re.compile(f"'''(?:(?:''|')?+(?:[^'\\\\]|{_ECHAR}|{_UCHAR}))*+'''"),
    '"': re.compile(f'"(?:[^"\\\\\\n\\r]|{_ECHAR}|{_UCHAR})*+"'),
    "'": re.compile(f"'(?:[^'\\\\\\n\\r]|{_ECHAR}|{_UCHAR})*+'"),
}
# A string that is never closed reads as one token to the end of its line (once, not once per
# quote): Oxigraph cannot parse such a query, and the look for SERVICE covers what it hides.
_UNCLOSED = re.compile(r"[\"'][^\r\n]*+")


class _Names:
    """The expressions of the terminals made of name characters (prefixed names, blank nodes,
    variables, and the runs of name characters :func:`lex` and :func:`service_anywhere` scan)
    for one repertoire of name characters, each compiled when first used.

    The full repertoire's classes span most of Unicode, and ``re`` builds such a class one code
    point at a time: some 50 ms for all of them, at the start of every process that answers a
    query. So a text that is all ASCII is read with :data:`_ASCII_NAMES`: the same expressions
    (the same structure, the same possessive quantifiers, so still linear) with each class cut
    to its ASCII members. No ASCII character is in one and not the other, so on such a text
    they match exactly what :data:`_NAMES` matches, and they compile in microseconds.
    """

    def __init__(self, base: str, extra: str):
        u = base + "_"
        chars = u + "\\-0-9" + extra
        #: The classes, by the grammar's names: ``PN_CHARS_BASE``, ``PN_CHARS_U``, ``PN_CHARS``
        #: and the characters of ``VARNAME`` after its first.
        self.classes = {"base": base, "u": u, "chars": chars, "varchars": u + "0-9" + extra}
        self._prefix = f"[{base}][{chars}]*+(?:\\.++[{chars}]++)*+"
        # Oxigraph's PN_LOCAL: one run of dots at most before the last part (``ex:a.b.c`` is
        # no name).
        self._local = (
            f"(?:[{u}:0-9]|{_PLX})(?:[{chars}:]|{_PLX})*+(?:\\.++(?:[{chars}:]|{_PLX})++)?+"
        )

    @cached_property
    def pname(self) -> re.Pattern[str]:
        return re.compile(f"(?:{self._prefix})?+:(?:{self._local})?+")

    @cached_property
    def bnode(self) -> re.Pattern[str]:
        chars = self.classes["chars"]
        return re.compile(f"_:[{self.classes['u']}0-9][{chars}]*+(?:\\.++[{chars}]++)*+")

    @cached_property
    def var(self) -> re.Pattern[str]:
        return re.compile(f"[?$][{self.classes['u']}0-9][{self.classes['varchars']}]*+")

    @cached_property
    def prefix_run(self) -> re.Pattern[str]:
        """A run of name characters as ``PN_PREFIX`` reads it."""
        return re.compile(self._prefix)

    @cached_property
    def name_start(self) -> re.Pattern[str]:
        return re.compile(f"[{self.classes['base']}]")

    @cached_property
    def name_run(self) -> re.Pattern[str]:
        return re.compile(f"[{self.classes['chars']}.]*+")


#: The name characters of the grammar, and their ASCII members, for a text that is all ASCII.
_NAMES = _Names(_BASE, _EXTRA)
_ASCII_NAMES = _Names("A-Za-z", "")


def _names_for(text: str) -> _Names:
    """The expressions to read ``text`` with: the ASCII ones when it is all ASCII."""
    return _ASCII_NAMES if text.isascii() else _NAMES


#: Characters that are always a token of their own (``(``, ``<``, ``?``… need a look around).
_PUNCTUATION = frozenset("{}[];,*/|^!=+&-\\")
#: Words after which ``(`` opens an expression (a function's arguments, a constraint).
_EXPRESSION_WORDS = frozenset(
    """FILTER BIND HAVING BY ASC DESC SELECT DISTINCT REDUCED IN STR LANG LANGMATCHES DATATYPE
    BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE LCASE ENCODE_FOR_URI
    CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS TIMEZONE
    TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI
    ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE COUNT SUM MIN MAX AVG SAMPLE
    GROUP_CONCAT TRIPLE SUBJECT PREDICATE OBJECT ISTRIPLE LANGDIR STRLANGDIR HASLANG HASLANGDIR
    ADJUST""".split()
)
#: Tokens after which an expression can continue with an operator (``<`` is then less-than).
_OPERAND_KINDS = frozenset({"var", "iri", "pname", "string", "number", "langtag"})


class Token(NamedTuple):
    """One terminal of the query: its kind, its text and where it starts."""

    kind: str
    text: str
    offset: int


class NestingError(ValueError):
    """A query nesting brackets deeper than :data:`MAX_NESTING`; ``offset`` is the opener."""

    def __init__(self, offset: int, limit: int):
        super().__init__(f"brackets nested deeper than {limit} levels")
        self.offset, self.limit = offset, limit


def lex(query: str, keep_comments: bool = False, max_nesting: int | None = None) -> list[Token]:
    """The tokens of ``query`` as Oxigraph reads them (comments left out unless asked).

    With ``max_nesting``, a :class:`NestingError` names the first bracket past that depth.

    >>> [t.text for t in lex("PREFIX ex: <http://e/> ASK { BIND(ex:a\\\\#b AS ?h) }")]
    ['PREFIX', 'ex:', '<http://e/>', 'ASK', '{', 'BIND', '(', 'ex:a\\\\#b', 'AS', '?h', ')', '}']
    >>> [t.kind for t in lex("ASK { FILTER(?z<1) ?s <p> ?o }")][3:7]
    ['other', 'var', 'other', 'number']
    """
    tokens: list[Token] = []
    stack: list[str] = []  # "{", "[", "(e" (an expression), "(p" (anything else), "<<"
    region = ""  # "select" between SELECT and WHERE, "modifier" after GROUP/ORDER/HAVING
    pos, end = 0, len(query)
    no_name_until = 0
    names = _names_for(query)
    while pos < end:
        char = query[pos]
        match = None
        kind = "other"
        if char in " \t\r\n":
            pos = _WS.match(query, pos).end()
            continue
        if char == "#":
            match = _COMMENT.match(query, pos)
            if keep_comments:
                tokens.append(Token("comment", match.group(), pos))
            pos = match.end()
            continue
        if char in _PUNCTUATION:
            token = Token("other", char, pos)
            pos += 1
            if char in "{[":
                stack.append(char)
                if max_nesting is not None and len(stack) > max_nesting:
                    raise NestingError(token.offset, max_nesting)
                if char == "{" and region == "select":
                    region = ""
            elif stack and char in "}]":
                stack.pop()
                if char == "}":
                    region = ""
            tokens.append(token)
            continue
        previous = tokens[-1] if tokens else None
        in_expression = bool(stack) and stack[-1] == "(e"
        if char == "<":
            after_operand = previous is not None and (
                previous.kind in _OPERAND_KINDS
                or previous.text == ")"
                or previous.text.upper() in {"TRUE", "FALSE"}
            )
            if not (in_expression and after_operand):
                match = _IRI.match(query, pos)
                kind = "iri"
            if match is None and query.startswith("<<", pos) and not in_expression:
                match, kind = _Fixed("<<", pos), "other"
        elif char in "\"'":
            quotes = query[pos : pos + 3]
            match = _STRINGS.get(quotes, _STRINGS[char]).match(query, pos)
            if match is None and quotes in _STRINGS:
                match = _STRINGS[char].match(query, pos)
            kind = "string"
            if match is None:
                match, kind = _UNCLOSED.match(query, pos), "unclosed"
        elif char in "?$":
            match, kind = names.var.match(query, pos), "var"
        elif char == "@":
            match, kind = _LANGTAG.match(query, pos), "langtag"
        elif char == "_" and query.startswith("_:", pos):
            match, kind = names.bnode.match(query, pos), "bnode"
        elif char.isdigit() or (char == "." and query[pos + 1 : pos + 2].isdigit()):
            match, kind = _NUMBER.match(query, pos), "number"
        elif char == ">" and query.startswith(">>", pos) and stack and stack[-1] == "<<":
            match, kind = _Fixed(">>", pos), "other"
        if match is None and kind not in {"string", "unclosed"}:
            # A run of name characters with no ':' after it is no prefixed name from any of
            # its characters either: scan it once (``x.x.x.…`` stays linear).
            match = names.pname.match(query, pos) if pos >= no_name_until else None
            kind = "pname"
            if match is None and pos >= no_name_until and names.name_start.match(query, pos):
                no_name_until = names.prefix_run.match(query, pos).end()
            if match is None:
                match, kind = _WORD.match(query, pos), "word"
            if match is None:
                match, kind = _Fixed(char, pos), "other"
        token = Token(kind, match.group(), pos)
        pos = match.end()
        word = token.text.upper() if kind == "word" else ""
        if word == "SELECT":
            region = "select"
        elif word in {"WHERE", "FROM"} or token.text == "{":
            region = "" if region == "select" else region
        elif word in {"GROUP", "ORDER", "HAVING"}:
            region = "modifier"
        elif word in {"LIMIT", "OFFSET", "VALUES"}:
            region = ""
        opener = token.text if kind == "other" and token.text in {"{", "[", "(", "<<"} else ""
        if opener == "(":
            opener = "(e" if _opens_expression(tokens, in_expression, region) else "(p"
        if opener:
            stack.append(opener)
            if max_nesting is not None and len(stack) > max_nesting:
                raise NestingError(token.offset, max_nesting)
        elif kind == "other" and token.text in {"}", "]", ")", ">>"} and stack:
            stack.pop()
            if token.text == "}":
                region = ""
        if kind != "comment":
            tokens.append(token)
    return tokens


def _opens_expression(tokens: list[Token], in_expression: bool, region: str) -> bool:
    """Whether a ``(`` after ``tokens`` opens an expression rather than a collection, a
    ``VALUES`` row or a path group: what decides if a later ``<`` is less-than."""
    if in_expression or region:
        return True
    if not tokens:
        return False
    previous = tokens[-1]
    if previous.kind == "word" and previous.text.upper() in _EXPRESSION_WORDS:
        return True
    if previous.kind in {"iri", "pname"} and len(tokens) > 1:  # a function call
        before = tokens[-2]
        return before.kind == "word" and before.text.upper() in {"FILTER", "HAVING", "BY"}
    return False


class _Fixed:
    """A match of a fixed text (punctuation), shaped like :class:`re.Match` for :func:`lex`."""

    def __init__(self, text: str, pos: int):
        self._text, self._end = text, pos + len(text)

    def group(self) -> str:
        return self._text

    def end(self) -> int:
        return self._end


_SERVICE_WORD = re.compile(r"service", re.I)
_SILENT = re.compile(r"silent", re.I)


def _skips(text: str) -> list[int]:
    """For each offset, the next offset that is neither a blank nor in a comment begun at or
    after it (``#`` to a line end): Oxigraph's ``_`` rule, for every place at once."""
    n = len(text)
    skip = [n] * (n + 1)
    line_end = n
    for i in range(n - 1, -1, -1):
        char = text[i]
        if char in "\r\n":
            line_end = i
        if char in " \t\r\n":
            skip[i] = skip[i + 1]
        elif char == "#":
            skip[i] = skip[line_end]
        else:
            skip[i] = i
    return skip


def service_anywhere(text: str) -> int | None:
    """The offset of ``service`` followed by what the ``SERVICE`` keyword takes, read as
    Oxigraph's parser could read it wherever it stands (even in a string or a comment), or
    ``None``. Linear in the length of ``text``.

    >>> service_anywhere("ASK { SERVICE a\u00b7b:x {} }")
    6
    >>> service_anywhere("ASK { ?s ex:service ?o }") is None
    True
    """
    skip: list[int] | None = None
    names = _names_for(text)
    for found in _SERVICE_WORD.finditer(text):
        start = found.start()
        if start and text[start - 1] in ":-?$":
            continue
        skip = skip or _skips(text)
        at = skip[found.end()]
        silent = _SILENT.match(text, at)
        if silent:
            at = skip[silent.end()]
        if at >= len(text):
            continue
        if text[at] in "<?$:":
            return start
        if names.name_start.match(text, at):
            run = names.name_run.match(text, at).end()
            if run < len(text) and text[run] == ":":
                return start
    return None


_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def codepoints(text: str) -> str:
    """``text`` with SPARQL 1.1's ``\\uXXXX`` escapes read everywhere. Oxigraph reads them
    inside IRIs and strings only, but the look for SERVICE assumes the worst."""

    def char(match: re.Match) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match.group()

    return _CODEPOINT.sub(char, text)


def unescape_iri(text: str) -> str:
    """The IRI an IRI token names: its ``\\u`` escapes read (``<http\\u003A//x>`` is
    ``http://x`` to Oxigraph)."""
    return codepoints(text[1:-1])
