"""Office packages read as their applications show them: DOCX, XLSX, PPTX (Open XML), ODT/ODS/ODP
(OpenDocument) and EPUB.

A part is never chosen by its name: a header saved as `word/hdr1.xml`, a body behind a decoy
`document.xml`, a picture outside `media/` all pass a reader that trusts names. So every part of the
package is read, whatever it is called and whether or not a relationship reaches it (Word's repair
brings unreferenced parts back): XML parts for their visible text (paragraphs, runs, DrawingML text
boxes and shapes, chart titles and labels, SmartArt, VML watermarks, validation prompts, sheet
names), embedded packages and `altChunk` imports recursively, pictures by their bytes
(bot/guard/pictures.py). Runs are read as shown: `caps`/`smallCaps` in capitals, legacy TCVN3/VNI
fonts converted to Unicode (bot/guard/legacy.py). Hidden (`w:vanish`) runs are read too: one click
shows them and printing can include them, so hiding is no reason to pass a marking.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from bot.guard import legacy, slides
from bot.guard.limits import TooLargeError, check_archive
from bot.guard.markup import MarkupError, Part, html_reading
from bot.guard.office_styles import Look, inherited, on, paragraph_style, run_style, run_styles
from bot.guard.office_xml import DC, OFFICE_NS, TABLE_NS, TEXT_NS, XHTML, A, C, P, S, W, parse
from bot.guard.opendocument_cells import formula_candidates
from bot.guard.policy import ArchiveLimits
from bot.guard.sheets import header_footer_lines, opendocument_formula_texts
from bot.guard.tables import HEADING_ROWS, column_lines, may_hold_a_field
from bot.guard.word_fields import field_lines, paragraph_fields

# An embedded package is held to the policy's defaults for a whole file (its own parts, ratios).
EMBEDDED_LIMITS = ArchiveLimits()
MAX_DEPTH = 3  # embedded documents inside embedded documents: deeper than this is refused
IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"II*\x00", b"MM\x00*")
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".svg", ".emf", ".wmf",
                    ".emz", ".wmz")

# Namespaces whose text nodes are read by the paragraph walker below (or are formulas, field codes
# and cell values read elsewhere); the text of every other element is shown text or data a
# document binds into view (custom XML behind a content control, properties, labels, comments).
READ_NAMESPACES = (W, A, S, C, TEXT_NS, XHTML, "{http://schemas.openxmlformats.org/package/2006/content-types}",
                   "{http://schemas.openxmlformats.org/package/2006/relationships}",
                   "{urn:oasis:names:tc:opendocument:xmlns:config:1.0}",  # settings.xml: never shown
                   f"{OFFICE_NS}binary-data")

PARAGRAPHS = {f"{W}p", f"{A}p", f"{S}si", f"{S}is", f"{S}text", f"{TEXT_NS}p", f"{TEXT_NS}h"}
TEXTS = {f"{W}t", f"{W}delText", f"{A}t", f"{S}t"}
ROWS = {f"{W}tr", f"{A}tr", f"{TABLE_NS}table-row"}
CELLS = {f"{W}tc", f"{A}tc", f"{TABLE_NS}table-cell"}
TABLES = {f"{W}tbl", f"{A}tbl", f"{TABLE_NS}table"}
# A chart's cached labels and values; a cell comment's author (its box's first line); the title,
# subject and keywords a file manager shows.
LINES = {f"{C}v", f"{S}author", f"{DC}title", f"{DC}subject", "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}keywords"}
# Attributes that hold shown text: a VML watermark's `string`, a validation's prompt and error
# message, a sheet's name (chart sheets included), an ODF sheet's name.
ATTRIBUTES = ("string", "prompt", "promptTitle", "error", "errorTitle", f"{TABLE_NS}name",
              f"{TEXT_NS}string-value", f"{OFFICE_NS}string-value")
SHEET_NAME = f"{S}sheet"
BLOCKS = {"p", "div", "br", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "title", "section",
          "blockquote", "pre", "table", "dt", "dd"}


class OfficeError(Exception):
    """The package cannot be read; the message says why in words the sender can act on."""


def kind_of(archive: zipfile.ZipFile) -> str | None:
    """docx | xlsx | pptx | odt | ods | odp | epub, from what the package declares."""
    names = set(archive.namelist())
    if "mimetype" in names:
        mimetype = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
        for suffix, kind in (("text", "odt"), ("spreadsheet", "ods"), ("presentation", "odp"),
                             ("epub+zip", "epub")):
            if mimetype.endswith(suffix) or mimetype.endswith(suffix + "-template"):
                return kind
    if "[Content_Types].xml" in names:
        types = archive.read("[Content_Types].xml")
        for marker, kind in ((b"wordprocessingml", "docx"), (b"spreadsheetml", "xlsx"), (b"presentationml", "pptx"),
                             (b"ms-word.", "docx"), (b"ms-excel.", "xlsx"), (b"ms-powerpoint.", "pptx")):
            if marker in types:
                return kind
    return None


def read_package(content: bytes, depth: int = 0, files: list[Part] | None = None) -> list[str]:
    """Every line of shown text in the package and in the documents embedded in it. Into `files`
    go the files inside it that are judged as if sent on their own (bot/guard/engine.py): embedded
    packages (an embedded workbook is read as Excel shows it, its pictures too), PDFs, plain-text,
    web-archive and e-mail `altChunk` imports, SVG pictures (drawn and read)."""
    if depth > MAX_DEPTH:
        raise OfficeError("documents embedded more than three deep cannot be checked; send them separately")
    archive = zipfile.ZipFile(io.BytesIO(content))
    if depth:
        try:
            check_archive(archive.infolist(), EMBEDDED_LIMITS)
        except TooLargeError as exc:
            raise OfficeError(f"an embedded document is too large to check ({exc}); send it on its own") from exc
    context = _Context(_legacy_fonts(archive), _content_types(archive), _style_sheets(archive),
                       run_styles(archive), slides.master_capitals(archive))
    lines: list[str] = []
    for info in archive.infolist():
        if info.is_dir() or info.flag_bits & 0x1:
            continue
        lines.extend(_part(info.filename, archive.read(info.filename), depth, context,
                           files if depth == 0 else None))
    return lines


@dataclass
class _Context:
    """What every part of one package is read with: the legacy encodings its fonts use, the
    content type it declares for each part, the Word styles that make runs capitals or legacy text,
    and its CSS (an EPUB chapter is shown with its package's style sheets)."""

    encodings: set[str]
    types: dict[str, str]
    css: str
    styles: dict[str, tuple[bool | None, str | None, str | None]] = field(default_factory=dict)
    # Slide text shown in capitals by its master or layout: placeholder kind -> capitals.
    slide_capitals: dict[str, bool] = field(default_factory=dict)


def _content_types(archive: zipfile.ZipFile) -> dict[str, str]:
    """Each part's declared content type (`[Content_Types].xml`: overrides by name, defaults by
    extension), keyed by part name; the package's own way of saying what a part is."""
    try:
        root = parse(archive.read("[Content_Types].xml"))
    except KeyError:
        return {}
    if root is None:
        return {}
    defaults: dict[str, str] = {}
    overrides: dict[str, str] = {}
    for element in root:
        if not isinstance(element.tag, str):
            continue
        if element.tag.endswith("Default") and element.get("Extension"):
            defaults[element.get("Extension", "").lower()] = element.get("ContentType", "").lower()
        elif element.tag.endswith("Override") and element.get("PartName"):
            overrides[element.get("PartName", "").lstrip("/").lower()] = element.get("ContentType", "").lower()
    types: dict[str, str] = {}
    for name in archive.namelist():
        lower = name.lower()
        declared = overrides.get(lower) or defaults.get(lower.rsplit(".", 1)[-1] if "." in lower.rsplit("/", 1)[-1]
                                                        else "")
        if declared:
            types[lower] = declared
    return types


def _style_sheets(archive: zipfile.ZipFile) -> str:
    """The package's CSS files (an EPUB's), applied to every chapter shown."""
    return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
                     if name.lower().endswith(".css"))[:1_000_000]


