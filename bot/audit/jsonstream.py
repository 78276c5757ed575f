"""Reading a transcript's JSON a piece at a time, with memory that does not grow with its size.

A transcript is one object whose large members (`events`, `messages`) are arrays of small
objects. `CanonicalReader` walks the top-level object key by key and the arrays element by
element, each element parsed by the standard library's C decoder from a buffer of a few hundred
kilobytes. It can also check, piece by piece, that the bytes are exactly the canonical form
(RFC 8785): keys in order, no blank, each value as `bot.domain.canonical` writes it — the whole is
canonical when every piece is. It can hash every byte it reads (for the signature) and remember
where an array starts, so that a second reader can walk it again beside the first.
"""

from __future__ import annotations

import codecs
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

from bot.domain.canonical import canonical_text

CHUNK = 1 << 18
LOOKAHEAD = 1 << 16
MAX_VALUE = 64 << 20  # a single value this large is refused rather than read into memory
_BLANK = " \t\r\n"


class StreamError(Exception):
    """The bytes are not the JSON expected; `offset` is where reading stopped."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(f"{message} near byte {offset}")
        self.offset = offset


class CanonicalReader:
    def __init__(self, path: Path, *, start: int = 0, hashing: bool = False, check_canonical: bool = False) -> None:
        self._handle: BinaryIO = path.open("rb")
        self._handle.seek(start)
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._json = json.JSONDecoder()
        self.buffer = ""
        self.pos = 0
        self.base = start  # byte offset of buffer[0]
        self.eof = False
        self.check_canonical = check_canonical
        self.noncanonical: str | None = None  # the first place where the form is not canonical
        self.sha512 = hashlib.sha512() if hashing else None
        self.sha256 = hashlib.sha256() if hashing else None

    def __enter__(self) -> CanonicalReader:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self._handle.close()

    # -- the buffer ---------------------------------------------------------------------------

    def offset(self) -> int:
        """The byte offset of the next character to read."""
        return self.base + len(self.buffer[:self.pos].encode("utf-8"))

    def _read(self) -> bool:
        if self.eof:
            return False
        data = self._handle.read(CHUNK)
        if self.sha512 is not None and self.sha256 is not None and data:
            self.sha512.update(data)
            self.sha256.update(data)
        try:
            text = self._decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            raise StreamError("not UTF-8", self.offset()) from exc
        if not data:
            self.eof = True
        if self.pos > CHUNK:  # drop what was read, keeping track of where the buffer starts
            self.base += len(self.buffer[:self.pos].encode("utf-8"))
            self.buffer = self.buffer[self.pos:]
            self.pos = 0
        self.buffer += text
        return bool(data)

    def _ensure(self, count: int) -> bool:
        """At least `count` characters ahead, unless the file ends first."""
        while len(self.buffer) - self.pos < count:
            if not self._read():
                return len(self.buffer) - self.pos >= count
        return True

    def drain(self) -> None:
        """Read (and hash) to the end; anything but blanks after the document is an error."""
        self._skip_blank()
        if self._ensure(1):
            raise StreamError("data after the end of the document", self.offset())
        while self._read():
            pass

    def hash_rest(self) -> None:
        """After an error: hash the bytes not yet read, so the signature can still be judged."""
        while data := self._handle.read(CHUNK):
            if self.sha512 is not None and self.sha256 is not None:
                self.sha512.update(data)
                self.sha256.update(data)
        self.eof = True

    def _skip_blank(self) -> None:
        while True:
            self._ensure(1)
            if self.pos < len(self.buffer) and self.buffer[self.pos] in _BLANK:
                self._note_noncanonical("a blank between tokens")
                while self.pos < len(self.buffer) and self.buffer[self.pos] in _BLANK:
                    self.pos += 1
                continue
            return

    def _note_noncanonical(self, what: str) -> None:
        if self.check_canonical and self.noncanonical is None:
            self.noncanonical = f"{what} at byte {self.offset()}"

    def peek(self) -> str:
        self._skip_blank()
        if not self._ensure(1):
            raise StreamError("the document ends too early (truncated?)", self.offset())
        return self.buffer[self.pos]

    def expect(self, char: str) -> None:
        found = self.peek()
        if found != char:
            raise StreamError(f"expected {char!r}, found {found!r}", self.offset())
        self.pos += 1

    # -- values -------------------------------------------------------------------------------

    def value(self) -> Any:
        """The next value, whole; checked for canonical form if asked."""
        self._skip_blank()
        want = LOOKAHEAD
        while True:
            self._ensure(want)
            try:
                value, end = self._json.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as exc:
                if self.eof or want > MAX_VALUE:
                    raise StreamError(f"not JSON: {exc.msg}", self.offset()) from exc
                want *= 2
                continue
            if end == len(self.buffer) and not self.eof:  # a number may go on in the next chunk
                want *= 2
                continue
            break
        if self.check_canonical and self.noncanonical is None:
            raw = self.buffer[self.pos:end]
            try:
                expected = canonical_text(value)
            except (ValueError, TypeError):
                expected = None
            if expected != raw:
                self._note_noncanonical("a value not in canonical form")
        self.pos = end
        return value

    def members(self) -> Iterator[str]:
        """The keys of the object that starts here; the caller reads each key's value (with
        `value` or `items`) before asking for the next key."""
        self.expect("{")
        previous: str | None = None
        first = True
        while True:
            if self.peek() == "}":
                self.pos += 1
                return
            if not first:
                self.expect(",")
            first = False
            if self.peek() != '"':
                raise StreamError("expected a key", self.offset())
            key = self.value()
            if not isinstance(key, str):
                raise StreamError("expected a key", self.offset())
            if previous is not None and key.encode("utf-16-be") <= previous.encode("utf-16-be"):
                self._note_noncanonical(f"key {key!r} out of order or repeated")
            previous = key
            self.expect(":")
            yield key

    def items(self) -> Iterator[Any]:
        """The elements of the array that starts here, one at a time."""
        self.expect("[")
        if self.peek() == "]":
            self.pos += 1
            return
        while True:
            yield self.value()
            if self.peek() == "]":
                self.pos += 1
                return
            self.expect(",")

    def skip(self) -> None:
        """Pass over the next value (an array element by element)."""
        if self.peek() == "[":
            for _ in self.items():
                pass
        else:
            self.value()
