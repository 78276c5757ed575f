"""HTML, SVG and e-mail (.eml, .mht) read as their readers show them, not as their bytes spell.

A browser or a mail client shows what the markup makes of the bytes: entities decoded, style
sheets applied (`text-transform: uppercase` turns «tối mật» into a stamp, `content: "…"` adds text
no element holds, a `<bdo dir="rtl">` shows «TẬM IỐT» as «TỐI MẬT»), base64 bodies decoded,
pictures in `data:` addresses drawn, attachments opened. Each is read here into the lines a reader
sees plus the files inside (pictures, attachments) that the guard judges as if sent on their own.
Hidden text (`display: none`, comments, scripts' strings) is read too: a marking hidden in a file is
still carried by it. Remote pictures are not fetched (mail clients do not show them unasked either).
"""

from __future__ import annotations

import base64
import binascii
import email
import email.policy
import quopri
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote_to_bytes

import cssselect2
import tinycss2
from lxml import etree
from lxml import html as lxml_html

from bot.errors import ConsultError
from bot.guard import legacy
from bot.guard.tables import column_lines

MAX_PARTS = 64  # files inside one markup file (pictures, attachments); more is refused, not skipped
BLOCKS = {"p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "section",
          "article", "header", "footer", "blockquote", "pre", "title", "hr", "dd", "dt", "figcaption", "caption",
          "address", "center", "form", "fieldset", "legend", "option", "textarea", "summary", "details", "main",
          "nav", "aside", "body", "tbody", "thead", "tfoot"}
CELLS = {"td", "th"}
SHOWN_ATTRIBUTES = ("alt", "title", "value", "placeholder", "aria-label", "label", "summary", "abbr")
DATA_ATTRIBUTES = ("src", "href", "srcset", "poster", "data", "background", "{http://www.w3.org/1999/xlink}href")
TEXT_SHAPING = ("text-transform", "font-variant", "font-variant-caps", "direction", "unicode-bidi", "content",
                "font-family", "font", "display", "visibility", "font-size", "opacity", "color",
                "font-feature-settings", "position", "left", "top", "order", "float", "flex-direction",
                *("grid-area", "grid-row", "grid-column", "grid-row-start", "grid-column-start", "transform",
                  "translate", "rotate", "scale", "margin", "margin-left", "margin-right", "margin-top",
                  "margin-bottom", "right", "bottom", "inset"))
# Placing that moves an element's text where a reading without a layout engine cannot follow:
# grid placement, transforms, negative margins, relative offsets, right/bottom offsets.
GRID_PLACING = ("grid-area", "grid-row", "grid-column", "grid-row-start", "grid-column-start")
TRANSFORMING = ("transform", "translate", "rotate", "scale")
MARGINS = ("margin", "margin-left", "margin-right", "margin-top", "margin-bottom")
OFFSETS = ("left", "top", "right", "bottom", "inset")
UNFOLLOWED = ("the page places its text with style sheets (grid areas, transforms, negative margins or offsets) "
              "in an order that cannot be checked without drawing it; save it as PDF and send it again")
ATTRIBUTE_MARK = "\x00"  # `content: attr(x)` is kept as \x00x\x00 until the element's attribute is known
SVG_TEXT = {"text", "tspan", "textPath", "title", "desc", "a"}
SVG_SHAPES = {"path", "polygon", "polyline", "rect", "circle", "ellipse", "line", "image", "use"}
RENDER_SIDE = 1600  # pixels: an SVG is drawn at this longest side before it is read
LINE_PX = 10  # SVG texts whose baselines are this close are on one line
EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp",
              "image/svg+xml": ".svg", "application/pdf": ".pdf", "text/html": ".html", "text/plain": ".txt"}
DATA_URL = re.compile(r"data:([\w.+/-]*)((?:;[\w-]+=[^;,]*)*)(;base64)?,([^\s\"')]*)", re.IGNORECASE)


class MarkupError(ConsultError):
    """The file cannot be shown as its reader would (broken markup, too many parts, no renderer)."""

    message_key = "error.guard.unreadable"


@dataclass(frozen=True)
class Part:
    """A file inside the file — a picture in a `data:` address, an attachment, an SVG drawn — judged
    by the guard as if it had been sent on its own."""

    name: str
    content: bytes
    mime: str | None


