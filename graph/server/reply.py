"""The value every part of the server answers with: :class:`Reply` (status, media type, body,
headers).

A worker builds it and sends it back over its socket, the HTTP layer writes it out; it holds
plain values only, so it pickles and no part of it knows how it travels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Reply", "PLAIN_TEXT"]

#: The media type of a plain-text answer (errors, mostly).
PLAIN_TEXT = "text/plain; charset=utf-8"


@dataclass
class Reply:
    """An HTTP answer built by a worker or the server: status, media type, body, headers."""

    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def text(cls, status: int, message: str, **headers: str) -> Reply:
        """A plain-text answer (errors, mostly): the message and a newline."""
        return cls(status, PLAIN_TEXT, (message.rstrip() + "\n").encode("utf-8"), dict(headers))