def image_parts(archive: zipfile.ZipFile) -> Iterator[tuple[str, bytes]]:
    """Every picture in the package by its bytes, its declared content type or its name, wherever it
    is stored. A Windows metafile is named `.emf`/`.wmf` whatever the package calls it, so that it
    is refused as one (bot/guard/pictures.py)."""
    types = _content_types(archive)
    for info in sorted(archive.infolist(), key=lambda i: i.filename):
        if info.is_dir() or info.flag_bits & 0x1:
            continue
        lower = info.filename.lower()
        data = archive.read(info.filename)
        declared = types.get(lower, "")
        if _metafile(data) or declared in METAFILE_TYPES:
            yield info.filename + ".emf", data
        elif data.startswith(IMAGE_MAGIC) or lower.endswith(IMAGE_EXTENSIONS) or declared.startswith("image/") \
                or (data.startswith(b"RIFF") and data[8:12] == b"WEBP"):
            yield info.filename, data


METAFILE_TYPES = ("image/x-emf", "image/emf", "image/x-wmf", "image/wmf", "application/x-msmetafile")


def _metafile(data: bytes) -> bool:
    """An EMF (record 1, « EMF» at byte 40) or a WMF (placeable, or a memory or disk metafile)."""
    return (data[:4] == b"\x01\x00\x00\x00" and data[40:44] == b" EMF") or data.startswith(b"\xd7\xcd\xc6\x9a") \
        or data[:6] in (b"\x01\x00\x09\x00\x00\x03", b"\x02\x00\x09\x00\x00\x03")


