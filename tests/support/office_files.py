"""Office packages made in code (ZIP parts written by hand): what the office readers' tests and
benchmark send to the guard."""

from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path


def package(parts: dict[str, str | bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data.encode() if isinstance(data, str) else data)
    return out.getvalue()


def pptx(slide_text: str, notes: str = "") -> bytes:
    a = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
    p = 'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"'
    parts: dict[str, str | bytes] = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                               'content-types"><Override PartName="/ppt/presentation.xml" ContentType="application/'
                               'vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/></Types>',
        "ppt/presentation.xml": f'<?xml version="1.0"?><p:presentation {p}/>',
        "ppt/slides/slide1.xml": f'<?xml version="1.0"?><p:sld {p} {a}><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r>'
                                 f"<a:t>{slide_text}</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>",
    }
    if notes:
        parts["ppt/notesSlides/notesSlide1.xml"] = (f'<?xml version="1.0"?><p:notes {p} {a}><a:p><a:r><a:t>{notes}'
                                                    "</a:t></a:r></a:p></p:notes>")
    return package(parts)


def odf(kind: str, text: str, styles_text: str = "") -> bytes:
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"')
    return package({
        "mimetype": f"application/vnd.oasis.opendocument.{kind}",
        "content.xml": f'<?xml version="1.0"?><office:document-content {ns}><office:body><office:text>'
                       f"<text:p>{text}</text:p></office:text></office:body></office:document-content>",
        "styles.xml": f'<?xml version="1.0"?><office:document-styles {ns}><office:master-styles><style:master-page>'
                      f"<style:header><text:p>{styles_text}</text:p></style:header></style:master-page>"
                      "</office:master-styles></office:document-styles>",
    })


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF showing `text` (ASCII) in Helvetica, written by hand."""
    return pdf_lines([text])


def pdf_lines(lines: list[str]) -> bytes:
    """A one-page PDF with one ASCII line of Helvetica per entry, written by hand."""
    shown = " 0 -14 Td ".join(f"({line}) Tj" for line in lines)
    stream = f"BT /F1 12 Tf 72 720 Td {shown} ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    return pdf_of(objects, version="1.4")


def pdf_of(objects: list[bytes], version: str = "1.5") -> bytes:
    """A PDF of the given objects (numbered from 1, the first the catalog), with its cross-reference
    table, written by hand."""
    out = io.BytesIO()
    out.write(f"%PDF-{version}\n".encode())
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def docx(body: str = "Nội dung thường", header: str = "", footer: str = "") -> bytes:
    import docx as python_docx

    document = python_docx.Document()
    document.add_paragraph(body)
    section = document.sections[0]
    if header:
        section.header.paragraphs[0].text = header
    if footer:
        section.footer.paragraphs[0].text = footer
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


SPREADSHEET = ('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
               'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
Cell = str | int | float | tuple[str, ...]


def workbook(*sheets: tuple[str, dict[str, Cell]], names: str = "", hidden: tuple[str, ...] = (),
             extra: dict[str, str | bytes] | None = None) -> bytes:
    """An XLSX written by hand, with saved values Excel itself would not have written: each sheet is
    (name, {coordinate: value}); a value is text, a number, or (formula, saved value[, type[, the
    `<f>` element's attributes]]), e.g. `("B1&B2", "Thường")`, `("B1&B2", "x", "str", ' t="array" ref="D1"')`."""
    from xml.sax.saxutils import escape

    def cell(reference: str, value: Cell) -> str:
        if isinstance(value, tuple):
            formula, saved, kind, attributes = (*value, *("str", "")[len(value) - 2:])
            return f'<c r="{reference}" t="{kind}"><f{attributes}>{escape(formula)}</f><v>{escape(saved)}</v></c>'
        if isinstance(value, (int, float)):
            return f'<c r="{reference}"><v>{value}</v></c>'
        return f'<c r="{reference}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'

    def sheet_xml(cells: dict[str, Cell]) -> str:
        rows: dict[int, list[str]] = {}
        for reference, value in cells.items():
            rows.setdefault(int("".join(c for c in reference if c.isdigit())), []).append(cell(reference, value))
        body = "".join(f'<row r="{row}">{"".join(found)}</row>' for row, found in sorted(rows.items()))
        return f'<?xml version="1.0"?><worksheet {SPREADSHEET}><sheetData>{body}</sheetData></worksheet>'

    relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts: dict[str, str | bytes] = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                               'content-types"><Default Extension="xml" ContentType="application/xml"/>'
                               '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
                               'officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                       f'relationships"><Relationship Id="rId1" Type="{relationships}/officeDocument" '
                       'Target="xl/workbook.xml"/></Relationships>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                                      'package/2006/relationships">' + "".join(
                                          f'<Relationship Id="rId{n}" Type="{relationships}/worksheet" '
                                          f'Target="worksheets/sheet{n}.xml"/>' for n in range(1, len(sheets) + 1))
                                      + "</Relationships>",
        "xl/workbook.xml": f'<?xml version="1.0"?><workbook {SPREADSHEET}><sheets>' + "".join(
            f'<sheet name="{name}" sheetId="{n}"{" state=" + chr(34) + "hidden" + chr(34) if name in hidden else ""} '
            f'r:id="rId{n}"/>' for n, (name, _) in enumerate(sheets, start=1))
            + f"</sheets>{f'<definedNames>{names}</definedNames>' if names else ''}</workbook>",
    }
    for number, (_, cells) in enumerate(sheets, start=1):
        parts[f"xl/worksheets/sheet{number}.xml"] = sheet_xml(cells)
    parts.update(extra or {})
    return package(parts)


def libreoffice_saved(source: Path, kind: str, workdir: Path) -> tuple[Path | None, int]:
    """`source` saved again by Debian's LibreOffice as `kind` (rtf, ods...), as an office would send
    it: the file, or None if soffice could not convert it here, and soffice's exit code."""
    converted = subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{workdir}/profile", "--convert-to", kind,
         "--outdir", str(workdir), str(source)], capture_output=True, timeout=180, check=False)
    result = workdir / f"{source.stem}.{kind}"
    return (result if result.exists() else None), converted.returncode
