"""Registered terms: codewords and reference numbers kept only as keyed hashes of their words.

The same tokenisation serves registration and matching, so `CD-2025/47`, `cd 2025 47` and
`CĐ–2025/47` are one term: words are runs of letters and digits of the normalised text (look-alikes
folded, diacritics dropped), lower-cased and joined by one space before hashing.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from bot.guard.normalise import normalise

_WORD = re.compile(r"[^\W_]+")
MAX_TERM_WORDS = 12


def term_words(skeleton_text: str) -> list[tuple[str, int, int]]:
    """Each word of an already normalised text, lower-cased, with its skeleton offsets."""
    return [(m.group().lower(), m.start(), m.end()) for m in _WORD.finditer(skeleton_text)]


def term_key_text(term: str) -> str:
    """What is hashed for a term as the security officer types it."""
    return " ".join(word for word, _, _ in term_words(normalise(term).text))


def term_hmac(key: bytes, term: str) -> tuple[str, int]:
    """The keyed hash of a term and how many words it has; raises ValueError for an empty term."""
    text = term_key_text(term)
    if not text:
        raise ValueError("the term has no letters or digits")
    count = text.count(" ") + 1
    if count > MAX_TERM_WORDS:
        raise ValueError(f"a term may have at most {MAX_TERM_WORDS} words")
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest(), count


def content_hmac(key: bytes, text: str) -> str:
    """A keyed hash of content the guard blocked: the event log keeps this, never the content."""
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()
