"""Text out of the files people send: plain text, Markdown, CSV, HTML, PDF, DOCX and XLSX.

Anything that cannot be read is reported as unreadable, never as empty: the guard fails closed,
and the reason tells the sender what to do instead. Stamps usually sit where body text does not —
headers, footers, text boxes, annotations, sheet names — so those are read too. Table cells and
spreadsheet cells each also become a line of their own, so a cell holding only `MẬT` is a line
holding only a marking.
"""

from __future__ import annotations

import csv
import html
import io
import re
import zipfile
from dataclasses import dataclass

from bot.errors import ConsultError
from bot.guard import legacy
from bot.guard.flat import FlatError, flat_package
from bot.guard.limits import TooLargeError, check_archive
from bot.guard.markup import MarkupError, Part, email_reading, html_reading, is_svg, looks_like_email, svg_reading
from bot.guard.pdf_panels import ScriptError, panel_texts
from bot.guard.policy import ArchiveLimits
from bot.guard.tables import column_lines
from bot.guard.wraps import join_wrapped_lines

WRAPPED_EXTENSIONS = (".txt", ".text", ".md", ".markdown")
TEXT_EXTENSIONS = (".txt", ".text", ".md", ".markdown", ".csv", ".tsv", ".json", ".xml", ".html", ".htm", ".log",
                   ".yaml", ".yml")
MARKUP_EXTENSIONS = (".xml",)
HTML_EXTENSIONS = (".html", ".htm", ".xhtml")
EMAIL_EXTENSIONS = (".eml", ".mht", ".mhtml")
EMAIL_MIMES = ("message/rfc822", "multipart/related", "application/x-mimearchive", "message/x-mimearchive")
TABLE_EXTENSIONS = (".csv", ".tsv")
IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"II*\x00", b"MM\x00*")
ARCHIVE_MAGIC = (b"Rar!", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"\x28\xb5\x2f\xfd",
                 b"MSCF")
ARCHIVE_EXTENSIONS = (".zip", ".rar", ".7z", ".gz", ".tgz", ".bz2", ".xz", ".tar", ".zst", ".cab", ".iso")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .doc/.xls, and every password-protected DOCX/XLSX
DEFAULT_ARCHIVE_LIMITS = ArchiveLimits()

