"""HTML, SVG and e-mail judged as their readers show them (issue 24, item 4): entities, style
sheets that change the letters (text-transform, generated content), right-to-left overrides, table
cells, base64 bodies, attachments read as their own type, `data:` pictures and SVG drawings read as
pictures. Today they were read as raw text, so each of these passed. Harmless pages still pass."""

from __future__ import annotations

import base64
from email.message import EmailMessage
from pathlib import Path

import pytest
from matplotlib.font_manager import FontProperties
from matplotlib.path import Path as Outline
from matplotlib.textpath import TextPath

from bot.guard.engine import Guard
from tests.support import image_corpus as corpus
from tests.support.office_files import docx, minimal_pdf
from tests.support.tools import requires_cairo, requires_ocr

BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def page(body: str, style: str = "") -> bytes:
    return (f"<!doctype html><html><head><meta charset='utf-8'><style>{style}</style></head>"
            f"<body><h1>Bản tin</h1>{body}</body></html>").encode()


@pytest.mark.parametrize(("name", "content", "level"), [
    ("entities.html", page("<p>T&#7888;I M&#7852;T</p>"), "toi_mat"),
    ("uppercase.html", page("<p class='s'>tối mật</p>", ".s { text-transform: uppercase }"), "toi_mat"),
    ("small-caps.htm", page("<p style='font-variant: small-caps'>tuyệt mật</p>"), "tuyet_mat"),
    ("generated.html", page("<p class='y'>Kế hoạch</p>", ".y::after { content: '\\A TUY\\1EC6T M\\1EAC T' }"),
     "tuyet_mat"),
    ("bdo.html", page("<p><bdo dir='rtl'>TẬM IỐT</bdo></p>"), "toi_mat"),
    ("override.html", page("<p style='direction: rtl; unicode-bidi: bidi-override'>TẬM IỐT</p>"), "toi_mat"),
    ("controls.html", page("<p>Văn bản \u202eTẬM IỐT\u202c</p>"), "toi_mat"),
    ("cells.html", page("<table><tr><td>Độ mật</td><td>A</td></tr></table>"), "tuyet_mat"),
    ("cp1258.html", b"<html><head><meta charset='windows-1258'></head><body><p>Kinh chao</p><p>M\xc2\xf2T</p>"
                    b"</body></html>", "mat"),  # Windows-1258: \xc2 is Â, \xf2 the dot below (MẬT)
])
def test_a_marking_a_browser_shows_is_blocked(guard: Guard, name: str, content: bytes, level: str | None) -> None:
    verdict = guard.scan_document(name, content, "text/html")
    assert verdict.action.value == "block", verdict
    if level is not None:
        assert verdict.level is not None and verdict.level.value == level


def test_a_newsletter_with_styles_and_the_laws_prose_passes(guard: Guard) -> None:
    body = ("<p>Hội nghị ASEAN về bảo mật thông tin.</p><p>Luật quy định ba độ mật: tuyệt mật, tối mật và mật.</p>"
            "<table><tr><td>Độ mật</td><td>không có</td></tr></table><img alt='Ảnh hội nghị' src='https://x.vn/a.png'>")
    styles = "body { font-family: serif } h1 { text-transform: uppercase }"
    verdict = guard.scan_document("news.html", page(body, styles))
    assert verdict.action.value == "allow", verdict


def mail(body: str, html: str | None = None, attachment: tuple[str, bytes, str] | None = None,
         subject: str = "Góp ý dự thảo") -> bytes:
    message = EmailMessage()
    message["From"] = "Nguyễn Văn An <an@mofa.gov.vn>"
    message["To"] = "Bộ Công Thương <moit@moit.gov.vn>"
    message["Subject"] = subject
    message.set_content(body, cte="base64")
    if html is not None:
        message.add_alternative(html, subtype="html", cte="base64")
    if attachment is not None:
        name, data, mime = attachment
        main, sub = mime.split("/")
        message.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return message.as_bytes()