@dataclass
class Reading:
    lines: list[str] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(line for line in self.lines if line.strip())

    def add(self, other: Reading) -> None:
        self.lines.extend(other.lines)
        self.parts.extend(other.parts)
        if len(self.parts) > MAX_PARTS:
            raise MarkupError(f"the file holds more than {MAX_PARTS} pictures or attachments; send fewer")


# -- HTML -----------------------------------------------------------------------------------------


def html_reading(content: bytes | str, css: str = "") -> Reading:
    """The page as a browser shows it; `css`: style sheets it links that came with it (a web
    archive's parts), applied before its own."""
    if (isinstance(content, bytes) and not content.strip()) or (isinstance(content, str) and not content.strip()):
        return Reading()
    text = content if isinstance(content, str) else _decoded(content)
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)  # lxml takes no encoding declaration in a str
    try:
        root = lxml_html.document_fromstring(text)
    except (etree.ParserError, ValueError) as error:
        raise MarkupError("the HTML cannot be read; save it as PDF and send it again") from error
    reading = Reading()
    sheets = [element.text or "" for element in root.iter("style")]
    sheets = [css, *_linked_sheets(root, sheets), *sheets]  # linked style sheets a browser applies first
    reading.add(_css_strings(sheets, [element.get("style") or "" for element in root.iter()]))
    shaping = _shaping(root, sheets)
    shown = _shown_text(root, shaping)
    reading.lines.append(shown)
    moved: list[Any] = []
    visible = _shown_text(root, shaping, visible_only=True, moved=moved)
    if visible != shown:
        reading.lines.append(visible)
    if moved:  # moved by layout this reading does not follow: judged wherever the move may put them
        reading.lines.extend(_wherever_moved(root, shaping, moved, visible))
    if any(_mirrors(style) for style in shaping.values()):  # `scaleX(-1)`: «TẬM IỐT» drawn mirrored reads «TỐI MẬT»
        reading.lines.extend(_reversed(line) for line in visible.splitlines() if line.strip())
    if "\u202e" in shown or "\u202d" in shown:
        reading.lines.append(_bidi_controls_applied(shown))
    reading.lines.extend(_attributes(root))
    reading.lines.extend(_cells(root))
    for text in root.xpath("//comment()|//script|//noscript|//template"):
        reading.lines.append(text.text or "")
    reading.add(_data_parts(root))
    return reading


def _decoded(content: bytes) -> str:
    """The page's characters: its byte-order mark or declared charset, else UTF-8, else Windows-1258
    (Vietnamese pages of the 2000s), never Latin-1 guessed by the parser."""
    for mark, encoding in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if content.startswith(mark):
            return content.decode(encoding, "replace")
    declared = re.search(rb"charset\s*=\s*[\"']?([\w.:-]+)", content[:4096], re.IGNORECASE)
    if declared:
        try:
            return content.decode(declared.group(1).decode("ascii"), "replace")
        except LookupError:
            pass
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return unicodedata.normalize("NFC", content.decode("cp1258", "replace"))


def _shaping(root: Any, sheets: list[str]) -> dict[Any, dict[str, str]]:
    """Each element's text-shaping properties as the style sheets and its own `style` set them
    (later and more specific rules win, as in a browser), inherited from its parents."""
    matcher = cssselect2.Matcher()
    for sheet in sheets:
        for rule in _rules(tinycss2.parse_stylesheet(sheet, skip_whitespace=True, skip_comments=True)):
            try:
                selectors = cssselect2.compile_selector_list(rule.prelude)
            except cssselect2.SelectorError:
                continue
            declared = _declared(rule.content)
            if declared:
                for selector in selectors:
                    matcher.add_selector(selector, declared)
    computed: dict[Any, dict[str, str]] = {}
    wrapper = cssselect2.ElementWrapper.from_html_root(root)
    for element in wrapper.iter_subtree():
        parent = computed.get(element.parent.etree_element, {}) if element.parent is not None else {}
        own: dict[str, str] = {name: value for name, value in parent.items() if name != "content"}
        for _specificity, _order, pseudo, declared in sorted(matcher.match(element), key=lambda m: (m[0], m[1])):
            for name, value in declared.items():
                own[f"{pseudo}:{name}" if pseudo else name] = value
                if pseudo in ("first-line", "first-letter") and name != "content":
                    own[name] = value  # the first line's capitals are the element's, as far as a stamp goes
        own.update(_declared(element.etree_element.get("style") or ""))
        if element.etree_element.tag == "font" and element.etree_element.get("face"):
            own["font-family"] = element.etree_element.get("face") or ""
        if element.etree_element.tag == "bdo" and (element.etree_element.get("dir") or "").lower() == "rtl":
            own.update({"direction": "rtl", "unicode-bidi": "bidi-override"})
        computed[element.etree_element] = own
    return computed