OFFICE_EXTENSIONS = (".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".epub", ".docm", ".xlsm", ".pptm")
ARCHIVE_REASON = "archives cannot be checked; send each document on its own"
UNKNOWN_REASON = "this kind of file cannot be checked; send it as PDF, DOCX, XLSX or plain text"


class UnreadableFileError(ConsultError):
    """The file could not be read; `detail` says why in words the sender can act on."""

    message_key = "error.guard.unreadable"


class FileTooLargeError(UnreadableFileError):
    """The file would unpack to more than the guard reads: refused as too large, not as damaged."""

    message_key = "guard.reason.file_too_large"


@dataclass(frozen=True)
class Extracted:
    kind: str  # text | pdf | docx | xlsx | image | html | svg | email
    text: str
    # Files inside the file that the guard judges as if sent on their own: an e-mail's attachments,
    # an HTML page's `data:` pictures, an SVG as drawn.
    parts: tuple[Part, ...] = ()


def extract(file_name: str, content: bytes, mime_type: str | None = None,
            limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS) -> Extracted:
    lower = file_name.lower()
    mime = (mime_type or "").lower()
    if content.startswith(b"%PDF") or lower.endswith(".pdf") or mime == "application/pdf":
        attached: list[tuple[str, bytes]] = []
        text = _pdf(content, limits, attached=attached)
        # Attachments are judged by the guard as files of their own (pictures read, documents with
        # their pictures), not only their text: bot/guard/engine.py, three levels deep at most.
        return Extracted("pdf", text, tuple(Part(name, data, None) for name, data in attached))
    if content.startswith(OLE_MAGIC):
        raise UnreadableFileError("the file is password-protected or in an old Office format; remove the "
                                  "password, save it as DOCX or XLSX and send it again")
    if content.startswith(b"PK\x03\x04") or content.startswith(b"PK\x05\x06") or lower.endswith(OFFICE_EXTENSIONS):
        return _office(content, limits)
    try:  # a Flat OPC, Word 2003 XML or flat OpenDocument file: read as the package it stands for
        package = flat_package(content)
    except FlatError as error:
        raise UnreadableFileError(str(error)) from error
    if package is not None:  # judged as that package, sent on its own (its pictures too)
        from bot.guard import office

        kind = office.kind_of(zipfile.ZipFile(io.BytesIO(package))) or "docx"
        return Extracted("flat", "", (Part(f"{file_name.rsplit('.', 1)[0]}.{kind}", package, None),))
    if content.startswith(ARCHIVE_MAGIC) or lower.endswith(ARCHIVE_EXTENSIONS) or _is_tar(content):
        raise UnreadableFileError(ARCHIVE_REASON)
    try:
        markup = _markup(lower, mime, content)
    except MarkupError as error:
        raise UnreadableFileError(error.detail) from error
    if markup is not None:
        return markup
    if content.startswith(IMAGE_MAGIC) or _is_webp(content) or _is_iso_media(content) or mime.startswith("image/"):
        return Extracted("image", "")
    if content.lstrip()[:5] == b"{\\rtf":
        from bot.guard.rtf import PictureFormatError, rtf_pictures, rtf_text

        try:  # pictures are judged as files of their own (read by OCR)
            pictures = tuple(Part(name, data, None) for name, data in rtf_pictures(content))
        except PictureFormatError as error:
            raise UnreadableFileError(str(error)) from error
        return Extracted("rtf", rtf_text(content), pictures)
    if lower.endswith(TEXT_EXTENSIONS) or mime.startswith("text/") or _looks_like_text(content):
        text = _decode(content)
        if lower.endswith(MARKUP_EXTENSIONS) or "html" in mime or "xml" in mime:
            text = text + "\n" + html.unescape(text)  # entities (&#7852;) must not hide a marking
        if lower.endswith(TABLE_EXTENSIONS) or mime in ("text/csv", "text/tab-separated-values"):
            text = text + "\n" + _table_cells(text, "\t" if lower.endswith(".tsv") else None)
        if lower.endswith(WRAPPED_EXTENSIONS):
            # Prose saved with hard wraps (an e-mail, a note; Markdown shows a single break as a
            # space): «bảo⏎mật.» is the word it was before the wrap, as in a PDF.
            text = join_wrapped_lines(text)
        return Extracted("text", text)
    raise UnreadableFileError(UNKNOWN_REASON)


def _markup(lower: str, mime: str, content: bytes) -> Extracted | None:
    """HTML, SVG and e-mail as their readers show them (bot/guard/markup.py), or None for other files."""
    if lower.endswith(EMAIL_EXTENSIONS) or mime in EMAIL_MIMES or looks_like_email(content):
        reading = email_reading(content)
        return Extracted("email", reading.text, tuple(reading.parts))
    if lower.endswith(".svg") or mime == "image/svg+xml" or is_svg(content):
        reading = svg_reading(content)
        return Extracted("svg", reading.text, tuple(reading.parts))
    head = content[:1024].lstrip().lower()
    if lower.endswith(HTML_EXTENSIONS) or "html" in mime or head.startswith((b"<!doctype html", b"<html")):
        reading = html_reading(content if not content.startswith((b"\xff\xfe", b"\xfe\xff")) else _decode(content))
        return Extracted("html", reading.text, tuple(reading.parts))
    return None


def _is_tar(content: bytes) -> bool:
    return len(content) > 262 and content[257:262] == b"ustar"


def _is_iso_media(content: bytes) -> bool:
    """HEIC, HEIF and AVIF photos (ISO base media files)."""
    return content[4:8] == b"ftyp" and content[8:12] in (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis",
                                                          b"mif1", b"msf1", b"avif", b"avis")


def _is_webp(content: bytes) -> bool:
    return content.startswith(b"RIFF") and content[8:12] == b"WEBP"


def _looks_like_text(content: bytes) -> bool:
    sample = content[:4096]
    if b"\x00" in sample and not sample.startswith((b"\xff\xfe", b"\xfe\xff")) and not _utf16_order(sample):
        return False
    try:
        _decode(sample[:-4] if len(sample) == 4096 else sample)  # a cut may split a character
    except UnreadableFileError:
        return False
    return True


def _utf16_order(sample: bytes) -> str | None:
    """UTF-16 without a byte-order mark, told by its NUL pattern: Vietnamese and ASCII text has a NUL
    as the high byte of most characters, always at the same parity."""
    if len(sample) < 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    order = "utf-16-le" if odd >= half * 0.3 and even == 0 else "utf-16-be" if even >= half * 0.3 and odd == 0 \
        else None
    if order is None:
        return None
    text = sample[:len(sample) // 2 * 2].decode(order, "replace")
    return order if all(c.isprintable() or c in "\t\r\n" for c in text[:-1]) else None  # text, not binary


def _decode(content: bytes) -> str:
    encoding = "utf-16" if content.startswith((b"\xff\xfe", b"\xfe\xff")) else \
        _utf16_order(content[:4096]) or "utf-8-sig"
    try:
        return content.decode(encoding)
    except UnicodeDecodeError:
        pass
    if b"\x00" not in content:  # Windows-1258 (Vietnamese ANSI): its tone marks are combining characters
        import unicodedata

        try:
            text = unicodedata.normalize("NFC", content.decode("cp1258"))
        except UnicodeDecodeError:
            text = ""
        if text and all(c.isprintable() or c in "\t\r\n\f" for c in text):  # text, not a binary file
            return text
    raise UnreadableFileError("the text is not valid UTF-8; save it as UTF-8 and send it again")


def _table_cells(text: str, delimiter: str | None) -> str:
    """Each cell of a CSV/TSV on its own line (a cell of only `MẬT` is a line of only a marking)."""
    try:
        dialect_delimiter = delimiter or csv.Sniffer().sniff(text[:4096], delimiters=",;\t|").delimiter
    except csv.Error:
        dialect_delimiter = ","
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=dialect_delimiter))
    except csv.Error:
        return ""
    # Each row as tab-separated cells too, so `Độ mật,B` reads as a field, as a spreadsheet row does.
    lines = [part for row in rows for part in ("\t".join(row), *row)]
    return "\n".join(lines + column_lines(rows))  # «Độ mật» heading a column, «A» below it


