"""The administrative document format of Decree 30/2020/ND-CP, as python-docx primitives.

Appendix I of the decree fixes what a ministry's clerk checks first: A4 paper, margins (top and
bottom 20–25 mm, left 30–35 mm, right 15–20 mm), Times New Roman, the heading block in two
columns, a short rule under the issuing agency and under the subject, the page number centred
at the top from the second page on. These helpers know that format and nothing of consultations.

Times New Roman is named on every style and every run, for all four script slots (ASCII, high
ANSI, East Asian, complex): Word falls back to the theme font for a slot left empty, and a
Vietnamese letter outside Latin-1 would then be set in Calibri.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips
from docx.table import Table
from docx.text.paragraph import Paragraph

FONT = "Times New Roman"
BODY_PT = 13
HEADING_PT = 13
TITLE_PT = 14
STATE_NAME_PT = 12  # Quốc hiệu: 12–13 pt; 12 keeps it on one line in the right column
RECIPIENTS_HEAD_PT = 12
RECIPIENTS_PT = 11
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
PAGE_MM = (210, 297)
TEXT_WIDTH_MM = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]
FIRST_LINE_INDENT_MM = 12.7
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
LANG_TAGS = {"vi": "vi-VN", "en": "en-GB"}
_AFTER_P_BDR = tuple(f"w:{name}" for name in (
    "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE",
    "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents",
    "suppressOverlap", "jc", "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId",
    "cnfStyle", "rPr", "sectPr", "pPrChange"))


def set_up(document: DocumentObject, language: str) -> None:
    """A4 portrait, the decree's margins, Times New Roman everywhere, page numbers from page 2."""
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin, section.bottom_margin = _twips(MARGINS_MM["top"]), _twips(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = _twips(MARGINS_MM["left"]), _twips(MARGINS_MM["right"])
    section.header_distance = section.footer_distance = Mm(10)
    _defaults(document, language)
    for style in document.styles:
        if style.type in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER, WD_STYLE_TYPE.TABLE):
            name_font(style.element.get_or_add_rPr())
    normal = document.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    _page_number_header(document)


def _twips(mm: float) -> Any:
    """Word keeps margins in twips; rounding up keeps a margin from falling under the decree's minimum."""
    return Twips(math.ceil(mm * 1440 / 25.4))


def _defaults(document: DocumentObject, language: str) -> None:
    """The document defaults name the font and the language, so spell-checking is Vietnamese."""
    styles = document.styles.element
    r_pr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    name_font(r_pr)
    lang = r_pr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        r_pr.append(lang)
    lang.set(qn("w:val"), LANG_TAGS.get(language, "vi-VN"))


def name_font(r_pr: Any) -> None:
    """Name Times New Roman for all four slots of a run or style's properties, dropping theme fonts."""
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)


def _page_number_header(document: DocumentObject) -> None:
    section = document.sections[0]
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = add_run(paragraph, "", size=BODY_PT)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind is not None:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == " PAGE ":
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = text
            run._r.append(instruction)
        else:
            shown = OxmlElement("w:t")
            shown.text = text
            run._r.append(shown)


def add_run(paragraph: Paragraph, text: str, *, size: float = BODY_PT, bold: bool = False, italic: bool = False,
            underline: bool = False) -> Any:
    """A run in Times New Roman; line breaks in `text` become breaks, so long texts stay whole."""
    run = paragraph.add_run()
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if index:
            run.add_break()
        run.add_text(line)
    run.font.size = Pt(size)
    run.font.bold = bold or None
    run.font.italic = italic or None
    run.font.underline = underline or None
    name_font(run._r.get_or_add_rPr())
    return run


def paragraph(container: Any, text: str = "", *, size: float = BODY_PT, bold: bool = False, italic: bool = False,
              underline: bool = False, align: str = "justify", indent: bool = False, before: float = 0,
              after: float = 6, keep_with_next: bool = False) -> Paragraph:
    """A paragraph of one run, in the body or a table cell (anything with add_paragraph)."""
    made: Paragraph = container.add_paragraph()
    fmt = made.paragraph_format
    fmt.alignment = {"justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "center": WD_ALIGN_PARAGRAPH.CENTER,
                     "left": WD_ALIGN_PARAGRAPH.LEFT, "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    fmt.first_line_indent = Mm(FIRST_LINE_INDENT_MM) if indent else None
    fmt.keep_with_next = keep_with_next or None
    if text:
        add_run(made, text, size=size, bold=bold, italic=italic, underline=underline)
    return made


def rule(container: Any, width_mm: float, column_mm: float) -> Paragraph:
    """The short horizontal line the decree draws under the agency's name and the subject: an
    empty paragraph whose bottom border spans `width_mm`, centred in a column of `column_mm`."""
    made = paragraph(container, "", align="center", after=0, size=2)
    side = Mm(max(0.0, (column_mm - width_mm) / 2))
    made.paragraph_format.left_indent = made.paragraph_format.right_indent = side
    p_pr = made._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    # The schema puts pBdr before spacing, ind and jc (ECMA-376 §17.3.1.26): appended after them,
    # Word reports the file as damaged and offers to repair it.
    p_pr.insert_element_before(borders, *_AFTER_P_BDR)
    return made


def columns(document: DocumentObject, widths_mm: Iterable[float], rows: int = 1, *, grid: bool = False) -> Table:
    """A table of fixed column widths: borderless for the heading and signature blocks, a grid
    for data. Widths are set on every cell, since Word reads the cells and LibreOffice the grid."""
    widths = list(widths_mm)
    table: Table = document.add_table(rows=rows, cols=len(widths))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    if grid:
        table.style = document.styles["Table Grid"]
    for index, width in enumerate(widths):
        table.columns[index].width = Mm(width)
        for cell in table.columns[index].cells:
            cell.width = Mm(width)
    for cell in table._cells:
        cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)  # cells get their own paragraphs
    return table


def set_metadata(document: DocumentObject, *, title: str, author: str, at: datetime, language: str) -> None:
    """Core properties from the input alone (python-docx's template says 2013 and "python-docx")."""
    properties = document.core_properties
    properties.title = title
    properties.author = author
    properties.last_modified_by = author
    instant = at.astimezone(UTC).replace(tzinfo=None)  # python-docx writes naive times as UTC
    properties.created = properties.modified = properties.last_printed = instant
    properties.revision = 1
    properties.language = LANG_TAGS.get(language, "vi-VN")
    properties.comments = properties.keywords = properties.subject = properties.category = ""


def to_bytes(document: DocumentObject) -> bytes:
    """The file, byte for byte the same for the same input: the zip's entry times are fixed."""
    raw = io.BytesIO()
    document.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()