def _legacy_fonts(archive: zipfile.ZipFile) -> set[str]:
    """The legacy encodings any font declared in the package uses (styles, themes, defaults)."""
    found: set[str] = set()
    for name in archive.namelist():  # styles, themes, font tables, slide masters and layouts…
        if name.lower().endswith(".xml"):
            for font in re.findall(rb'(?:ascii|hAnsi|typeface|font-family|svg:font-family|name)="([^"]+)"',
                                   archive.read(name)):
                encoding = legacy.font_encoding(font.decode("utf-8", "replace").strip("'"))
                if encoding:
                    found.add(encoding)
    return found


def _part(name: str, data: bytes, depth: int, context: _Context, files: list[Part] | None) -> list[str]:
    """A part read by what it is — its bytes, else its declared content type, else its name — never
    by its name alone: a header saved as `word/hdr.dat` is XML all the same."""
    lower = name.lower()
    declared = context.types.get(lower, "")
    base = posixpath.basename(name) or "part"
    if data.startswith(b"PK\x03\x04"):  # an embedded DOCX/XLSX/PPTX (package, altChunk)
        if files is not None:
            files.append(Part(base, data, None))
        return read_package(data, depth + 1)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise OfficeError("the document embeds an object in an old Office format that cannot be checked; "
                          "send the embedded document on its own")
    if data.lstrip()[:5] == b"{\\rtf":  # an altChunk in RTF
        from bot.guard.rtf import rtf_text

        return rtf_text(data).splitlines()
    kind = _kind_of_part(lower, data, declared)
    if kind == "file":  # a PDF, a plain-text or web-archive import, an SVG: judged as files of their own
        if files is not None:
            files.append(Part(base, data, declared or None))
        return []
    if kind == "html":
        return _html_lines(data, context, files)
    if kind == "xml":
        if lower.endswith(".rels") or lower == "[content_types].xml":
            return []
        root = parse(data)
        if root is None:
            return []
        if isinstance(root.tag, str) and root.tag.startswith(XHTML):
            return _html_lines(data, context, files)
        return _xml_lines(root, context)
    return []


FILE_TYPES = ("application/pdf", "text/plain", "message/rfc822", "multipart/related", "application/x-mimearchive",
              "message/x-mimearchive", "image/svg+xml")
FILE_EXTENSIONS = (".pdf", ".txt", ".mht", ".mhtml", ".eml", ".svg")
XML_EXTENSIONS = (".xml", ".rels", ".vml", ".opf", ".ncx")


