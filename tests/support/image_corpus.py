"""Harder images for the guard than the shared development set: other fonts, tilt, blur, JPEG
quality, uneven light, a stamp pressed over text, two-page scans, stamps in DOCX headers and XLSX,
a PDF with a text layer whose stamp is a picture; and what must stay allowed: MẤT/MẶT headlines,
red urgency stamps, an agency's round red seal, red headings, a picture without text.

`write_cases(outdir)` writes the files and returns {file: {"action", "level", "why"}}, the shape of
the shared set's expect.json. Made at test time (nothing binary is committed); DejaVu is always
there (fonts-dejavu-core): its serif, sans, condensed, monospace and oblique faces.
"""

from __future__ import annotations

import io
import math
import os
import sys
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont

FONTS = Path("/usr/share/fonts/truetype")
RED = (205, 35, 40)
# A development corpus kept outside the repository (its texts and its image generator), named by
# GUARD_CORPUS_DIR when the developer has one; without it the copies in the repository are used.
CORPUS_DIR = Path(os.environ["GUARD_CORPUS_DIR"]) if os.environ.get("GUARD_CORPUS_DIR") else None
SHARED_GENERATOR = CORPUS_DIR / "make_images.py" if CORPUS_DIR is not None else None

LETTER = [
    "BỘ NGOẠI GIAO",
    "Số: 118/BNG-ASEAN",
    "V/v chuẩn bị Hội nghị Bộ trưởng Kinh tế ASEAN",
    "Kính gửi: Bộ Công Thương",
    "Bộ Ngoại giao đề nghị Quý Bộ cho ý kiến về dự thảo",
    "chương trình nghị sự trước ngày 15 tháng 11.",
    "Xin trân trọng cảm ơn./.",
]
CHART = ["Tiến độ thực hiện kế hoạch", "Quý I: 40%", "Quý II: 65%", "Quý III: 80%"]


def face(name: str, size: int) -> ImageFont.FreeTypeFont:
    """DejaVu faces only: Debian's Liberation 1.07 has no Vietnamese letters (they come out as boxes)."""
    files = {"serif": "DejaVuSerif.ttf", "serif-bold": "DejaVuSerif-Bold.ttf", "sans-bold": "DejaVuSans-Bold.ttf",
             "sans": "DejaVuSans.ttf", "mono-bold": "DejaVuSansMono-Bold.ttf",
             "condensed-bold": "DejaVuSansCondensed-Bold.ttf", "serif-condensed": "DejaVuSerifCondensed.ttf",
             "sans-oblique": "DejaVuSans-BoldOblique.ttf"}
    return ImageFont.truetype(str(FONTS / "dejavu" / files[name]), size)


def page(lines: list[str], font: str = "serif", size: int = 30, width: int = 1240, height: int = 1754,
         top: int = 300, headline: tuple[str, tuple[int, int, int]] | None = None) -> Image.Image:
    """An A4 page at 150 dpi with a letter on it."""
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    if headline is not None:
        text, colour = headline
        draw.text((110, 180), text, fill=colour, font=face("sans-bold", 44))
    for i, line in enumerate(lines):
        draw.text((110, top + i * round(size * 1.8)), line, fill="black", font=face(font, size))
    return img