def _linked_sheets(root: Any, sheets: list[str]) -> list[str]:
    """Style sheets in `data:` addresses — `<link rel="stylesheet" href="data:text/css,…">` and
    `@import url(data:…)` — which a browser applies like its own; remote ones are not fetched."""
    addresses = [element.get("href") or "" for element in root.iter("link")
                 if "stylesheet" in (element.get("rel") or "").lower()]
    addresses += re.findall(r"@import\s+(?:url\(\s*)?[\"']?(data:[^\"')]+)", "\n".join(sheets), re.IGNORECASE)
    linked = []
    for address in addresses:
        match = DATA_URL.match(address.strip())
        if match is None or not (match.group(1) or "").lower().startswith("text/css"):
            continue
        try:
            data = base64.b64decode(unquote_to_bytes(match.group(4))) if match.group(3) \
                else unquote_to_bytes(match.group(4))
        except (binascii.Error, ValueError):
            continue
        linked.append(data.decode("utf-8", "replace"))
    return linked


def _rules(rules: list[Any]) -> Iterator[Any]:
    for rule in rules:
        if rule.type == "qualified-rule":
            yield rule
        elif rule.type == "at-rule" and rule.content is not None:  # @media, @supports: their rules apply
            yield from _rules(tinycss2.parse_rule_list(rule.content, skip_whitespace=True, skip_comments=True))


def _declared(tokens: list[Any] | str) -> dict[str, str]:
    declared = {}
    for declaration in tinycss2.parse_declaration_list(tokens, skip_whitespace=True, skip_comments=True):
        if declaration.type == "declaration" and declaration.lower_name in TEXT_SHAPING:
            declared[declaration.lower_name] = _value(declaration.value) if declaration.lower_name == "content" \
                else str(tinycss2.serialize(declaration.value)).strip().lower()
    return declared


def _value(tokens: list[Any]) -> str:
    strings = [token.value if token.type == "string" else f"{ATTRIBUTE_MARK}{_attribute_name(token)}{ATTRIBUTE_MARK}"
               for token in tokens if token.type == "string" or _attribute_name(token)]
    if strings:
        return "".join(strings)
    return str(tinycss2.serialize(tokens)).strip().lower()


def _attribute_name(token: Any) -> str:
    """`attr(data-x)`: generated text taken from the element's attribute."""
    if token.type != "function" or token.lower_name != "attr":
        return ""
    return next((argument.value for argument in token.arguments if argument.type == "ident"), "")


def _shown_text(root: Any, shaping: dict[Any, dict[str, str]], visible_only: bool = False,
                moved: list[Any] | None = None, without: frozenset[Any] = frozenset()) -> str:
    """The page's text as shown; with `visible_only`, as laid out on screen: without what no one
    sees (`display: none`, `hidden`, zero size or opacity…) — a word cut by a hidden element is whole
    on screen — and with elements in the order they are drawn (flex `order` and reversed directions,
    absolute positions, right floats)."""
    out: list[str] = []

    def walk(element: Any) -> None:
        if not isinstance(element.tag, str):
            out.append("" if visible_only else element.tail or "")
            return
        tag = element.tag.lower()
        style = shaping.get(element, {})
        if visible_only and (_invisible(element, style) or element in without):
            parent_style = shaping.get(element.getparent(), {}) if element.getparent() is not None else {}
            out.append(_shaped(element.tail or "", parent_style))
            return
        if tag in ("script", "style", "head") and tag != "title":
            if tag == "head":
                for child in element:
                    if isinstance(child.tag, str) and child.tag.lower() == "title":
                        out.append("\n" + (child.text or "") + "\n")
            out.append(element.tail or "")
            return
        if tag in BLOCKS:
            out.append("\n")
        if tag in CELLS:
            out.append("\t")
        out.append(_generated(style, "before", element))
        out.append(_shaped(element.text or "", style))
        for child in (_laid_out(list(element), style, shaping, element.text or "", moved) if visible_only
                      else element):
            walk(child)
        out.append(_generated(style, "after", element))
        if tag in BLOCKS:
            out.append("\n")
        parent_style = shaping.get(element.getparent(), {}) if element.getparent() is not None else {}
        out.append(_shaped(element.tail or "", parent_style))

    walk(root)
    return re.sub(r"\n\s*\n+", "\n", "".join(out))