def _kind_of_part(lower: str, data: bytes, declared: str) -> str | None:
    """file | html | xml | None (a font, printer settings, a picture: not text)."""
    head = data[:4096]
    if head.startswith(b"%PDF") or declared in FILE_TYPES or lower.endswith(FILE_EXTENSIONS) \
            or (declared.startswith("text/") and "html" not in declared and "xml" not in declared):
        return "file"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with a byte-order mark: XML or HTML
        text = head.decode("utf-16", "replace").lstrip("\ufeff \t\r\n")
        head = text.encode("utf-8", "replace")
    else:
        head = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    lowered = head[:64].lower()
    if "html" in declared or lower.endswith((".htm", ".html", ".xhtml")) \
            or lowered.startswith((b"<!doctype html", b"<html")):
        return "html"
    if "xml" in declared or lower.endswith(XML_EXTENSIONS) or re.match(rb"<[?!A-Za-z_]", head) is not None:
        return "xml"
    return None


def _html_lines(data: bytes, context: _Context, files: list[Part] | None) -> list[str]:
    """A chapter or an imported page as a browser shows it (bot/guard/markup.py), with the
    package's style sheets; its `data:` pictures are judged as files."""
    text = data.decode("utf-16") if data.startswith((b"\xff\xfe", b"\xfe\xff")) else \
        data.decode("utf-8", "replace")
    text = re.sub(r"^\ufeff?\s*<\?xml[^>]*\?>", "", text)
    if context.css:
        text = "<style>" + context.css.replace("</", "<\\/") + "</style>" + text
    try:
        reading = html_reading(text)
    except MarkupError as exc:
        raise OfficeError(exc.detail) from exc
    if files is not None:
        files.extend(reading.parts)
    return [line for line in reading.text.splitlines() if line.strip()]


def _xml_lines(root: Any, context: _Context) -> list[str]:
    lines: list[str] = []
    unbounded: set[str] = set()  # formulas whose texts could not be bounded: read by their parts
    if any(cell.get(f"{TABLE_NS}formula") for cell in root.iter(f"{TABLE_NS}table-cell")):
        candidates, unbounded = formula_candidates(root)  # what formulas show recalculated, from their cells
        lines.extend(candidates)
    encodings = context.encodings
    fields = next(root.iter(f"{W}fldChar", f"{W}fldSimple"), None) is not None  # a part without fields: no walk
    capitals = (slides.paragraphs_in_capitals(root, context.slide_capitals)
                if isinstance(root.tag, str) and root.tag.startswith(P) else set())  # a shape's own list style too
    for element in root.iter():
        tag = element.tag
        if not isinstance(tag, str):
            continue
        if tag in PARAGRAPHS:
            text, shown = _paragraph_views(element, context, element in capitals)
            if text:
                lines.append(text)
                lines.extend(_legacy_copies(text, encodings))
            if shown != text:  # without its hidden and deleted runs: «M» + hidden «zz» + «ẬT» shows MẬT
                lines.append(shown)
                lines.extend(_legacy_copies(shown, encodings))
            if tag == f"{W}p" and fields:  # what its fields show once updated (printing updates them)
                found, updated = paragraph_fields(element)
                lines.extend(line for one in found for line in field_lines(one.code))
                if updated is not None:
                    lines.append(updated)
        elif tag in ROWS:
            cells = _cells(element, context)
            if len(cells) > 1:
                lines.append("\t".join(cells))  # «Độ mật» | «A» read as a field
                lines.append("".join(cell.strip() for cell in cells))  # «M» | «Ậ» | «T» read as a word
        elif tag in TABLES:  # «Độ mật» heading a column, «A» below it
            rows = list(element.iter(*ROWS))
            if may_hold_a_field([_cells(row, context) for row in rows[:HEADING_ROWS]]):
                lines.extend(column_lines([_cells(row, context) for row in rows]))
        elif tag in LINES and element.text:
            lines.append(element.text)
        elif tag in HEADERS_FOOTERS and element.text:
            lines.extend(header_footer_lines(element.text))
        elif tag.endswith("}formula1") and "".join(element.itertext()).strip().startswith('"'):
            # A validation list written out (`"Thường,TỐI MẬT"`, in `xm:f` in Excel 2010's form): its
            # drop-down shows each option; read as one enumeration, as the list shows them together.
            options = "".join(element.itertext()).strip().strip('"').split(",")
            lines.append(", ".join(option.strip() for option in options))
        elif tag.endswith("}itemLst"):  # a form control's list or drop-down: its items, shown together
            lines.append(", ".join(item.get("val", "") for item in element if item.get("val")))
        elif tag == f"{S}definedName" and element.text:
            # A name a control's input range or a validation list may name: an array constant's
            # items are what its list shows (one enumeration, as above), a formula what it gives.
            value = element.text.strip()
            literals = [literal.replace('""', '"') for literal in re.findall(r'"((?:[^"]|"")*)"', value)]
            lines.extend([", ".join(literals)] if value.startswith("{") else opendocument_formula_texts(value))
        elif tag == f"{W}rt":
            lines.append(_paragraph(element, context))  # ruby text on its own line as well
        elif tag == f"{TEXT_NS}ruby-text":
            lines.append("".join(element.itertext()))
        elif not tag.startswith(READ_NAMESPACES):
            lines.extend(_foreign_text(element))
        if tag.startswith(W):  # Word's own attributes that show text: tooltips, form fields, control titles
            if (author := element.get(REVIEWER)) is not None:
                lines.extend((author, element.get(INITIALS) or ""))
            attribute = WORD_SHOWN.get(tag)
            value = element.get(attribute) if attribute else None
            if value:
                lines.append(value)
            continue
        if not element.attrib:
            continue
        for attribute in ATTRIBUTES:
            value = element.get(attribute)
            if value and (attribute != f"{TABLE_NS}name" or tag.endswith("}table")):
                lines.append(value)
        if (formula := element.get(f"{TABLE_NS}formula")) and (formula in unbounded or "*" in unbounded):
            lines.extend(opendocument_formula_texts(formula))  # what it only compares or counts is not shown
        if tag.startswith(TABLE_NS):
            lines.extend(_opendocument_shown(element, tag))
        if tag == SHEET_NAME and element.get("name"):
            lines.append(element.get("name"))
        lines.extend(_shown_attributes(element, tag))
    return lines


