"""`parse_mode` as Telegram applies it: the markup removed from the text and returned as entities.

A bot that sends `<pre>…</pre>` with `parse_mode: HTML` gets back a message whose text has no tags
and whose `entities` say what is bold, code or a link (offsets in UTF-16 code units, as every
entity's). The sandbox's page then draws the entities; before, it showed the tags themselves.
Validation (unknown tags, unbalanced markup) stays in `validation.py`; this runs on valid markup.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

_SIMPLE = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
           "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "tg-spoiler": "spoiler",
           "code": "code", "pre": "pre", "blockquote": "blockquote"}


def units(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts offsets."""
    return len(text.encode("utf-16-le")) // 2


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.at = 0
        self.open: list[tuple[str, int, dict[str, Any]]] = []
        self.entities: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        extra: dict[str, Any] = {}
        kind = _SIMPLE.get(tag)
        if tag == "a" and values.get("href"):
            kind, extra = "text_link", {"url": values["href"]}
        elif tag == "span" and values.get("class") == "tg-spoiler":
            kind = "spoiler"
        elif tag == "blockquote" and "expandable" in values:
            kind = "expandable_blockquote"
        elif tag == "code" and self.open and self.open[-1][0] == "pre":
            language = (values.get("class") or "").removeprefix("language-")
            if language:  # `<pre><code class="language-x">`: the pre's language, no entity of its own
                self.open[-1][2]["language"] = language
            kind = None
        self.open.append((kind or "", self.at, extra))

    def handle_endtag(self, tag: str) -> None:
        if not self.open:
            return
        kind, start, extra = self.open.pop()
        if kind and self.at > start:
            self.entities.append({"type": kind, "offset": start, "length": self.at - start, **extra})

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        self.at += units(data)


def from_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    parser = _Html()
    parser.feed(text)
    parser.close()
    entities = sorted(parser.entities, key=lambda e: (e["offset"], -e["length"]))
    return "".join(parser.text), entities


_MD_TOKEN = re.compile(r"\\(.)|```(?:([\w+-]+)\n)?(.*?)```|`(.*?)`|\|\||__|\*|_|~|\[(.*?)\]\((.*?)\)", re.S)
_MD_KINDS = {"*": "bold", "_": "italic", "__": "underline", "~": "strikethrough", "||": "spoiler"}


def from_markdown_v2(text: str) -> tuple[str, list[dict[str, Any]]]:
    """MarkdownV2's marks (bold, italic, underline, strikethrough, spoiler, code, pre, links)."""
    out: list[str] = []
    at = 0
    open_marks: dict[str, int] = {}
    entities: list[dict[str, Any]] = []
    position = 0
    for token in _MD_TOKEN.finditer(text):
        plain = text[position:token.start()]
        out.append(plain)
        at += units(plain)
        position = token.end()
        whole = token.group(0)
        if token.group(1) is not None:  # an escaped character stands for itself
            out.append(token.group(1))
            at += units(token.group(1))
        elif whole.startswith("```"):
            body = token.group(3)
            entity: dict[str, Any] = {"type": "pre", "offset": at, "length": units(body)}
            if token.group(2):
                entity["language"] = token.group(2)
            entities.append(entity)
            out.append(body)
            at += units(body)
        elif token.group(4) is not None:
            body = token.group(4)
            entities.append({"type": "code", "offset": at, "length": units(body)})
            out.append(body)
            at += units(body)
        elif token.group(5) is not None:
            label = token.group(5)
            entities.append({"type": "text_link", "offset": at, "length": units(label), "url": token.group(6)})
            out.append(label)
            at += units(label)
        elif whole in open_marks:
            start = open_marks.pop(whole)
            if at > start:
                entities.append({"type": _MD_KINDS[whole], "offset": start, "length": at - start})
        else:
            open_marks[whole] = at
    out.append(text[position:])
    return "".join(out), sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def apply(text: str, parse_mode: Any) -> tuple[str, list[dict[str, Any]] | None]:
    """The text as shown and its entities; None when no parse_mode applies."""
    if parse_mode == "HTML":
        return from_html(text)
    if parse_mode == "MarkdownV2":
        return from_markdown_v2(text)
    return text, None