# -- PDF ------------------------------------------------------------------------------------------


MAX_ATTACHMENT_DEPTH = 3  # a PDF inside a PDF inside a PDF: deeper nesting is refused, not skipped
MAX_REVISIONS = 16  # earlier states of an incrementally updated PDF that are read; more is refused
ENCRYPTED_REASON = ("the PDF is encrypted (password-protected); it cannot be checked. "
                    "Remove the protection and send it again")


def _pdf(content: bytes, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS, depth: int = 0,
         attached: list[tuple[str, bytes]] | None = None) -> str:
    try:
        parts = _pdf_revision(content, limits, depth, attached=attached)
        # Any reader can show an earlier revision of an incrementally updated file (Acrobat's
        # "view signed version", or the file cut at its first %%EOF), so a stamp removed by a
        # later update still counts.
        for end in earlier_revisions(content):
            parts.extend(_earlier_revision(content[:end], limits, depth))
    except UnreadableFileError:
        raise
    except Exception as exc:  # pypdf raises many kinds for broken files; none may let a file through
        raise UnreadableFileError("the PDF is damaged or cannot be read; send it again or send its text") from exc
    # No text at all is no reason to refuse the file any more: its pages are then scans, which the
    # guard renders and reads by OCR (bot/guard/pictures.py). Metadata never counts as a text layer.
    return "\n".join(parts)


