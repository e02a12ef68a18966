"""HTTP/1.1 chunked request bodies (RFC 9112 section 7.1), as Go's net/http sends them for govmomi."""

from __future__ import annotations

from typing import Protocol


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...

    def readline(self, size: int = -1, /) -> bytes: ...


MAX_LINE = 4096  # a chunk-size line with extensions, or one trailer line


class BadChunk(ValueError):
    """The chunked framing is broken (the message says where)."""


class BodyTooLarge(Exception):
    """The chunks add up to more than the limit."""


def _line(stream: Readable, what: str) -> bytes:
    line = stream.readline(MAX_LINE + 1)
    if not line.endswith(b"\n"):
        raise BadChunk(f"{what} is cut off or longer than {MAX_LINE} bytes")
    return line.rstrip(b"\r\n")


def read_chunked(stream: Readable, limit: int) -> bytes:
    """Read one chunked body (trailers skipped); BodyTooLarge past `limit` bytes, BadChunk when broken.

    An oversize body is not read to its end: the caller answers and closes the connection.
    """
    parts: list[bytes] = []
    total = 0
    while True:
        size_text = _line(stream, "a chunk size line").split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise BadChunk(f"the chunk size {size_text[:20]!r} is not hexadecimal") from None
        if size < 0:
            raise BadChunk("a chunk size is negative")
        if size == 0:
            break
        total += size
        if total > limit:
            raise BodyTooLarge
        data = stream.read(size)
        if len(data) != size:
            raise BadChunk("a chunk is shorter than its size says")
        parts.append(data)
        if stream.read(2) != b"\r\n":
            raise BadChunk("a chunk does not end with CRLF")
    while _line(stream, "a trailer line"):
        pass  # trailers carry nothing the twin uses
    return b"".join(parts)