WORD_SHOWN = {f"{W}hyperlink": f"{W}tooltip", f"{W}helpText": f"{W}val", f"{W}statusText": f"{W}val",
              f"{W}listEntry": f"{W}val", f"{W}default": f"{W}val", f"{W}alias": f"{W}val",
              f"{W}listItem": f"{W}displayText", f"{W}docVar": f"{W}val",  # a DOCVARIABLE field shows it
              f"{W}dateFormat": f"{W}val"}  # a date control's format: its quoted literal shows once a date is picked
# Who commented or changed what: the comment balloon and the Reviewing pane show each author's name
# (a comment's initials too), on a comment, an insertion, a deletion or a formatting change.
REVIEWER, INITIALS = f"{W}author", f"{W}initials"
# Attributes shown by element (local name): a number format's code (a conditional format shows its
# literal), a pivot cache's items, a slide section's name (the thumbnail pane), a picture's alt text
# and title (Word's Alt Text pane, a tooltip), a defined name (the Name Box; underscores for spaces).
# Who wrote a comment (a slide's comment authors, a threaded comment's person, Word's people part)
# and a custom show's name (Slide Show > Custom Shows) are shown by name; a cell's hyperlink shows
# its display text and tooltip, a DrawingML link its tooltip.
SHOWN_BY_ELEMENT = {"numFmt": ("formatCode",), "section": ("name",), "docPr": ("descr", "title"),
                    "cNvPr": ("descr", "title"), "definedName": ("name",),
                    "page": ("{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}name",),  # a slide's name
                    "cmAuthor": ("name", "initials"), "author": ("name", "initials"),
                    "person": ("displayName", "{http://schemas.microsoft.com/office/word/2012/wordml}author"),
                    "custShow": ("name",), "hyperlink": ("display", "tooltip"), "hlinkClick": ("tooltip",),
                    "hlinkHover": ("tooltip",),
                    # A pivot table shows its captions, its fields' and items' own names (`n`: an item
                    # renamed in the grid), its cache's field names, captions (`c`) and calculated
                    # fields' texts, whatever the source cells say.
                    "pivotTableDefinition": ("name", "dataCaption", "rowHeaderCaption", "colHeaderCaption",
                                             "grandTotalCaption", "errorCaption", "missingCaption"),
                    "pivotField": ("name",), "dataField": ("name",), "pageField": ("name", "cap"),
                    "item": ("n",), "cacheField": ("name", "caption"), "cacheHierarchy": ("caption",),
                    "n": ("c",), "e": ("c",), "m": ("c",), "d": ("c",)}