def _pdf_revision(content: bytes, limits: ArchiveLimits, depth: int, body_only: bool = False,
                  attached: list[tuple[str, bytes]] | None = None) -> list[str]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content), strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        # An empty user password (owner password only, as published government PDFs have) opens
        # in every reader, so it hides nothing; only a password the guard lacks makes it unreadable.
        raise UnreadableFileError(ENCRYPTED_REASON)
    parts: list[str] = []
    for page in reader.pages:
        text = join_wrapped_lines(page.extract_text() or "")  # a page's lines are its layout's
        parts.append(text)
        # A page set in a TCVN3/VNI font (a Word file in .VnTime printed to PDF) stores «TèI MËT»
        # and draws «TỐI MẬT»: its text is also read converted.
        parts.extend(legacy.convert(text, encoding) for encoding in _legacy_fonts(page))
        parts.extend(_replacement_texts(page))
        parts.extend(_annotations(page))
    if any(page.get("/Annots") for page in reader.pages):
        parts.extend(_appearances(content))
    if body_only:
        return parts
    parts.extend(_outline_titles(reader.outline))
    try:  # scripts' strings, page labels, XMP metadata, layer names: bot/guard/pdf_panels.py
        parts.extend(panel_texts(reader))
    except ScriptError as error:
        raise UnreadableFileError(str(error)) from error
    metadata = reader.metadata
    if metadata is not None:
        parts.extend(str(v) for v in (metadata.title, metadata.subject, metadata.get("/Keywords")) if v)
    fields = reader.get_fields() or {}
    # A field's value, its tooltip (shown on hover), a list's or combo box's options, and its default
    # value (what the form shows once reset: a reader's Reset Form, or a reset button).
    parts.extend(str(value) for field in fields.values() for key in ("/V", "/TU", "/Opt", "/DV")
                 if (value := field.get(key)))
    parts.extend(_rich_values(reader))
    parts.extend(_attachments(reader, limits, depth, attached))
    return parts


def _rich_values(reader: object) -> list[str]:
    """Text fields' rich values (`/RV`, XHTML): a reader that builds the field's appearance
    (`NeedAppearances`, or on the first click) shows them over the plain `/V`; pypdf's fields leave
    them out, so the form's field tree is walked for them (four levels of kids at most)."""
    form = reader.trailer["/Root"].get("/AcroForm")  # type: ignore[attr-defined]
    if form is None:
        return []
    texts: list[str] = []

    def walk(fields: object, depth: int) -> None:
        for reference in fields.get_object() if fields is not None and depth < 5 else []:  # type: ignore[attr-defined]
            field = reference.get_object()
            if not hasattr(field, "get"):
                continue
            if value := field.get("/RV"):
                texts.append(str(value.get_object()))
            walk(field.get("/Kids"), depth + 1)

    walk(form.get_object().get("/Fields"), 0)
    return texts


_REPLACEMENT = re.compile(rb"/(?:ActualText|Alt|E)\s*(\((?:[^()\\]|\\.)*\)|<[0-9A-Fa-f\s]*>)", re.DOTALL)


def _replacement_texts(page: object) -> list[str]:
    """Marked content's `/ActualText`, `/Alt` and `/E` strings: what copying, searching and screen
    readers give for the glyphs they cover (a harmless drawing can carry «TỐI MẬT» so)."""
    try:
        contents = page.get_contents()  # type: ignore[attr-defined]
        data = contents.get_data() if contents is not None else b""
    except Exception:  # a stream pypdf cannot decode was refused by the text reader already, or shows nothing
        return []
    if b"/ActualText" not in data and b"/Alt" not in data and b"/E" not in data:
        return []
    return [_pdf_string(found.group(1)) for found in _REPLACEMENT.finditer(data)]


