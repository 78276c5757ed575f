"""Fitting text into Telegram's limits without losing any of it.

Telegram measures a message in UTF-16 code units (an emoji counts two, a decomposed Vietnamese
letter one per mark), and refuses a text over 4,096 of them, a caption over 1,024, a pop-up answer
over 200. Cutting with `text[:4096]` can therefore still be refused, can split an emoji or a letter
from its diacritic, and loses the rest silently. Here a long text becomes parts that together hold
every character: cut at a paragraph, else a line, else a sentence, else a space — so a link, a
mention or a `#N` is never cut — and only for a single word longer than a part at a character
boundary. Entities (Telegram's `offset`/`length` spans, in UTF-16 units) are kept whole when they
fit in a part, and re-based onto the part that holds them.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
ALERT_LIMIT = 200  # answerCallbackQuery's text
TOPIC_NAME_LIMIT = 128
ELLIPSIS = "…"

Entity = Mapping[str, Any]
Header = Callable[[int, int], str]  # (part number from 1, number of parts) -> the part's first words


def length(text: str) -> int:
    """The length Telegram counts: UTF-16 code units."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def fits(text: str, limit: int = TEXT_LIMIT) -> bool:
    return length(text) <= limit


@dataclass(frozen=True)
class Chunk:
    text: str
    entities: tuple[dict[str, Any], ...] = field(default=())


# -- where a text may be cut -----------------------------------------------------------------------


def _joins_previous(char: str) -> bool:
    """True when `char` belongs with the character before it (a cut before it would split what
    the reader sees as one character)."""
    code = ord(char)
    return (unicodedata.combining(char) != 0 or unicodedata.category(char) in ("Mn", "Me", "Mc")
            or code == 0x200D or 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF
            or 0x1F3FB <= code <= 0x1F3FF or 0xE0020 <= code <= 0xE007F)