def stamp(img: Image.Image, text: str, at: tuple[int, int], size: int = 52, tilt: float = 0.0,
          ink: tuple[int, int, int] = RED, font: str = "sans-bold", border: bool = True,
          lines: list[str] | None = None) -> None:
    rows = lines or [text]
    f = face(font, size)
    boxes = [ImageDraw.Draw(img).textbbox((0, 0), row, font=f) for row in rows]
    w = max(b[2] - b[0] for b in boxes) + size
    line_h = max(b[3] - b[1] for b in boxes) + size // 3
    h = line_h * len(rows) + size * 2 // 3
    layer = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    if border:
        draw.rectangle([2, 2, w - 3, h - 3], outline=(*ink, 235), width=max(3, size // 12))
    for i, (row, box) in enumerate(zip(rows, boxes, strict=True)):
        draw.text((size // 2 - box[0], size // 3 + i * line_h - box[1]), row, fill=(*ink, 235), font=f)
    if tilt:
        layer = layer.rotate(tilt, expand=True, resample=Image.Resampling.BICUBIC)
    img.paste(layer, at, layer)


def seal(img: Image.Image, centre: tuple[int, int], radius: int, text: str) -> None:
    """An agency's round red seal: two rings, a star, the name around the ring."""
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    cx, cy = centre
    for r, width in ((radius, 6), (radius - 38, 3)):
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=(*RED, 220), width=width)
    star = [(cx + (26 if k % 2 == 0 else 11) * math.sin(k * math.pi / 5),
             cy - (26 if k % 2 == 0 else 11) * math.cos(k * math.pi / 5)) for k in range(10)]
    draw.polygon(star, fill=(*RED, 220))
    f = face("sans-bold", 24)
    for i, char in enumerate(text):
        angle = -150 + i * (300 / max(1, len(text) - 1))
        glyph = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((8, 4), char, fill=(*RED, 220), font=f)
        glyph = glyph.rotate(-angle, resample=Image.Resampling.BICUBIC)
        x = cx + (radius - 20) * math.sin(math.radians(angle)) - 20
        y = cy - (radius - 20) * math.cos(math.radians(angle)) - 20
        layer.alpha_composite(glyph, (int(x), int(y)))
    img.alpha_composite(layer) if img.mode == "RGBA" else img.paste(layer, (0, 0), layer)


def photographed(img: Image.Image, tilt: float, blur: float = 0.8, light: float = 0.92,
                 shadow: bool = False, size: tuple[int, int] | None = (1100, 1400)) -> Image.Image:
    """A phone photo of the page: on a desk, turned, soft, darker, maybe a shadow across it."""
    desk = Image.new("RGB", (img.width + 240, img.height + 240), (84, 80, 78))
    desk.paste(img, (120, 120))
    desk = desk.rotate(tilt, resample=Image.Resampling.BICUBIC, fillcolor=(84, 80, 78))
    if blur:
        desk = desk.filter(ImageFilter.GaussianBlur(blur))
    desk = ImageEnhance.Brightness(desk).enhance(light)
    if shadow:  # light falling off from one corner to the other
        ramp = Image.linear_gradient("L").rotate(45, expand=True).resize(desk.size)
        dark = Image.new("RGB", desk.size, (0, 0, 0))
        desk = Image.composite(desk, dark, ramp.point(lambda v: 110 + v * 145 // 255))
    if size is not None:
        desk.thumbnail(size, Image.Resampling.LANCZOS)
    return desk


def encode(img: Image.Image, fmt: str, quality: int = 80) -> bytes:
    out = io.BytesIO()
    options: dict[str, Any] = {"quality": quality} if fmt in ("JPEG", "WEBP") else {}
    img.save(out, fmt, **options)
    return out.getvalue()


def scanned_pdf(*pages: Image.Image, title: str = "scan") -> bytes:
    """An image-only PDF as scanners write it: JPEG pages and a title in the metadata."""
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=150, save_all=True, append_images=list(pages[1:]), title=title,
                  producer="Canon iR-ADV C5535")
    return out.getvalue()


def tiff_pages(*pages: Image.Image) -> bytes:
    out = io.BytesIO()
    pages[0].convert("L").save(out, "TIFF", save_all=True, append_images=[p.convert("L") for p in pages[1:]],
                               compression="tiff_lzw")
    return out.getvalue()


def text_pdf_with_picture(lines: list[str], picture: Image.Image) -> bytes:
    """A PDF with a real text layer and a stamp placed on it as a picture (the bug of issue 14)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("DejaVu", "", str(FONTS / "dejavu/DejaVuSerif.ttf"))
    pdf.set_font("DejaVu", size=12)
    for line in lines:
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    pdf.image(io.BytesIO(encode(picture, "PNG")), x=120, y=10, w=70)
    return bytes(pdf.output())


def docx_with_header_picture(picture: Image.Image, lines: list[str]) -> bytes:
    import docx
    from docx.shared import Inches

    document = docx.Document()
    header = document.sections[0].header
    header.paragraphs[0].add_run().add_picture(io.BytesIO(encode(picture, "PNG")), width=Inches(2.2))
    for line in lines:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_with_picture(picture: Image.Image) -> bytes:
    import openpyxl
    from openpyxl.drawing.image import Image as SheetImage

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"], sheet["B1"] = "Chỉ tiêu", "Quý III"
    sheet["A2"], sheet["B2"] = "Kim ngạch", 1250
    buffer = io.BytesIO(encode(picture, "PNG"))
    sheet.add_image(SheetImage(buffer), "D2")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def stamp_alone(text: str, font: str = "sans-bold", tilt: float = 0.0) -> Image.Image:
    img = Image.new("RGB", (760, 260), "white")
    stamp(img, text, (30, 40), font=font, tilt=tilt)
    return img


def write_cases(outdir: Path) -> dict[str, dict[str, str | None]]:
    outdir.mkdir(parents=True, exist_ok=True)
    expect: dict[str, dict[str, str | None]] = {}

    def case(name: str, data: bytes, action: str, level: str | None, why: str) -> None:
        (outdir / name).write_bytes(data)
        expect[name] = {"action": action, "level": level, "why": why}

    # -- must block -------------------------------------------------------------------------------
    p = page(LETTER)
    stamp(p, "TỐI MẬT", (820, 70), font="serif-bold", tilt=12)
    case("h01-photo-tilted-blurred.jpg", encode(photographed(p, -8, blur=1.4), "JPEG", 45), "block", "toi_mat",
         "serif stamp turned 12° on a page photographed at -8°, blurred, JPEG quality 45")
    p = page(LETTER, font="sans")
    stamp(p, "MẬT", (380, 420), size=64, font="sans-oblique")
    case("h02-stamp-over-text.png", encode(p, "PNG"), "block", "mat", "a red MẬT pressed over typed lines")
    p = page(LETTER)
    stamp(p, "TUYỆT MẬT", (700, 80), font="condensed-bold")
    case("h03-shadow.jpg", encode(photographed(p, 4, shadow=True), "JPEG", 70), "block", "tuyet_mat",
         "a shadow across the page, light falling to a third")
    clean, stamped = page(LETTER), page(LETTER[:4] + CHART)
    stamp(stamped, "TỐI MẬT", (820, 90))
    case("h04-two-pages.pdf", scanned_pdf(clean, stamped), "block", "toi_mat",
         "a two-page scan, the stamp on page 2, a title in the metadata")
    p = page(LETTER)
    stamp(p, "TỐI MẬT", (800, 90), font="mono-bold", border=False)
    case("h05-unbordered-mono.webp", encode(p, "WEBP", 70), "block", "toi_mat", "an unbordered stamp, monospace, WebP")
    p = page(["CONFIDENTIAL BRIEFING NOTE", "ASEAN Economic Ministers' Meeting", "Talking points for the Minister"],
             font="serif")
    stamp(p, "TOP SECRET", (760, 60), size=48)
    case("h06-top-secret.jpg", encode(photographed(p, -3), "JPEG", 75), "block", "tuyet_mat",
         "an English stamp (and CONFIDENTIAL in capitals in the text: the higher level counts)")
    p = page(LETTER)
    stamp(p, "TỐI MẬT", (840, 60), size=30)
    case("h07-small-stamp-300dpi.png", encode(p.resize((2480, 3508)), "PNG"), "block", "toi_mat",
         "a small stamp on a 300 dpi page")
    case("h08-docx-header.docx", docx_with_header_picture(stamp_alone("TUYỆT MẬT"), LETTER[3:]), "block",
         "tuyet_mat", "the stamp as a picture in a DOCX header")
    case("h09-sheet.xlsx", xlsx_with_picture(stamp_alone("MẬT", tilt=-6)), "block", "mat",
         "the stamp as a picture on a spreadsheet")
    case("h10-text-pdf-stamp-picture.pdf", text_pdf_with_picture(LETTER, stamp_alone("TỐI MẬT")), "block",
         "toi_mat", "a PDF with a text layer whose stamp is a picture")
    clean, stamped = page(LETTER), page(LETTER)
    stamp(stamped, "MẬT", (860, 90), ink=(40, 40, 40))
    case("h11-two-page.tif", tiff_pages(clean, stamped), "block", "mat", "a two-page grey TIFF, the copy of the "
                                                                          "stamp on page 2")
    p = page(LETTER)
    stamp(p, "", (560, 40), size=34, lines=["CHỈ NGƯỜI CÓ TÊN", "MỚI ĐƯỢC BÓC BÌ"])
    case("h12-envelope-two-lines.png", encode(p, "PNG"), "block", "mat", "the envelope handling mark in two lines")
    p = page(LETTER)
    stamp(p, "TÀI LIỆU THU HỒI", (600, 80), size=40)
    case("h13-recall.jpg", encode(photographed(p, 2), "JPEG", 80), "block", "mat", "the recall handling mark")
    p = page(["Độ mật: Tối mật", *LETTER[1:]], font="serif-condensed")
    case("h14-field.png", encode(p, "PNG"), "block", "toi_mat", "a classification field typed on the page")

    p = page(LETTER)
    stamp(p, "MẬT", (800, 60), size=64, tilt=9, ink=(225, 80, 95))
    case("h15-pink-in-shadow.jpg", encode(photographed(p, -3, light=0.7, shadow=True), "JPEG", 60), "block", "mat",
         "pink ink in a deep shadow: red judged relative to the light")
    p = page(LETTER)
    stamp(p, "TOP SECRET", (120, 40), size=64, tilt=-14, border=False)
    case("h16-unframed-tilted-two-words.jpg", encode(photographed(p, 2), "JPEG", 75), "block", "tuyet_mat",
         "an unframed TOP SECRET turned 14°: its words must not be read apart (level too low)")
    p = page(LETTER)
    stamp(p, "SECRET", (600, 1200), size=30, tilt=-8)
    case("h17-small-blurred.jpg", encode(photographed(p, 3, blur=1.6), "JPEG", 40), "block", "toi_mat",
         "a small stamp, blurred, JPEG quality 40")
    p = page(LETTER)
    stamp(p, "TỐI MẬT", (780, 60), size=40, ink=(45, 45, 45), font="mono-bold")
    case("h18-black-stamp-in-margin.jpg", encode(photographed(p, -2), "JPEG", 70), "block", "toi_mat",
         "a photocopied (black) stamp alone in the margin, photographed")
    p = page(LETTER)
    stamp(p, "CONFIDENTIAL", (560, 1200), size=52, ink=(45, 45, 45), tilt=-1)
    case("h19-black-framed-english.pdf", scanned_pdf(p), "block", "mat",
         "a black framed CONFIDENTIAL misread by the page read, read again alone")

    # -- must stay allowed ------------------------------------------------------------------------
    p = page(LETTER[1:], headline=("MẤT ĐIỆN DIỆN RỘNG", (0, 0, 0)))
    case("a01-headline-mat.jpg", encode(photographed(p, -2, blur=1.2), "JPEG", 60), "allow", None,
         "MẤT (lost) in a headline, photographed")
    p = page(LETTER[1:], headline=("MẶT TRẬN TỔ QUỐC VIỆT NAM", RED))
    case("a02-red-headline-mat.png", encode(p, "PNG"), "allow", None, "MẶT (front) in a red headline")
    p = page(LETTER)
    stamp(p, "HỎA TỐC", (800, 70))
    stamp(p, "THƯỢNG KHẨN", (760, 1300), size=44, tilt=-5)
    case("a03-urgency.jpg", encode(photographed(p, 3), "JPEG", 70), "allow", None, "red urgency stamps")
    p = page(LETTER)
    seal(p, (900, 1450), 150, "BỘ NGOẠI GIAO * VIỆT NAM")
    case("a04-seal.png", encode(p, "PNG"), "allow", None, "an agency's round red seal")
    p = page(LETTER[1:], headline=("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", RED))
    case("a05-red-heading.jpg", encode(photographed(p, 1), "JPEG", 80), "allow", None, "a red heading")
    chart = Image.new("RGB", (1200, 800), (240, 244, 250))
    draw = ImageDraw.Draw(chart)
    for i, height in enumerate((200, 420, 330, 560)):
        draw.rectangle([150 + i * 240, 700 - height, 300 + i * 240, 700], fill=(40 + i * 50, 90, 200 - i * 30))
    case("a06-no-text.png", encode(chart, "PNG"), "allow", None, "a chart without any text")
    p = page(LETTER[1:], headline=("BẢO MẬT THÔNG TIN CÁ NHÂN", (0, 0, 0)))
    case("a07-compound.jpg", encode(photographed(p, -1), "JPEG", 75), "allow", None, "BẢO MẬT is a compound")
    case("a08-clean-two-pages.pdf", scanned_pdf(page(LETTER), page(CHART)), "allow", None,
         "a clean two-page scan with a title in its metadata")
    logo = Image.new("RGB", (400, 200), "white")
    ImageDraw.Draw(logo).text((40, 70), "ASEAN 2025", fill=(20, 60, 160), font=face("sans-bold", 48))
    case("a09-docx-logo.docx", docx_with_header_picture(logo, LETTER[3:]), "allow", None,
         "a DOCX whose header picture is a logo")
    p = page(LETTER)
    stamp(p, "BẢN SAO", (800, 70), tilt=6)
    stamp(p, "ĐÃ KÝ", (300, 1250), ink=(40, 60, 170))
    case("a10-copy-and-signed.jpg", encode(photographed(p, -4, shadow=True), "JPEG", 65), "allow", None,
         "a red BẢN SAO (copy) stamp and a blue ĐÃ KÝ, in a shadow")
    return expect


def write_shared_cases(outdir: Path) -> dict[str, dict[str, str | None]] | None:
    """The development image set of the corpus GUARD_CORPUS_DIR names, when it names one."""
    import json
    import runpy

    if SHARED_GENERATOR is None or not SHARED_GENERATOR.is_file():
        return None
    argv = sys.argv
    try:
        sys.argv = [str(SHARED_GENERATOR), str(outdir)]
        runpy.run_path(str(SHARED_GENERATOR), run_name="__main__")
    finally:
        sys.argv = argv
    loaded: dict[str, dict[str, str | None]] = json.loads((outdir / "expect.json").read_text(encoding="utf-8"))
    return loaded


def squashed(text: str, height: int, font: str = "sans-bold") -> Image.Image:
    """A red framed stamp cut to its frame and a little paper, then scaled down whole to `height`
    pixels (a stamp pasted small, a picture shrunk before sending): letters of 5 to 7 pixels."""
    img = stamp_alone(text, font=font)
    left, top, right, bottom = img.convert("L").point(lambda v: 255 if v < 215 else 0).getbbox() or (0, 0, *img.size)
    img = img.crop((max(0, left - 10), max(0, top - 10), right + 10, bottom + 10))
    return img.resize((round(img.width * height / img.height), height), Image.Resampling.LANCZOS)


if __name__ == "__main__":
    written = write_cases(Path(sys.argv[1] if len(sys.argv) > 1 else "guard-images-hard"))
    print(f"{len(written)} files")