def _laid_out(children: list[Any], style: dict[str, str], shaping: dict[Any, dict[str, str]],
              lead: str = "", moved: list[Any] | None = None) -> list[Any]:
    """Children in the order a browser draws them, as far as it can be told without a layout: a
    reversed flex direction, flex `order`, absolutely placed siblings by their top and left offsets,
    runs of right floats reversed. Children moved by layout it does not follow go into `moved`."""
    if moved is not None:
        moved.extend(_unfollowed_moves(children, style, shaping, lead))
    if len(children) < 2:
        return children
    if "reverse" in style.get("flex-direction", ""):
        children = children[::-1]

    def number(child: Any, name: str) -> float:
        found = re.match(r"\s*(-?[0-9.]+)", shaping.get(child, {}).get(name, "") if isinstance(child.tag, str) else "")
        return float(found.group(1)) if found else 0.0

    if any(isinstance(child.tag, str) and "order" in shaping.get(child, {}) for child in children):
        children = sorted(children, key=lambda child: number(child, "order"))
    if any(isinstance(child.tag, str) and ("grid-column" in shaping.get(child, {}) or "grid-row" in
                                           shaping.get(child, {})) for child in children):
        # Grid lines by number (`grid-column: 3`, `grid-row: 1 / 2`): row by row, column by column.
        children = sorted(children, key=lambda child: (number(child, "grid-row"), number(child, "grid-column")))
    placed = [child for child in children if isinstance(child.tag, str)
              and shaping.get(child, {}).get("position") in ("absolute", "fixed")]
    if len(placed) > 1:
        order = iter(sorted(placed, key=lambda child: (number(child, "top"), number(child, "left"))))
        children = [next(order) if child in placed else child for child in children]
    floated = [isinstance(child.tag, str) and shaping.get(child, {}).get("float") == "right" for child in children]
    if sum(floated) > 1:  # consecutive right floats are drawn right to left
        out, run = [], []
        for child, right in zip(children, floated, strict=True):
            if right:
                run.append(child)
                continue
            out.extend(reversed(run))
            run = []
            out.append(child)
        children = out + list(reversed(run))
    return children


def _unfollowed_moves(children: list[Any], style: dict[str, str], shaping: dict[Any, dict[str, str]],
                      lead: str) -> list[Any]:
    """Siblings whose text a browser may draw in another order than the page stores it, by means
    this reading does not follow: «MẬT» placed in grid area b after «TỐI» in a, translated, pulled
    back by a negative margin or a relative offset (bot/guard/markup.py's `_wherever_moved`)."""
    texts = sum(1 for child in children if isinstance(child.tag, str) and "".join(child.itertext()).strip())
    texts += sum(1 for child in children if (child.tail or "").strip()) + bool(lead.strip())
    if texts < 2:
        return []
    return [child for child in children if isinstance(child.tag, str) and _moved(shaping.get(child, {}), style)
            and "".join(child.itertext()).strip()]


MAX_MOVED_PLACES = 4_000  # moved texts × the page's lines: beyond, the page is refused (save it as PDF)


def _wherever_moved(root: Any, shaping: dict[Any, dict[str, str]], moved: list[Any], visible: str) -> list[str]:
    """What a page may show once its moved texts are drawn where the layout puts them, which is not
    worked out here: the page without them (the gap they leave: «TỐI» {moved} «MẬT» reads «TỐI MẬT»),
    and each of them between every two lines of the page, on a line of its own and run in, and
    beside each other. An ordinary page (a centred banner, a drop capital, a table pulled to the
    margin) is judged so, not refused; a page with too many such places is refused."""
    texts = list(dict.fromkeys(" ".join("".join(element.itertext()).split()) for element in moved))
    if len(texts) * (visible.count("\n") + 2) > MAX_MOVED_PLACES:
        raise MarkupError(UNFOLLOWED)
    vacated = _shown_text(root, shaping, visible_only=True, without=frozenset(moved))
    lines = [line.strip() for line in vacated.splitlines() if line.strip()]  # placed among what stays
    found = [vacated]
    if 1 < len(texts) <= 12:  # together, in the order stored and the reverse
        found.extend((" ".join(texts), " ".join(reversed(texts)), "".join(texts), "".join(reversed(texts))))
    for text in texts:
        for before, after in zip(["", *lines], [*lines, ""], strict=True):
            found.append(f"{before}\n{text}\n{after}")
            found.append(f"{before} {text} {after}")
    found.extend(f"{first} {second}" for first in texts for second in texts if first != second)
    return found


