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

import html
import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

from bot.guard import legacy
from bot.guard.limits import TooLargeError, check_archive
from bot.guard.policy import ArchiveLimits

# An embedded package is held to the policy's defaults for a whole file (its own parts, ratios).
EMBEDDED_LIMITS = ArchiveLimits()
MAX_DEPTH = 3  # embedded documents inside embedded documents: deeper than this is refused
IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"II*\x00", b"MM\x00*")
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".svg", ".emf", ".wmf",
                    ".emz", ".wmz")

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
V = "{urn:schemas-microsoft-com:vml}"
TEXT_NS = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE_NS = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
XHTML = "{http://www.w3.org/1999/xhtml}"

PARAGRAPHS = {f"{W}p", f"{A}p", f"{S}si", f"{S}is", f"{S}text", f"{TEXT_NS}p", f"{TEXT_NS}h"}
TEXTS = {f"{W}t", f"{W}delText", f"{A}t", f"{S}t"}
ROWS = {f"{W}tr", f"{A}tr", f"{TABLE_NS}table-row"}
CELLS = {f"{W}tc", f"{A}tc", f"{TABLE_NS}table-cell"}
DC = "{http://purl.org/dc/elements/1.1/}"
# A chart's cached labels and values; the title, subject and keywords a file manager shows.
LINES = {f"{C}v", f"{DC}title", f"{DC}subject", "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}keywords"}
# Attributes that hold shown text: a VML watermark's `string`, a validation's prompt and error
# message, a sheet's name (chart sheets included), an ODF sheet's name.
ATTRIBUTES = ("string", "prompt", "promptTitle", "error", "errorTitle", f"{TABLE_NS}name")
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


def read_package(content: bytes, depth: int = 0) -> list[str]:
    """Every line of shown text in the package and in the documents embedded in it."""
    if depth > MAX_DEPTH:
        raise OfficeError("documents embedded more than three deep cannot be checked; send them separately")
    archive = zipfile.ZipFile(io.BytesIO(content))
    if depth:
        try:
            check_archive(archive.infolist(), EMBEDDED_LIMITS)
        except TooLargeError as exc:
            raise OfficeError(f"an embedded document is too large to check ({exc}); send it on its own") from exc
    encodings = _legacy_fonts(archive)
    lines: list[str] = []
    for info in archive.infolist():
        if info.is_dir() or info.flag_bits & 0x1:
            continue
        lines.extend(_part(info.filename, archive.read(info.filename), depth, encodings))
    return lines


def image_parts(archive: zipfile.ZipFile) -> Iterator[tuple[str, bytes]]:
    """Every picture in the package by its bytes or type, wherever it is stored."""
    for info in sorted(archive.infolist(), key=lambda i: i.filename):
        if info.is_dir() or info.flag_bits & 0x1:
            continue
        lower = info.filename.lower()
        data = archive.read(info.filename)
        if data.startswith(IMAGE_MAGIC) or lower.endswith(IMAGE_EXTENSIONS) \
                or (data.startswith(b"RIFF") and data[8:12] == b"WEBP"):
            yield info.filename, data


def _legacy_fonts(archive: zipfile.ZipFile) -> set[str]:
    """The legacy encodings any font declared in the package uses (styles, themes, defaults)."""
    found: set[str] = set()
    for name in archive.namelist():
        if name.lower().endswith(".xml") and ("style" in name.lower() or "theme" in name.lower()
                                              or "fontTable" in name):
            for font in re.findall(rb'(?:ascii|hAnsi|typeface|font-family|svg:font-family|name)="([^"]+)"',
                                   archive.read(name)):
                encoding = legacy.font_encoding(font.decode("utf-8", "replace").strip("'"))
                if encoding:
                    found.add(encoding)
    return found


def _part(name: str, data: bytes, depth: int, encodings: set[str]) -> list[str]:
    lower = name.lower()
    if data.startswith(b"PK\x03\x04"):  # an embedded DOCX/XLSX/PPTX (package, altChunk)
        return read_package(data, depth + 1)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise OfficeError("the document embeds an object in an old Office format that cannot be checked; "
                          "send the embedded document on its own")
    if data.lstrip()[:5] == b"{\\rtf":  # an altChunk in RTF
        from bot.guard.rtf import rtf_text

        return rtf_text(data).splitlines()
    if lower.endswith((".htm", ".html", ".xhtml", ".mht")) or data.lstrip()[:14].lower().startswith(
            (b"<!doctype html", b"<html")):
        return _html_lines(data)
    if lower.endswith((".xml", ".rels", ".vml", ".opf", ".ncx")) or data.lstrip()[:5] == b"<?xml":
        if lower.endswith(".rels") or lower == "[content_types].xml":
            return []
        root = _parse(data)
        if root is None:
            return []
        if root.tag.startswith(XHTML):
            return _html_lines(data)
        return _xml_lines(root, encodings)
    return []


