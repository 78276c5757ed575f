"""Word opens the report without a repair prompt: the properties the renderer writes come in the
order WordprocessingML's schema requires (ECMA-376 Part 1, §17.3.1.26 pPr, §17.3.2.28 rPr,
§17.4.60 tblPr, §17.4.70 tcPr, §17.6.17 sectPr). Word refuses (or "repairs") a file whose property
children are out of sequence, where LibreOffice and python-docx read it silently (issue 26, item 4)."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree

from bot.audit.report_docx import render_report_docx
from bot.domain.consultation import Position
from bot.domain.report import ConsultationReport, ReportComment, ReportIssuer, ReportParticipant, ReportScope

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
OPENED = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)

# The sequences, as the schema's complex types list them (transitional).
P_PR = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
        "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
        "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid",
        "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
        "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange")
R_PR = ("rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline", "shadow",
        "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing", "w", "kern",
        "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em",
        "lang", "eastAsianLayout", "specVanish", "oMath", "rPrChange")
TBL_PR = ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize", "tblW",
          "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption",
          "tblDescription", "tblPrChange")
TC_PR = ("cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar", "textDirection",
         "tcFitText", "vAlign", "hideMark", "headers", "cellIns", "cellDel", "cellMerge", "tcPrChange")
# header and footer references come first, in any order among themselves
SECT_PR = ("headerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar", "paperSrc", "pgBorders",
           "lnNumType", "pgNumType", "cols", "formProt", "vAlign", "noEndnote", "titlePg", "textDirection", "bidi",
           "rtlGutter", "docGrid", "printerSettings", "sectPrChange")
P_BDR = ("top", "left", "bottom", "right", "between", "bar")
ORDERS = {"pPr": P_PR, "rPr": R_PR, "tblPr": TBL_PR, "tcPr": TC_PR, "sectPr": SECT_PR, "pBdr": P_BDR}
PARTS = ("word/document.xml", "word/styles.xml", "word/stylesWithEffects.xml", "word/header1.xml",
         "word/header2.xml")


def full_report() -> ConsultationReport:
    """Every part the renderer can write: superior agency, a grid table, late and alternate
    answers, objections, comments under agencies, a long comment and so the appendix."""
    long = " ".join(f"Ý kiến chi tiết số {n}." for n in range(120))
    return ConsultationReport(
        consultation_id=3, title="Lập trường về dự thảo Tuyên bố chung", kind="consultation",
        scopes=(ReportScope("aec", "Kinh tế", "Economic"),),
        opened_by="Nguyễn Văn An", opened_by_agency="Bộ Ngoại giao", opened_at=OPENED,
        deadline_at=OPENED + timedelta(hours=2), closed_at=OPENED + timedelta(hours=3),
        earlier_deadlines=(OPENED + timedelta(hours=1),),
        issuer=ReportIssuer(agency="Vụ ASEAN", superior="Bộ Ngoại giao", abbreviation="BNG",
                            signer_title="KT. Bộ trưởng", signer_name="Nguyễn Văn An", archive="ASEAN"),
        participants=(
            ReportParticipant("moit-1", "Trần Thị Bình", "Bộ Công Thương", Position.AGREE, OPENED + timedelta(hours=2),
                              late=True, responded_by="Lê Văn Cường"),
            ReportParticipant("moha-1", "Hoàng Văn Dũng", "Bộ Nội vụ", Position.OBJECT, OPENED + timedelta(minutes=9)),
            ReportParticipant("mof-1", "Bùi Quang Huy", "Bộ Tài chính"),
        ),
        comments=(
            ReportComment("moha-1", "Hoàng Văn Dũng", "Bộ Nội vụ", OPENED + timedelta(minutes=8), "Đoạn 3 chưa ổn."),
            ReportComment("moit-1", "Lê Văn Cường", "Bộ Công Thương", OPENED + timedelta(minutes=5), long),
            ReportComment("mof-1", "Bùi Quang Huy", "Bộ Tài chính", OPENED + timedelta(minutes=7), "👍"),
        ),
        blocked_count=1, summary="Đa số đồng ý.\nĐề nghị sửa đoạn 3.", issued_on=date(2026, 12, 5),
    )


def misplaced(xml: bytes) -> list[str]:
    """Each property element whose children break the schema's sequence, or that holds a child
    the sequence does not know, or given twice (Word refuses those as well)."""
    found: list[str] = []
    root = etree.fromstring(xml)
    for name, order in ORDERS.items():
        for element in root.iter(f"{{{W}}}{name}"):
            children = [etree.QName(child).localname for child in element if etree.QName(child).namespace == W]
            children = ["headerReference" if c == "footerReference" else c for c in children]
            unknown = [c for c in children if c not in order]
            ranks = [order.index(c) for c in children if c in order]
            repeated = len(set(ranks)) < len(ranks) and name != "sectPr"  # a property given twice
            if unknown or repeated or ranks != sorted(ranks):
                found.append(f"{name}: {children}")
    return found


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_property_element_follows_the_schema_order(lang: str) -> None:
    content = render_report_docx(full_report(), lang)
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        names = set(package.namelist())
        problems = {part: misplaced(package.read(part)) for part in PARTS if part in names}
    assert "word/document.xml" in problems
    assert {part: found for part, found in problems.items() if found} == {}


def test_the_check_catches_a_misplaced_child() -> None:
    """The order check is not vacuous: a border after the alignment, as the rule once wrote it."""
    bad = (f'<w:document xmlns:w="{W}"><w:body><w:p><w:pPr><w:jc w:val="center"/><w:pBdr/></w:pPr></w:p>'
           f'<w:p><w:r><w:rPr><w:sz w:val="2"/><w:b/></w:rPr></w:r></w:p></w:body></w:document>').encode()
    assert len(misplaced(bad)) == 2
    assert misplaced(bad.replace(b"<w:jc w:val=\"center\"/><w:pBdr/>", b"<w:pBdr/><w:jc w:val=\"center\"/>")) == \
        ["rPr: ['sz', 'b']"]
    twice = bad.replace(b"<w:sz w:val=\"2\"/><w:b/>", b"<w:b/><w:b/>")
    assert misplaced(twice) == ["pPr: ['jc', 'pBdr']", "rPr: ['b', 'b']"]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice: apt-get install libreoffice-writer")
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_libreoffice_converts_the_report_to_pdf(lang: str, tmp_path: Path) -> None:
    source = tmp_path / "report.docx"
    source.write_bytes(render_report_docx(full_report(), lang))
    done = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(source)],
        capture_output=True, timeout=110, check=False, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    pdf = tmp_path / "report.pdf"
    assert done.returncode == 0 and pdf.exists(), done.stderr.decode(errors="replace")[-2000:]
    assert pdf.read_bytes().startswith(b"%PDF")