@pytest.mark.parametrize(("name", "content", "level"), [
    ("base64.eml", mail("Kính gửi anh chị,\nTUYỆT MẬT\nPhương án đàm phán"), "tuyet_mat"),
    ("subject.eml", mail("Xin gửi.", subject="TỐI MẬT - kế hoạch"), "toi_mat"),
    ("html-body.eml", mail("Xem bản HTML.", html="<p style='text-transform:uppercase'>tối mật</p>"), "toi_mat"),
    ("docx-inside.eml", mail("Gửi kèm dự thảo.", attachment=(
        "du-thao.docx", docx(header="TỐI MẬT"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")), "toi_mat"),
    ("mail-in-mail.eml", mail("Chuyển tiếp.", attachment=("fw.eml", mail("TUYỆT MẬT\nNội dung"), "message/rfc822")),
     "tuyet_mat"),
])
def test_an_e_mail_is_read_as_a_mail_client_shows_it(guard: Guard, name: str, content: bytes, level: str) -> None:
    assert b"TUY\xe1\xbb\x86T" not in content or name == "subject.eml"  # the marking is not in the raw bytes
    verdict = guard.scan_document(name, content)
    assert verdict.action.value == "block", verdict
    assert verdict.level is not None and verdict.level.value == level


def test_an_e_mail_with_a_harmless_pdf_passes_and_a_zip_inside_is_refused(guard: Guard) -> None:
    harmless = mail("Gửi kèm lịch họp.", attachment=("lich.pdf", minimal_pdf("Lich hop ngay 5/12"), "application/pdf"))
    assert guard.scan_document("lich.eml", harmless).action.value == "allow"
    zipped = mail("Gửi kèm.", attachment=("a.zip", b"PK\x05\x06" + b"\x00" * 18, "application/zip"))
    verdict = guard.scan_document("a.eml", zipped)
    assert verdict.action.value == "block" and verdict.level is None  # unreadable inside: fail closed


def stamp_png() -> bytes:
    return corpus.encode(corpus.stamp_alone("TỐI MẬT"), "PNG")


@requires_ocr
@pytest.mark.slow
def test_a_stamp_in_a_data_picture_of_a_web_archive_is_read(guard: Guard) -> None:
    picture = base64.b64encode(stamp_png()).decode()
    html = f"<html><body><p>Dự thảo</p><img src='data:image/png;base64,{picture}'></body></html>"
    message = EmailMessage()
    message["Subject"] = "Trang đã lưu"
    message["MIME-Version"] = "1.0"
    message.set_content(html, subtype="html")
    verdict = guard.scan_document("trang.mht", message.as_bytes())
    assert verdict.action.value == "block" and verdict.level is not None and verdict.level.value == "toi_mat"


def svg(inner: str, width: int = 900, height: int = 200) -> bytes:
    return (f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}'>"
            f"<rect width='100%' height='100%' fill='white'/>{inner}</svg>").encode()


@requires_cairo
def test_svg_text_split_into_letters_is_read_whole(guard: Guard) -> None:
    letters = "".join(f"<tspan x='{30 + 60 * i}'>{c}</tspan>" for i, c in enumerate("TỐI MẬT"))
    verdict = guard.scan_document("logo.svg", svg(f"<text y='100' font-size='60'>{letters}</text>"), "image/svg+xml")
    assert verdict.action.value == "block" and verdict.level is not None and verdict.level.value == "toi_mat"


def outlined(text: str) -> str:
    """The letters as one path (text turned into curves), as a designer's export makes them."""
    path = TextPath((0, 0), text, size=72, prop=FontProperties(fname=BOLD))
    steps = []
    for vertices, code in path.iter_segments():
        points = " ".join(f"{x:.1f},{-y:.1f}" for x, y in zip(vertices[::2], vertices[1::2], strict=True))
        steps.append({Outline.MOVETO: "M", Outline.LINETO: "L", Outline.CURVE3: "Q", Outline.CURVE4: "C",
                      Outline.CLOSEPOLY: "Z"}[code] + ("" if code == Outline.CLOSEPOLY else points))
    return f"<path transform='translate(40,130)' fill='rgb(205,35,40)' d='{' '.join(steps)}'/>"


@requires_cairo
@requires_ocr
@pytest.mark.slow
def test_svg_letters_drawn_as_paths_are_read_from_the_drawing(guard: Guard) -> None:
    verdict = guard.scan_document("con-dau.svg", svg(outlined("TỐI MẬT")), "image/svg+xml")
    assert verdict.action.value == "block" and verdict.level is not None and verdict.level.value == "toi_mat"


@requires_cairo
@requires_ocr
@pytest.mark.slow
def test_a_harmless_svg_chart_passes(guard: Guard) -> None:
    chart = "".join(f"<rect x='{40 + 90 * i}' y='{150 - 20 * i}' width='60' height='{20 * i + 10}' fill='steelblue'/>"
                    for i in range(6))
    verdict = guard.scan_document("bieu-do.svg", svg(chart + "<text x='40' y='190'>Tiến độ quý III</text>"))
    assert verdict.action.value == "allow", verdict


@requires_cairo
@requires_ocr
def test_an_svg_draws_no_file_it_points_to(guard: Guard, tmp_path: Path) -> None:
    """The bot's own disk is not the sender's: a stamp in a file on the server is not drawn (the
    renderer fetches nothing but `data:` pictures), while the same picture inside the SVG is."""
    secret = tmp_path / "secret.png"
    secret.write_bytes(stamp_png())
    outside = guard.scan_document("x.svg", svg(f"<image href='file://{secret}' width='760' height='260'/>"))
    assert outside.action.value == "allow", outside
    inline = base64.b64encode(stamp_png()).decode()
    drawn = f"<image href='data:image/png;base64,{inline}' width='760' height='260'/>"
    inside = guard.scan_document("y.svg", svg(drawn))
    assert inside.action.value == "block"


@pytest.fixture(scope="module")
def guard() -> Guard:
    return Guard.from_policy_dir(Path(__file__).resolve().parents[3] / "policies", b"test-term-key-0123456789abcdef!!")


def test_a_forwarded_message_attached_as_is_is_read(guard: Guard) -> None:
    inner = EmailMessage()
    inner["Subject"] = "Chuyển tiếp"
    inner.set_content("Nội dung\nTUYỆT MẬT\nPhương án")
    outer = EmailMessage()
    outer["Subject"] = "Fw"
    outer.set_content("Xem thư dưới.")
    outer.add_attachment(inner)
    verdict = guard.scan_document("fw.eml", outer.as_bytes())
    assert verdict.action.value == "block" and verdict.level is not None and verdict.level.value == "tuyet_mat"


@requires_cairo
def test_an_svg_declaring_a_huge_size_is_drawn_small(guard: Guard) -> None:
    """`width="200000"` would ask cairo for 160 GB; the drawing is made at the reader's size instead."""
    huge = (b"<svg xmlns='http://www.w3.org/2000/svg' width='200000' height='200000'>"
            b"<circle cx='100000' cy='100000' r='50000' fill='blue'/></svg>")
    assert guard.scan_document("big.svg", huge).action.value == "allow"