def _parse(data: bytes) -> Any:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                             recover=True)
    try:
        return etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError:
        return None


def _html_lines(data: bytes) -> list[str]:
    import lxml.html

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", "replace")
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # lxml refuses a str that declares its encoding
    try:
        root = lxml.html.document_fromstring(text)
    except Exception:  # lxml raises several kinds on empty or broken markup
        return [html.unescape(text)]
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        local = element.tag.rsplit("}", 1)[-1].lower()
        if local in ("script", "style"):
            element.text = ""
        elif local in BLOCKS:  # a heading and the paragraph after it are two lines, as shown
            element.tail = "\n" + (element.tail or "")
    shown: str = root.text_content()
    return [line for line in shown.splitlines() if line.strip()]


def _xml_lines(root: Any, encodings: set[str]) -> list[str]:
    lines: list[str] = []
    for element in root.iter():
        tag = element.tag
        if not isinstance(tag, str):
            continue
        if tag in PARAGRAPHS:
            text = _paragraph(element, encodings)
            if text:
                lines.append(text)
                lines.extend(_legacy_copies(text, encodings))
        elif tag in ROWS:
            cells = [" ".join(_paragraph(p, encodings) for p in cell.iter() if p.tag in PARAGRAPHS)
                     for cell in element if cell.tag in CELLS]
            if len(cells) > 1:
                lines.append("\t".join(cells))  # «Độ mật» | «A» read as a field
                lines.append("".join(cell.strip() for cell in cells))  # «M» | «Ậ» | «T» read as a word
        elif tag in LINES and element.text:
            lines.append(element.text)
        elif tag == f"{W}rt":
            lines.append(_paragraph(element, encodings))  # ruby text on its own line as well
        for attribute in ATTRIBUTES:
            value = element.get(attribute)
            if value and (attribute != f"{TABLE_NS}name" or tag.endswith("}table")):
                lines.append(value)
        if tag == SHEET_NAME and element.get("name"):
            lines.append(element.get("name"))
    return lines


def _legacy_copies(text: str, encodings: set[str]) -> list[str]:
    """A paragraph whose font comes from a style: read as each legacy encoding the package uses."""
    copies = []
    for encoding in sorted(encodings):
        converted = legacy.convert(text, encoding)
        if converted != text:
            copies.append(converted)
    return copies


def _paragraph(paragraph: Any, encodings: set[str]) -> str:
    parts: list[str] = []
    _runs(paragraph, parts, None, False, top=True)
    return "".join(parts).strip()


def _runs(element: Any, sink: list[str], encoding: str | None, capitals: bool, top: bool = False) -> None:
    tag = element.tag
    if not isinstance(tag, str):
        return
    if not top and tag in PARAGRAPHS:
        return  # a nested paragraph (text box) is a line of its own
    if tag in (f"{W}r", f"{A}r", f"{A}fld"):
        encoding, capitals = _run_style(element)
    if tag.startswith(TEXT_NS):  # OpenDocument: mixed content
        if element.text:
            sink.append(element.text)
        if tag == f"{TEXT_NS}s":
            sink.append(" ")
        elif tag == f"{TEXT_NS}tab":
            sink.append("\t")
        for child in element:
            _runs(child, sink, encoding, capitals)
            if child.tail:
                sink.append(child.tail)
        return
    if tag in TEXTS:
        text = legacy.convert(element.text or "", encoding)
        sink.append(text.upper() if capitals else text)
        return
    if tag == f"{W}tab":
        sink.append("\t")
    elif tag in (f"{W}br", f"{W}cr", f"{A}br"):
        sink.append("\n")
    for child in element:
        _runs(child, sink, encoding, capitals)


def _run_style(run: Any) -> tuple[str | None, bool]:
    """The run's legacy encoding (by its font) and whether it is shown in capitals."""
    encoding = None
    capitals = False
    for prop in run:
        if prop.tag == f"{W}rPr":
            for child in prop:
                if child.tag == f"{W}rFonts":
                    font = child.get(f"{W}ascii") or child.get(f"{W}hAnsi") or child.get(f"{W}cs")
                    encoding = legacy.font_encoding(font) or encoding
                elif child.tag in (f"{W}caps", f"{W}smallCaps") \
                        and child.get(f"{W}val", "true") not in ("0", "false", "off"):
                    capitals = True
        elif prop.tag == f"{A}rPr":
            capitals = prop.get("cap") in ("all", "small")
            for child in prop:
                if child.tag in (f"{A}latin", f"{A}cs", f"{A}ea"):
                    encoding = legacy.font_encoding(child.get("typeface")) or encoding
    return encoding, capitals