def _moved(own: dict[str, str], parent: dict[str, str]) -> bool:
    def declared(name: str) -> str:
        value = own.get(name, "")
        return value if value and value != parent.get(name) else ""  # not merely inherited from the parent

    if any(declared(name) not in ("", "auto") for name in GRID_PLACING):
        return True
    # A shift smaller than a word moves no text past another (Word's e-mails pull tables back by
    # `margin-left: -5.4pt`, superscripts are raised by `top: -0.5em`): only a word's width counts.
    if any(_far(value) for name in ("transform", "translate") for value in re.findall(
            r"translate[xyz3d]*\(([^)]*)\)" if name == "transform" else r"(.+)", declared(name))):
        return True
    if any(_far(declared(name), negative_only=True) for name in MARGINS):
        return True
    position = own.get("position", "")
    if position == "relative" and any(_far(declared(name)) for name in OFFSETS):
        return True
    return position in ("absolute", "fixed") and any(declared(name) not in ("", "auto") for name in OFFSETS[2:])


# CSS lengths in pixels; a percentage or a unit not listed is taken as far.
PIXELS = {"px": 1.0, "pt": 4 / 3, "pc": 16.0, "em": 16.0, "rem": 16.0, "ex": 8.0, "ch": 8.0, "in": 96.0,
          "cm": 37.8, "mm": 3.78, "q": 0.945, "vw": 16.0, "vh": 16.0}
WORD_WIDTH_PX = 16.0


def _far(value: str, negative_only: bool = False) -> bool:
    """Whether any length in `value` moves text by a word's width or more (negative ones only)."""
    for sign, number, unit in re.findall(r"(-?)(\d*\.?\d+)([a-z%]*)", value.lower()):
        if negative_only and not sign:
            continue
        if float(number) * PIXELS.get(unit, WORD_WIDTH_PX if unit else 1.0) >= WORD_WIDTH_PX or unit == "%":
            return float(number) > 0
    return False


def _invisible(element: Any, style: dict[str, str]) -> bool:
    if element.get("hidden") is not None or style.get("display") == "none":
        return True
    if style.get("visibility") in ("hidden", "collapse") or style.get("color") == "transparent":
        return True
    return bool(re.fullmatch(r"0+(\.0*)?(px|pt|em|rem|%|)", style.get("font-size", "").strip())
                or re.fullmatch(r"0+(\.0*)?%?", style.get("opacity", "").strip()))


def _generated(style: dict[str, str], where: str, element: Any) -> str:
    value = style.get(f"{where}:content", "")
    if ATTRIBUTE_MARK in value:
        value = re.sub(f"{ATTRIBUTE_MARK}([^{ATTRIBUTE_MARK}]*){ATTRIBUTE_MARK}",
                       lambda found: element.get(found.group(1)) or "", value)
    return "" if value in ("", "none", "normal") else _shaped(value, style)


def _shaped(text: str, style: dict[str, str]) -> str:
    if not text:
        return text
    text = legacy.convert(text, _legacy_font(style))  # a TCVN3/VNI font draws its bytes as Vietnamese
    transform = style.get("text-transform", "")
    variant = " ".join((style.get("font-variant", ""), style.get("font-variant-caps", ""), style.get("font", ""),
                        "small-caps" if re.search(r"smcp|c2sc", style.get("font-feature-settings", "")) else ""))
    if transform == "uppercase" or "small-caps" in variant or "all-small-caps" in variant:
        text = text.upper()
    elif transform == "capitalize":
        text = " ".join(word[:1].upper() + word[1:] for word in text.split(" "))
    elif transform == "lowercase":
        text = text.lower()
    if style.get("direction") == "rtl" and style.get("unicode-bidi") in ("bidi-override", "isolate-override"):
        text = _reversed(text)
    return text


MIRRORING = re.compile(r"scalex\(\s*-|scale\(\s*-|rotatey\(\s*-?180deg|rotate\(\s*-?180deg|scale\(\s*[\d.]+\s*,\s*-|"
                       r"matrix\(\s*-")


