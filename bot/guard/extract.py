"""Text out of the files people send: plain text, PDF, DOCX (headers and footers too) and XLSX.

Anything that cannot be read is reported as unreadable, never as empty: the guard fails closed.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from bot.errors import ConsultError

TEXT_EXTENSIONS = (".txt", ".md", ".markdown", ".csv", ".tsv", ".json", ".xml", ".html", ".htm", ".log", ".yaml",
                   ".yml", ".rtf")
IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"RIFF", b"BM", b"II*\x00", b"MM\x00*")


class UnreadableFileError(ConsultError):
    """The file could not be read; `detail` says why in words the sender can act on."""

    message_key = "error.guard.unreadable"


@dataclass(frozen=True)
class Extracted:
    kind: str  # text | pdf | docx | xlsx | image
    text: str


def extract(file_name: str, content: bytes, mime_type: str | None = None) -> Extracted:
    lower = file_name.lower()
    if content.startswith(b"%PDF") or lower.endswith(".pdf"):
        return Extracted("pdf", _pdf(content))
    if content.startswith(b"PK\x03\x04") or lower.endswith((".docx", ".xlsx", ".zip")):
        return _office(content, lower)
    if content.startswith(IMAGE_MAGIC) or (mime_type or "").startswith("image/"):
        return Extracted("image", "")
    if lower.endswith(TEXT_EXTENSIONS) or (mime_type or "").startswith("text/") or _looks_like_text(content):
        return Extracted("text", _decode(content))
    raise UnreadableFileError("this kind of file cannot be checked; send it as PDF, DOCX, XLSX or plain text")


def _looks_like_text(content: bytes) -> bool:
    sample = content[:4096]
    if b"\x00" in sample and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    try:
        _decode(sample)
    except UnreadableFileError:
        return False
    return True


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "utf-16"):
        if encoding == "utf-16" and not content.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFileError("the text is not valid UTF-8; save it as UTF-8 and send it again")


def _pdf(content: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableFileError("the PDF is encrypted; it cannot be checked, so it was not accepted")
        parts = [page.extract_text() or "" for page in reader.pages]
        metadata = reader.metadata
        if metadata is not None:
            parts.extend(str(v) for v in (metadata.title, metadata.subject) if v)
        return "\n".join(parts)
    except UnreadableFileError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, NotImplementedError) as exc:
        raise UnreadableFileError("the PDF is damaged or cannot be read") from exc


def _office(content: bytes, lower_name: str) -> Extracted:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise UnreadableFileError("the file is damaged (not a valid DOCX/XLSX)") from exc
    if any(info.flag_bits & 0x1 for info in archive.infolist()):
        raise UnreadableFileError("the file is encrypted; it cannot be checked, so it was not accepted")
    if "word/document.xml" in names:
        return Extracted("docx", _docx(content))
    if "xl/workbook.xml" in names:
        return Extracted("xlsx", _xlsx(content))
    raise UnreadableFileError("archives cannot be checked; send each document on its own")


def _docx(content: bytes) -> str:
    import docx

    try:
        document = docx.Document(io.BytesIO(content))
    except Exception as exc:  # python-docx raises many kinds for broken files
        raise UnreadableFileError("the DOCX file is damaged or cannot be read") from exc
    parts: list[str] = []
    for section in document.sections:
        for part in (section.header, section.first_page_header, section.even_page_header,
                     section.footer, section.first_page_footer, section.even_page_footer):
            if (part is not None and not part.is_linked_to_previous) or part is document.sections[0].header:
                parts.extend(p.text for p in part.paragraphs)
                parts.extend(cell.text for table in part.tables for row in table.rows for cell in row.cells)
    parts.extend(p.text for p in document.paragraphs)
    parts.extend(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    properties = document.core_properties
    parts.extend(v for v in (properties.title, properties.subject, properties.keywords) if v)
    return "\n".join(parts)


def _xlsx(content: bytes) -> str:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), data_only=True)
    except Exception as exc:
        raise UnreadableFileError("the XLSX file is damaged or cannot be read") from exc
    parts: list[str] = []
    for sheet in workbook.worksheets:
        parts.append(sheet.title)
        for header_footer in (sheet.oddHeader, sheet.oddFooter, sheet.evenHeader, sheet.evenFooter,
                              sheet.firstHeader, sheet.firstFooter):
            for side in (header_footer.left, header_footer.center, header_footer.right):
                if side.text:
                    parts.append(side.text)
        for row in sheet.iter_rows(values_only=True):
            parts.extend(str(value) for value in row if value is not None)
    return "\n".join(parts)