SHOWN_BY_ELEMENT["s"] = ("v", "c")
FORMULA_ATTRIBUTES = {"cacheField": "formula", "calculatedItem": "formula"}  # what a calculated pivot field shows
# A sheet's header or footer as stored, with Excel's &-codes (`&B`, `&14`, `&"Arial,Bold"`, `&K…`).
HEADERS_FOOTERS = {f"{S}{name}" for name in ("oddHeader", "oddFooter", "evenHeader", "evenFooter", "firstHeader",
                                             "firstFooter")}


def _opendocument_shown(element: Any, tag: str) -> list[str]:
    """What a spreadsheet's validations and names show: a validation list's options (its drop-down,
    one enumeration as Excel's), a help or error message's title, a named range's or expression's
    name (the Name Box, underscores for spaces) and what a named expression gives."""
    local = tag[len(TABLE_NS):]
    if local == "content-validation":
        condition = element.get(f"{TABLE_NS}condition") or ""
        if "is-in-list(" in condition:
            return [", ".join(literal.replace('""', '"') for literal in re.findall(r'"((?:[^"]|"")*)"', condition))]
    elif local in ("help-message", "error-message"):
        return [title] if (title := element.get(f"{TABLE_NS}title")) else []
    elif local in ("named-range", "named-expression"):
        found = [name.replace("_", " ")] if (name := element.get(f"{TABLE_NS}name")) else []
        if expression := element.get(f"{TABLE_NS}expression"):
            found.extend(opendocument_formula_texts(expression))
        return found
    return []


def _shown_attributes(element: Any, tag: str) -> list[str]:
    local = tag.rsplit("}", 1)[-1]
    names = SHOWN_BY_ELEMENT.get(local)
    if names is None:
        return []
    values = [value for name in names if (value := element.get(name))]
    if local in FORMULA_ATTRIBUTES and (formula := element.get(FORMULA_ATTRIBUTES[local])) is not None:
        values.extend(opendocument_formula_texts(formula))
    if local == "definedName":
        return [value.replace("_", " ") for value in values if not value.startswith("_xlnm.")]
    return values


def _cells(row: Any, context: _Context) -> list[str]:
    return [" ".join(_paragraph(p, context) for p in cell.iter() if p.tag in PARAGRAPHS)
            for cell in row if cell.tag in CELLS]


def _foreign_text(element: Any) -> list[str]:
    """An element outside the office vocabularies: custom XML a content control shows, document
    properties, a number format's literal text, a TOC label, a legacy slide comment. Its own text is
    a line; mixed content (text beside child elements) is also read whole; the attributes of custom
    XML in no namespace too (`w:dataBinding w:xpath="/r/@m"` shows one)."""
    lines = [element.text] if element.text and element.text.strip() else []
    children = [child for child in element if isinstance(child.tag, str)]
    if children and (lines or any(child.tail and child.tail.strip() for child in children)):
        lines.append("".join(element.itertext()))
    if not element.tag.startswith("{"):  # custom XML of no vocabulary: a control may bind an attribute
        lines.extend(value for value in element.attrib.values() if value.strip())
    return lines


def _legacy_copies(text: str, encodings: set[str]) -> list[str]:
    """A paragraph whose font comes from a style: read as each legacy encoding the package uses."""
    copies = []
    for encoding in sorted(encodings):
        converted = legacy.convert(text, encoding)
        if converted != text:
            copies.append(converted)
    return copies


SYMBOL_FONTS = ("symbol", "wingdings", "webdings", "marlett", "mt extra")


def _paragraph(paragraph: Any, context: _Context, capitals: bool = False) -> str:
    return _paragraph_views(paragraph, context, capitals)[0]


