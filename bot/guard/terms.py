"""Registered terms: codewords and reference numbers kept only as keyed hashes of their words.

The same tokenisation serves registration and matching, so `CD-2025/47`, `cd 2025 47` and
`CĐ–2025/47` are one term: words are runs of letters and digits of the normalised text (look-alikes
folded, diacritics dropped), lower-cased and joined by one space before hashing.

An HMAC per word n-gram of every message would cost milliseconds, so each term also keeps a short
keyed tag (BLAKE2b, 64 bits) of its first word: a message's words are tagged once each, cheaply,
and only where a tag matches is the n-gram's HMAC computed. Both are keyed; neither tells the term
to anyone without the key.

A term split by its own letters or digits (`C D 2025 47`, `CD 20 25 47`, `H o a S e n`) has other
words but the same letters: each term also keeps an HMAC of its letters run together (`compact`),
their count, and a keyed tag of its first letter. Any run of a message's words that starts with
that letter and runs together to the same letters is the term.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from bot.guard.normalise import normalise

_WORD = re.compile(r"[^\W_]+")
MAX_TERM_WORDS = 12
_TAG_PERSON = b"rc-guard-term"


@dataclass(frozen=True)
class TermDigest:
    hmac: str  # HMAC-SHA256 of the term's words joined by one space
    words: int
    first: str  # keyed tag of the first word, to find candidates fast
    compact: str  # HMAC-SHA256 of the term's letters and digits run together
    chars: int  # how many bytes its letters and digits take in UTF-8
    head: str  # keyed tag of the first letter or digit, to find split candidates fast


def word_tagger(key: bytes) -> hashlib.blake2b:
    """A keyed BLAKE2b to `.copy()` and feed one word: the tag of a word is its hex digest."""
    return hashlib.blake2b(key=key[:64], digest_size=8, person=_TAG_PERSON)


def word_tag(tagger: hashlib.blake2b, word: bytes) -> str:
    tag = tagger.copy()
    tag.update(word)
    return tag.hexdigest()


def term_words(skeleton_text: str) -> list[tuple[str, int, int]]:
    """Each word of an already normalised text, lower-cased, with its skeleton offsets."""
    return [(m.group().lower(), m.start(), m.end()) for m in _WORD.finditer(skeleton_text)]


_ASCII_SPLIT = bytes(c if chr(c).isalnum() else 0x20 for c in range(128)) + b" " * 128


def ascii_words(skeleton_text: str) -> list[bytes] | None:
    """The lower-cased words of an ASCII text, in order, split in C; None for any other text.

    A normalised text is nearly always ASCII, and splitting bytes is many times faster than a
    regular expression that builds a match per word; the words are the same as `term_words`'."""
    if not skeleton_text.isascii():
        return None
    return skeleton_text.lower().encode().translate(_ASCII_SPLIT).split()


def term_key_text(term: str) -> str:
    """What is hashed for a term as the security officer types it."""
    return " ".join(word for word, _, _ in term_words(normalise(term).text))


def term_digest(key: bytes, term: str) -> TermDigest:
    """The keyed hashes of a term as typed; raises ValueError for an empty or too long term."""
    text = term_key_text(term)
    if not text:
        raise ValueError("the term has no letters or digits")
    words = text.split(" ")
    if len(words) > MAX_TERM_WORDS:
        raise ValueError(f"a term may have at most {MAX_TERM_WORDS} words")
    joined = "".join(words)
    tagger = word_tagger(key)
    return TermDigest(hmac.new(key, text.encode(), hashlib.sha256).hexdigest(), len(words),
                      word_tag(tagger, words[0].encode()), hmac.new(key, joined.encode(), hashlib.sha256).hexdigest(),
                      len(joined.encode()), head_tag(tagger, joined[:1].encode()))


def head_tag(tagger: hashlib.blake2b, letter: bytes) -> str:
    """The keyed tag of a term's first letter, apart from word tags (a one-letter word's differs)."""
    return word_tag(tagger, b"\x00head:" + letter)


def content_hmac(key: bytes, text: str) -> str:
    """A keyed hash of content the guard blocked: the event log keeps this, never the content."""
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()