def _regional(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def _boundary(text: str, index: int) -> bool:
    """May the text be cut before text[index]?"""
    if index <= 0 or index >= len(text):
        return True
    if _joins_previous(text[index]) or ord(text[index - 1]) == 0x200D:
        return False
    if _regional(text[index]) and _regional(text[index - 1]):  # a flag is a pair of them
        run = 0
        back = index - 1
        while back >= 0 and _regional(text[back]):
            run += 1
            back -= 1
        return run % 2 == 0
    return True


_SENTENCE_ENDS = ".!?…;:"


def _rank(text: str, index: int) -> int:
    """How good a cut before text[index] is: 4 paragraph, 3 line, 2 sentence, 1 space, 0 none."""
    before = text[index - 1]
    if before == "\n":
        return 4 if index >= 2 and text[index - 2] == "\n" else 3
    if before.isspace() and not text[index].isspace():
        return 2 if index >= 2 and text[index - 2] in _SENTENCE_ENDS else 1
    return 0


def _utf16_offsets(text: str) -> list[int]:
    """offsets[i] = UTF-16 length of text[:i], for every i from 0 to len(text)."""
    offsets = [0] * (len(text) + 1)
    for i, char in enumerate(text):
        offsets[i + 1] = offsets[i] + (2 if ord(char) > 0xFFFF else 1)
    return offsets


def _spans(entities: Sequence[Entity], offsets: list[int]) -> list[tuple[int, int]]:
    """Entities as code point index ranges."""
    by_unit = {unit: index for index, unit in enumerate(offsets)}
    spans = []
    for entity in entities:
        start_unit, size = int(entity["offset"]), int(entity["length"])
        start = by_unit.get(start_unit)
        end = by_unit.get(start_unit + size)
        if start is None or end is None or size <= 0:
            raise ValueError(f"entity {dict(entity)!r} does not lie on character boundaries of the text")
        spans.append((start, end))
    return spans


def _cut(text: str, start: int, limit_index: int, spans: list[tuple[int, int]], budget: int) -> int:
    """The best cut in (start, limit_index]: the latest of the best kind that leaves a part at least
    half full, never inside an entity that could fit a part of its own nor inside a character."""
    def allowed(index: int) -> bool:
        if not _boundary(text, index):
            return False
        return not any(s < index < e and (e - s) <= budget for s, e in spans)

    if limit_index >= len(text):
        return len(text)
    half = start + max(1, (limit_index - start) // 2)
    best: dict[int, int] = {}
    for index in range(limit_index, start, -1):
        rank = _rank(text, index)
        if rank and rank not in best and allowed(index):
            best[rank] = index
            if rank == 4 and index >= half:
                break
    for rank in (4, 3, 2):
        if rank in best and best[rank] >= half:
            return best[rank]
    if 1 in best:
        return best[1]
    for rank in (4, 3, 2):
        if rank in best:
            return best[rank]
    for index in range(limit_index, start, -1):  # one word longer than a part: a character boundary
        if allowed(index):
            return index
    for index in range(limit_index, start, -1):  # inside an entity too long for any part
        if _boundary(text, index):
            return index
    return limit_index  # a single "character" longer than a part: nothing else to do


def split(text: str, limit: int = TEXT_LIMIT, *, first_limit: int | None = None,
          entities: Sequence[Entity] = ()) -> list[Chunk]:
    """`text` in parts of at most `limit` UTF-16 units (the first at most `first_limit`), which
    joined give `text` back exactly; entities re-based onto the parts."""
    if limit < 2 or (first_limit is not None and first_limit < 2):
        raise ValueError("a part must hold at least one character")
    offsets = _utf16_offsets(text)
    spans = _spans(entities, offsets)
    cuts = [0]
    while offsets[-1] - offsets[cuts[-1]] > (first_limit if len(cuts) == 1 and first_limit else limit):
        start = cuts[-1]
        budget = first_limit if len(cuts) == 1 and first_limit else limit
        limit_index = start
        while limit_index < len(text) and offsets[limit_index + 1] - offsets[start] <= budget:
            limit_index += 1
        if limit_index == start:
            limit_index = start + 1
        cuts.append(_cut(text, start, limit_index, spans, min(limit, budget)))
    cuts.append(len(text))
    chunks = []
    for start, end in itertools.pairwise(cuts):
        chunks.append(Chunk(text[start:end], _rebased(entities, offsets[start], offsets[end])))
    return chunks


def _rebased(entities: Sequence[Entity], start: int, end: int) -> tuple[dict[str, Any], ...]:
    out = []
    for entity in entities:
        first, last = int(entity["offset"]), int(entity["offset"]) + int(entity["length"])
        lo, hi = max(first, start), min(last, end)
        if lo < hi:
            out.append({**entity, "offset": lo - start, "length": hi - lo})
    return tuple(out)


# -- parts that say they are parts -------------------------------------------------------------------


def numbered(index: int, count: int) -> str:
    """The plain mark of a part, the same in every language: `(2/3) `."""
    return f"({index}/{count}) "


def with_headers(text: str, header: Header = numbered, limit: int = TEXT_LIMIT, *,
                 first_limit: int | None = None, entities: Sequence[Entity] = (), force: bool = False) -> list[Chunk]:
    """`text` unchanged when it fits (unless `force`); otherwise parts, each starting with
    `header(i, n)`."""
    if not force and length(text) <= (first_limit or limit):
        return [Chunk(text, tuple(dict(e) for e in entities))]
    guess = 1 if force else 2
    for _ in range(8):
        reserve = max(length(header(i, guess)) for i in range(1, guess + 1))
        if reserve >= min(limit, first_limit or limit) - 1:
            raise ValueError("the part header leaves no room for the text")
        bodies = split(text, limit - reserve, first_limit=None if first_limit is None else first_limit - reserve,
                       entities=entities)
        if len(bodies) <= guess:
            break
        guess = len(bodies)
    count = len(bodies)
    chunks = []
    for index, body in enumerate(bodies, start=1):
        head = header(index, count)
        shift = length(head)
        chunks.append(Chunk(head + body.text, tuple({**e, "offset": e["offset"] + shift} for e in body.entities)))
    if any(not fits(c.text, first_limit if i == 0 and first_limit else limit) for i, c in enumerate(chunks)):
        raise ValueError("the parts did not settle within their limit")
    return chunks


@dataclass(frozen=True)
class Block:
    """A piece of a longer text kept whole in one part when it can be; `heading`, when the block
    opens a part, is repeated first so the reader knows what it continues."""

    text: str
    heading: str | None = None


def pack(blocks: Sequence[Block], header: Header, limit: int = TEXT_LIMIT) -> list[str]:
    """Blocks joined by line breaks into parts of at most `limit` UTF-16 units, each part starting
    with `header(i, n)`; a block too long for a part of its own is split (nothing is dropped)."""
    guess = 1
    for _ in range(8):
        reserve = max(length(header(i, guess)) for i in range(1, guess + 1))
        parts = _fill(blocks, limit - reserve)
        if len(parts) <= guess:
            break
        guess = len(parts)
    count = len(parts)
    packed = [header(index, count) + body for index, body in enumerate(parts, start=1)]
    if any(not fits(part, limit) for part in packed):
        raise ValueError("the parts did not settle within their limit")
    return packed


def _fill(blocks: Sequence[Block], room: int) -> list[str]:
    if room < 8:
        raise ValueError("the part header leaves no room for the text")
    parts: list[str] = []
    current = ""
    for block in blocks:
        candidate = block.text if not current else f"{current}\n{block.text}"
        if fits(candidate, room):
            current = candidate
            continue
        text = block.text.lstrip("\n")  # a part opens with its header, not a blank line
        opening = text if not block.heading else f"{block.heading}\n{text}"
        if fits(opening, room):
            parts.append(current)
            current = opening
            continue
        # Longer than a part of its own: in pieces, each part it opens saying what it continues.
        rest = block.text if current else text
        free = room - length(current) - 1
        if current and free >= room // 4:
            piece = split(rest, room, first_limit=free)[0].text
            current, rest = f"{current}\n{piece}", rest[len(piece):]
        if current:
            parts.append(current)
        head = f"{block.heading}\n" if block.heading else ""
        while rest:
            piece = split(rest, room - length(head))[0].text
            current, rest = head + piece, rest[len(piece):]
            if rest:
                parts.append(current)
    if current:
        parts.append(current)
    return [part for part in parts if part]


# -- a short text where only one fits ----------------------------------------------------------------


def shorten(text: str, limit: int) -> str:
    """`text` if it fits; otherwise as much as fits up to a word, then "…". For the few places
    Telegram allows one short text only (a topic's name, a pop-up); the full text is always said
    elsewhere too."""
    if fits(text, limit):
        return text
    head = split(text, limit - 1)[0].text
    trimmed = head.rstrip()
    if " " in trimmed and length(trimmed) > limit // 2:
        cut = trimmed.rsplit(" ", 1)[0].rstrip()
        trimmed = cut if cut else trimmed
    return trimmed + ELLIPSIS