def _pdf_string(token: bytes) -> str:
    if token.startswith(b"<"):
        raw = bytes.fromhex(re.sub(rb"\s", b"", token[1:-1]).decode("ascii").ljust(2, "0"))
    else:
        raw = re.sub(rb"\\([0-7]{1,3}|.)", lambda m: bytes([int(m.group(1), 8) & 0xFF]) if m.group(1)[:1].isdigit()
                     else {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(m.group(1), m.group(1)), token[1:-1],
                     flags=re.DOTALL)
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be", "replace")
    return raw.decode("latin-1")


def _legacy_fonts(page: object) -> set[str]:
    """The legacy encodings of the fonts a page uses, by their names (`ABCDEF+.VnTimeH`)."""
    resources = page.get("/Resources")  # type: ignore[attr-defined]
    fonts = resources.get_object().get("/Font") if resources is not None else None
    found = set()
    for reference in (fonts.get_object().values() if fonts is not None and hasattr(fonts, "get_object") else ()):
        font = reference.get_object()
        name = str(font.get("/BaseFont") or "").lstrip("/") if hasattr(font, "get") else ""
        encoding = legacy.font_encoding(name.split("+", 1)[-1].replace("#20", " "))
        if encoding:
            found.add(encoding)
    return found


def _earlier_revision(content: bytes, limits: ArchiveLimits, depth: int) -> list[str]:
    """An earlier revision's pages; one no reader can open (a linearized file's first section, a
    cut that is no PDF) shows nothing, so it neither blocks nor refuses the file."""
    try:
        return _pdf_revision(content, limits, depth, body_only=True)
    except Exception:  # pypdf raises many kinds for a cut that is no PDF
        return []


def earlier_revisions(content: bytes) -> list[int]:
    """Where each earlier revision ends: just after every %%EOF but the last."""
    ends = [match.end() for match in re.finditer(rb"%%EOF[ \t\r\n]*", content)]
    earlier = [end for end in ends if content[end:].strip()]
    if len(earlier) > MAX_REVISIONS:
        raise UnreadableFileError(f"the PDF has more than {MAX_REVISIONS} revisions; save it as a new PDF "
                                  "and send it again")
    return earlier


def _outline_titles(outline: object) -> list[str]:
    """Bookmarks: the reader's side panel shows them beside the pages."""
    titles: list[str] = []
    stack = [outline]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        else:
            title = getattr(item, "title", None)
            if title:
                titles.append(str(title))
    return titles


def _attachments(reader: object, limits: ArchiveLimits, depth: int,
                 attached: list[tuple[str, bytes]] | None = None) -> list[str]:
    """Embedded files (the name tree and FileAttachment annotations): their names, and each file
    handed to `attached` to be judged as a file of its own (pictures included); without `attached`,
    read here as the document it is (text only)."""
    files: list[tuple[str, bytes]] = []
    for name, contents in (reader.attachments or {}).items():  # type: ignore[attr-defined]
        files.extend((str(name), data) for data in contents)
    for page in reader.pages:  # type: ignore[attr-defined]
        for reference in page.get("/Annots") or []:
            annotation = reference.get_object()
            if annotation.get("/Subtype") != "/FileAttachment":
                continue
            spec = annotation.get("/FS")
            spec = spec.get_object() if spec is not None else {}
            embedded = spec.get("/EF")
            stream = embedded.get_object().get("/F") if embedded is not None else None
            if stream is not None:
                files.append((str(spec.get("/UF") or spec.get("/F") or "attachment"), stream.get_object().get_data()))
    if files and depth >= MAX_ATTACHMENT_DEPTH:
        raise UnreadableFileError("the PDF holds attachments nested too deeply; send each document on its own")
    if len(files) > limits.max_members:
        raise FileTooLargeError(f"the PDF has more than {limits.max_members} attachments: too large to check; "
                                "send each document on its own")
    parts: list[str] = []
    total = 0
    for name, data in files:
        total += len(data)
        if total > limits.max_total_bytes:
            raise FileTooLargeError("the PDF's attachments are too large to check; send each document on its own")
        parts.append(name)  # an attachment's name shows in the reader's panel
        if attached is not None:
            attached.append((name, data))
        elif data.startswith(b"%PDF"):
            parts.append(_pdf(data, limits, depth + 1))
        else:
            parts.append(extract(name, data, None, limits).text)
    return parts


def _appearances(content: bytes) -> list[str]:
    """The text annotations draw: a reader shows a form field's appearance, not its value, and a
    free-text or stamp annotation's appearance rather than its /Contents. Each page that has
    annotations is flattened (pdfium puts every normal appearance into the page, as printing does)
    and its text read again; a file pdfium cannot open is read without them (pypdf read the rest)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        document = pdfium.PdfDocument(content)
    except pdfium.PdfiumError:
        return []
    texts: list[str] = []
    try:
        for index in range(len(document)):
            page = document[index]
            flattened = pdfium_c.FPDFPage_GetAnnotCount(page.raw) > 0 and \
                pdfium_c.FPDFPage_Flatten(page.raw, pdfium_c.FLAT_NORMALDISPLAY) == pdfium_c.FLATTEN_SUCCESS
            page.close()
            if flattened:  # the flattened content is seen by a page loaded again
                page = document[index]
                texts.append(join_wrapped_lines(page.get_textpage().get_text_range()))
                page.close()
    finally:
        document.close()
    return texts


def _annotations(page: object) -> list[str]:
    """Stamp, free-text and note annotations: a scanned stamp is often added as one."""
    annotations = page.get("/Annots")  # type: ignore[attr-defined]
    if annotations is None:
        return []
    texts = []
    for reference in annotations.get_object():
        annotation = reference.get_object()
        for key in ("/Contents", "/T", "/Subj", "/RC", "/RV"):  # /RV: a text field's rich value
            value = annotation.get(key)
            if value:
                texts.append(str(value))
        characteristics = annotation.get("/MK")
        if characteristics is not None:  # a button's captions: a reader draws them when it makes the appearance
            characteristics = characteristics.get_object()
            texts.extend(str(value) for key in ("/CA", "/RC", "/AC") if (value := characteristics.get(key)))
        if annotation.get("/Subtype") == "/Stamp" and annotation.get("/Name"):
            # Without an appearance, a reader draws its own stamp for the name: /TopSecret shows
            # «TOP SECRET», /Confidential «CONFIDENTIAL».
            texts.append(re.sub(r"(?<=[a-z])(?=[A-Z])", " ", str(annotation["/Name"]).lstrip("/")).upper())
    return texts


# -- Office (DOCX, XLSX) ----------------------------------------------------------------------------


def _office(content: bytes, limits: ArchiveLimits) -> Extracted:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableFileError("the file is damaged (not a valid DOCX/XLSX); send it again") from exc
    if any(info.flag_bits & 0x1 for info in infos):
        raise UnreadableFileError("the file is encrypted; it cannot be checked. Remove the password and send it again")
    try:
        check_archive(infos, limits)
    except TooLargeError as exc:
        raise FileTooLargeError(f"{exc}: too large to check; send a smaller file or its text") from exc
    from bot.guard import office

    kind = office.kind_of(archive)
    if kind is None:
        raise UnreadableFileError(ARCHIVE_REASON if "[Content_Types].xml" not in archive.namelist() else UNKNOWN_REASON)
    files: list[Part] = []
    try:
        lines = office.read_package(content, files=files)  # every part, by what it holds, not by its name
    except office.OfficeError as exc:
        raise UnreadableFileError(str(exc)) from exc
    except Exception as exc:  # lxml and zipfile raise many kinds for broken files; none may let one through
        raise UnreadableFileError(f"the {kind.upper()} file is damaged or cannot be read; send it again") from exc
    if kind == "xlsx":
        from bot.guard.sheets import sheet_lines

        try:
            lines = sheet_lines(content) + lines
        except ValueError as exc:
            raise UnreadableFileError(str(exc)) from exc
    # Embedded documents, imports and SVG pictures are judged as files of their own (bot/guard/engine.py).
    return Extracted(kind, "\n".join(lines), tuple(files))