def _mirrors(style: dict[str, str]) -> bool:
    """A transform that draws the element mirrored or upside down: its text reads right to left."""
    return bool(MIRRORING.search(" ".join((style.get("transform", ""), style.get("scale", ""),
                                           style.get("rotate", "")))))


def _reversed(text: str) -> str:
    """Letters shown right to left, each with its tone marks (the marks stay on their letter)."""
    clusters: list[str] = []
    for character in unicodedata.normalize("NFD", text):
        if clusters and unicodedata.combining(character):
            clusters[-1] += character
        else:
            clusters.append(character)
    return unicodedata.normalize("NFC", "".join(reversed(clusters)))


def _bidi_controls_applied(text: str) -> str:
    """A right-to-left override (U+202E … U+202C) shows its letters reversed: the view as shown."""
    return re.sub("\u202e([^\u202c\n]*)\u202c?", lambda m: _reversed(m.group(1)), text)


def _attributes(root: Any) -> list[str]:
    return [value for element in root.iter() if isinstance(element.tag, str)
            for name in SHOWN_ATTRIBUTES if (value := element.get(name))]


def _cells(root: Any) -> list[str]:
    """A table's rows with their cells side by side, and each cell alone: «Độ mật | A» is a field, and
    a cell of only «MẬT» is a line of only a marking, as in a DOCX table."""
    lines = []
    for table in root.iter("table"):
        rows = []
        for row in table.iter("tr"):
            cells = [" ".join(cell.text_content().split()) for cell in row if isinstance(cell.tag, str)
                     and cell.tag.lower() in CELLS]
            lines.append("\t".join(cells))
            lines.extend(cells)
            rows.append(cells)
        lines.extend(column_lines(rows))  # «Độ mật» heading a column, «A» below it
    return lines


def _css_strings(sheets: list[str], inline: list[str]) -> Reading:
    """Every string a style sheet holds (generated `content:` text, whatever its selector), decoded
    from CSS escapes (`\\1ED0` is Ố)."""
    reading = Reading()
    for css in [*sheets, *inline]:
        if not css.strip():
            continue
        for token in _tokens(tinycss2.parse_component_value_list(css, skip_comments=True)):
            if token.type == "string":
                reading.lines.append(token.value)
            elif token.type == "url" and token.value.lower().startswith("data:"):
                reading.add(_data_part(token.value))
            elif token.type == "function" and token.lower_name == "url":
                for argument in token.arguments:
                    if argument.type == "string" and argument.value.lower().startswith("data:"):
                        reading.add(_data_part(argument.value))
    return reading


def _tokens(tokens: list[Any]) -> Iterator[Any]:
    for token in tokens:
        yield token
        inner = getattr(token, "content", None) or (getattr(token, "arguments", None) if token.type != "function"
                                                      else None)
        if isinstance(inner, list):
            yield from _tokens(inner)


def _data_parts(root: Any) -> Reading:
    reading = Reading()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.get("srcdoc"):  # a frame shows the page its attribute holds
            reading.add(Reading(parts=[Part("frame.html", (element.get("srcdoc") or "").encode(), "text/html")]))
        for name in DATA_ATTRIBUTES:
            value = (element.get(name) or "").strip()
            for match in DATA_URL.finditer(value):
                reading.add(_data_part(match.group(0)))
    return reading


def _data_part(url: str) -> Reading:
    match = DATA_URL.match(url.strip())
    if match is None:
        return Reading()
    mime = (match.group(1) or "text/plain").lower()
    payload = match.group(4)
    try:
        content = base64.b64decode(unquote_to_bytes(payload), validate=False) if match.group(3) \
            else unquote_to_bytes(payload)
    except (binascii.Error, ValueError) as error:
        raise MarkupError("a picture inside the file cannot be decoded; send the picture on its own") from error
    return Reading(parts=[Part("embedded" + EXTENSIONS.get(mime, ".bin"), content, mime)])


# -- SVG -------------------------------------------------------------------------------------------


def is_svg(content: bytes) -> bool:
    head = content[:2048].lstrip().lower()
    return head.startswith(b"<svg") or ((head.startswith(b"<?xml") or head.startswith(b"<!doctype svg")) \
        and b"<svg" in head)