HIDDEN_START, HIDDEN_END = "\x00", "\x01"  # around a hidden or deleted run's text while a paragraph is read
_HIDDEN = re.compile(f"{HIDDEN_START}[^{HIDDEN_END}]*{HIDDEN_END}")
HIDING = {f"{W}del", f"{W}moveFrom", f"{W}delText"}


def _paragraph_views(paragraph: Any, context: _Context, capitals: bool = False) -> tuple[str, str]:
    """The paragraph with its hidden (`w:vanish`) and deleted runs — one click shows them — and as
    shown without them."""
    parts: list[str] = []
    look = inherited(context.styles, paragraph_style(paragraph), (None, capitals))
    _runs(paragraph, parts, look, context, top=True)
    joined = "".join(parts)
    if HIDDEN_START not in joined:
        return joined.strip(), joined.strip()
    shown = _HIDDEN.sub("", joined)  # a hidden run inside a hidden run leaves an end mark behind
    return (joined.replace(HIDDEN_START, "").replace(HIDDEN_END, "").strip(),
            shown.replace(HIDDEN_START, "").replace(HIDDEN_END, "").strip())


def _runs(element: Any, sink: list[str], look: Look, context: _Context, top: bool = False,
          hidden: bool = False) -> None:
    tag = element.tag
    if not isinstance(tag, str):
        return
    if not top and tag in PARAGRAPHS:
        return  # a nested paragraph (text box) is a line of its own
    if tag in (f"{W}r", f"{A}r", f"{A}fld", f"{S}r"):
        look = run_style(element, look, context.styles)
        hidden = hidden or _vanished(element)
    hidden = hidden or tag in HIDING
    if hidden:
        start = len(sink)
        _runs_shown(element, sink, look, context, top)
        if len(sink) > start:
            sink[start] = HIDDEN_START + sink[start]
            sink[-1] = sink[-1] + HIDDEN_END
        return
    _runs_shown(element, sink, look, context, top)


def _vanished(run: Any) -> bool:
    return any(child.tag in (f"{W}vanish", f"{W}specVanish") and on(child)
               for prop in run if prop.tag == f"{W}rPr" for child in prop)


def _runs_shown(element: Any, sink: list[str], look: Look, context: _Context, top: bool) -> None:
    tag = element.tag
    if tag.startswith(TEXT_NS):  # OpenDocument: mixed content, spans styled by name
        name = element.get(f"{TEXT_NS}style-name")
        if name and not top:
            own = inherited(context.styles, f"o:{name}", (None, False))
            look = (own[0] or look[0], own[1] or look[1])
        if element.text:
            sink.append(_shown(element.text, look))
        if tag == f"{TEXT_NS}s":
            sink.append(" ")
        elif tag == f"{TEXT_NS}tab":
            sink.append("\t")
        elif tag == f"{TEXT_NS}line-break":
            sink.append("\n")
        for child in element:
            _runs(child, sink, look, context)
            if child.tail:
                sink.append(_shown(child.tail, look))
        return
    if tag in TEXTS:
        sink.append(_shown(element.text or "", look))
        return
    if tag == f"{W}sym":
        sink.append(_shown(_symbol(element), look))
    elif tag == f"{W}tab":
        sink.append("\t")
    elif tag in (f"{W}br", f"{W}cr", f"{A}br"):
        sink.append("\n")
    for child in element:
        _runs(child, sink, look, context)


def _shown(text: str, look: Look) -> str:
    encoding, capitals = look
    converted = legacy.convert(text, encoding)
    return converted.upper() if capitals else converted


def _symbol(element: Any) -> str:
    """A `w:sym` character: a letter from a text font («M», «Ậ») shows as that letter; symbol fonts'
    codes (Wingdings…) are pictures, not letters."""
    font = (element.get(f"{W}font") or "").lower()
    try:
        code = int(element.get(f"{W}char") or "", 16)
    except ValueError:
        return ""
    if font.startswith(SYMBOL_FONTS):
        return ""
    if 0xF000 <= code <= 0xF0FF:
        code -= 0xF000  # Word's private-use form of a font's one-byte code
    return chr(code) if 0 < code < 0x110000 else ""