def svg_reading(content: bytes) -> Reading:
    """The text an SVG holds (each <text> whole, its letters' <tspan>s joined as drawn), its
    `data:` pictures, and the drawing itself as a picture: letters may be paths."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as error:
        raise MarkupError("the SVG cannot be read; send it as PNG or PDF") from error
    reading = Reading()
    shapes = False
    for element in root.iter():
        if not isinstance(element.tag, str):
            reading.lines.append(element.text or "")  # a comment
            continue
        local = etree.QName(element).localname
        if local in ("text", "title", "desc", "foreignObject"):  # a foreign object shows its HTML's text
            reading.lines.append("".join(element.itertext()))
            reading.lines.append(" ".join(" ".join(element.itertext()).split()))
        elif local == "style":
            reading.add(_css_strings([element.text or ""], []))
        if local in SVG_SHAPES:
            shapes = True
        if element.get("style"):
            reading.add(_css_strings([], [element.get("style") or ""]))
        for name in DATA_ATTRIBUTES:
            value = (element.get(name) or "").strip()
            for match in DATA_URL.finditer(value):
                reading.add(_data_part(match.group(0)))
    placed = sorted((round(_coordinate(element, "y") / LINE_PX), _coordinate(element, "x"),
                     " ".join(" ".join(element.itertext()).split()))
                    for element in root.iter("{http://www.w3.org/2000/svg}text", "text"))
    if len(placed) > 1:  # separate <text> elements read in the order they are drawn, top to bottom, left to right
        reading.lines.append(" ".join(text for _, _, text in placed))
    if re.search(rb"uppercase|small-caps", content, re.IGNORECASE):  # text-transform, font-variant
        reading.lines.extend([line.upper() for line in reading.lines])
    if shapes or reading.text:
        reading.add(Reading(parts=[Part("drawing.png", _drawn(content, _size(root)), "image/png")]))
    return reading


def _coordinate(element: Any, axis: str) -> float:
    found = re.match(r"\s*(-?[0-9.]+)", element.get(axis) or "")
    return float(found.group(1)) if found else 0.0


def _size(root: Any) -> tuple[int, int]:
    """The size to draw at: the drawing's own proportions, its longest side RENDER_SIDE pixels —
    never what it declares (`width="100000"` would ask cairo for gigabytes)."""
    def number(value: str | None) -> float | None:
        found = re.match(r"\s*([0-9.]+)\s*(px|pt|mm|cm|in)?\s*$", value or "")
        return float(found.group(1)) if found and float(found.group(1)) > 0 else None

    width, height = number(root.get("width")), number(root.get("height"))
    box = re.findall(r"[-0-9.]+", root.get("viewBox") or "")
    if (width is None or height is None) and len(box) == 4 and float(box[2]) > 0 and float(box[3]) > 0:
        width, height = float(box[2]), float(box[3])
    width, height = width or 800.0, height or 600.0
    scale = RENDER_SIDE / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _drawn(content: bytes, size: tuple[int, int]) -> bytes:
    try:
        import cairosvg
    except (ImportError, OSError) as error:  # no libcairo2: the drawing cannot be seen, so not judged
        raise MarkupError("SVG drawings cannot be checked here (Debian's libcairo2 is missing); send it as "
                          "PNG or PDF") from error
    try:  # unsafe=False: no entities, no files or addresses fetched, only `data:` pictures drawn
        png = cairosvg.svg2png(bytestring=content, unsafe=False, output_width=size[0], output_height=size[1])
        if png is None:
            raise MarkupError("the SVG draws nothing that can be checked")
        return bytes(png)
    except MarkupError:
        raise
    except Exception as error:
        raise MarkupError("the SVG cannot be drawn; send it as PNG or PDF") from error


# -- E-mail (.eml) and web archives (.mht) -------------------------------------------------------


HEADERS = ("subject", "from", "to", "cc", "reply-to", "sender", "comments", "keywords")


def looks_like_email(content: bytes) -> bool:
    head = content[:4096]
    return bool(re.match(rb"(?:(?:Return-Path|Received|From|To|Subject|Date|MIME-Version|Message-ID|"
                         rb"Content-Type|X-[\w-]+):[^\n]*\r?\n(?:[ \t][^\n]*\r?\n)*){2,}", head, re.IGNORECASE)) \
        and re.search(rb"^(?:MIME-Version|Content-Type|From|Subject):", head, re.IGNORECASE | re.MULTILINE) is not None


def email_reading(content: bytes) -> Reading:
    """Every header a mail client shows (sender's and recipients' display names, subject), every text
    and HTML body decoded, every attachment and related part as a file of its own, nested messages
    too."""
    message = email.message_from_bytes(content, policy=email.policy.default)
    if not isinstance(message, EmailMessage):
        raise MarkupError("the e-mail cannot be read; send its text instead")
    reading = Reading()
    _read_message(message, reading)
    return reading


def _read_message(part: Any, reading: Reading, css: str = "") -> None:
    for header in HEADERS:
        for value in part.get_all(header, []) or []:
            reading.lines.append(str(value))
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if part.get_content_type() == "message/rfc822" and encoding in ("base64", "quoted-printable"):
        # A forwarded message sent encoded (mail clients open it all the same): read as sent.
        inner = part.get_payload()
        raw = inner[0].as_bytes() if isinstance(inner, list) and inner else str(inner).encode()
        body = _body_after_headers(raw)
        data = base64.b64decode(body) if encoding == "base64" else quopri.decodestring(body)
        reading.lines.append(part.get_filename() or "")
        reading.add(Reading(parts=[Part(part.get_filename() or "forwarded.eml", data, "message/rfc822")]))
        return
    if part.is_multipart():  # multipart/*, and message/rfc822 holding its message (iter_parts skips those)
        payload = part.get_payload()
        children = payload if isinstance(payload, list) else []
        # A web archive's style sheets are parts of their own, applied to its pages as a browser does.
        sheets = css + "\n".join(_text_of(child) for child in children if child.get_content_type() == "text/css")
        for child in children:
            _read_message(child, reading, sheets)
        return
    reading.add(_email_part(part, css))


def _text_of(part: Any) -> str:
    try:
        body = part.get_content()
    except (LookupError, ValueError, AssertionError):
        body = part.get_payload(decode=True) or b""
    return body if isinstance(body, str) else body.decode("utf-8", "replace")


_UUENCODED = re.compile(r"^begin [0-7]{3,4} ([^\r\n]+)\r?\n(.*?)^end\s*$", re.MULTILINE | re.DOTALL)


def _uuencoded(body: str) -> Reading:
    """Files uuencoded in a text body (`begin 644 name` … `end`): mail clients show them as
    attachments."""
    reading = Reading()
    for found in _UUENCODED.finditer(body):
        data = bytearray()
        for line in found.group(2).splitlines():
            if not line.strip() or line.strip() == "`":
                continue
            try:
                data += binascii.a2b_uu(line)
            except binascii.Error as error:
                raise MarkupError("a file uuencoded in the e-mail cannot be decoded; send it as an attachment") \
                    from error
        reading.lines.append(found.group(1))
        reading.add(Reading(parts=[Part(found.group(1).strip(), bytes(data), None)]))
    return reading


def _body_after_headers(raw: bytes) -> bytes:
    """The encoded text the parser took for a message: everything, or after its blank line."""
    head, blank, rest = raw.partition(b"\n\n")
    return rest if blank and b":" in head.split(b"\n", 1)[0] and not head.strip().startswith(b"=") else raw


def _email_part(part: Any, css: str = "") -> Reading:
    kind = part.get_content_type()
    name = part.get_filename() or ""
    try:
        body = part.get_content()
    except (LookupError, ValueError, AssertionError):  # an unknown charset: the bytes as sent
        body = part.get_payload(decode=True) or b""
    reading = Reading(lines=[name]) if name else Reading()
    if kind == "text/html" and not name:
        reading.add(html_reading(body, css))
    elif kind.startswith("text/") and not name and isinstance(body, str):
        reading.lines.append(body)
        if "begin " in body:
            reading.add(_uuencoded(body))
    else:
        data = body if isinstance(body, bytes) else str(body).encode("utf-8")
        reading.add(Reading(parts=[Part(name or "attachment" + EXTENSIONS.get(kind, ".bin"), data, kind)]))
    return reading


def _legacy_font(style: dict[str, str]) -> str | None:
    """The legacy encoding of the first font a style names (`font-family`, the `font` shorthand's
    family, `<font face>`): a browser draws with it when it is installed, as on an office PC."""
    family = style.get("font-family", "")
    if not family and style.get("font"):  # the shorthand's family follows its size (`bold 12pt/1.2 …`)
        family = re.sub(r"^.*?\d[\w.%]*(?:/\S+)?\s+", "", style["font"])
    first = family.split(",")[0].strip().strip("'\"")
    return legacy.font_encoding(first)
