"""Where the pictures in a file are: the image itself (each page of a multi-page TIFF), the pages of
a PDF that hold little or no text (rendered whole), the images placed on its other pages, and the
pictures inside DOCX and XLSX packages (body, headers and footers alike: they all live in the
package's media folder).

Pictures are produced lazily, one at a time, so a multi-page scan is read page by page and the
reading stops at the first page that blocks. Limits are checked before anything is decoded: the
pixel count from the image's header, the number of pages and pictures as they are reached.

PDF pages are rendered with PDFium (pypdfium2): in process, no external program, and it decodes
every filter a scanner writes (JBIG2, CCITT, JPEG 2000). Measured against poppler's `pdftoppm`
in docs/performance.md.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PIL import Image, ImageOps, ImageStat, UnidentifiedImageError

from bot.guard.drawn_sizes import drawn_proportions
from bot.guard.policy import ImageLimits

if TYPE_CHECKING:
    import pypdfium2 as pdfium

MAX_SVG_BYTES = 2_000_000
MIN_PAGE_TEXT = 24  # characters of text layer below which a PDF page is read as a scan
MIN_PICTURE_SIDE = 24  # pixels: smaller pictures (bullets, rules, icons) hold no readable stamp
# A document may draw a picture of a few pixels as large as it likes (a stamp 20 px high shown 5 cm
# wide): its pictures are read down to this side; below it no letter is readable however drawn.
MIN_PLACED_SIDE = 10
RENDER_DPI = (150, 300)  # a scanned page is rendered at its scan's resolution, within these
DEFAULT_DPI = 200
MAX_FORM_DEPTH = 15  # Form XObjects nested in Form XObjects: pictures are found at any depth PDFium draws
MIN_CHROMA = 80  # of 255: a path this far from grey is in colour (a red stamp drawn as outlines)
MIN_OUTLINE_SEGMENTS = 40  # coloured path segments on a page from which it may be letters drawn as curves
MIN_GLYPH_SEGMENTS = 6  # a path with fewer is a rule, a box or a tick, not a letter's outline
MAX_EXAMINED_SEGMENTS = 20_000  # black and grey path segments looked at per page (a vector map has millions)
SLANT_PT = 0.05  # a line segment that moves this much both ways is slanted
REGION_MARGIN_PT = 24  # around a region drawn beyond the text, so a stamp's edge is never cut
STRIP_GAP_PT = 1.0  # pictures closer than this on the page are read together, as the page shows them
HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1")
READABLE_FORMATS = {"PNG", "JPEG", "MPO", "WEBP", "TIFF", "GIF", "BMP", "PPM", "AVIF"}
_SVG_TEXT = re.compile(r"<(text|tspan|title|desc)\b[^>]*>(.*?)</\1>", re.DOTALL | re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")


class PictureError(Exception):
    """A picture that cannot be judged: `key` names the reason in the message catalogues."""

    def __init__(self, key: str, detail: str) -> None:
        super().__init__(detail)
        self.key = key
        self.detail = detail


@dataclass(frozen=True)
class Picture:
    where: str  # "the image", "page 3", "picture 2" — never content
    load: Callable[[], Image.Image] | None  # None: the picture is vector text (`text` holds it)
    text: str = ""


def is_heif(content: bytes) -> bool:
    return content[4:8] == b"ftyp" and content[8:12] in HEIF_BRANDS


def decode(content: bytes, limits: ImageLimits) -> Image.Image:
    """The picture as RGB, turned as its camera meant (EXIF), within the pixel limit."""
    if is_heif(content):
        raise PictureError("guard.reason.heic", "HEIC photos cannot be read; send it as a photo or as JPEG")
    return prepared(_open(content, limits), limits)


def _open(content: bytes, limits: ImageLimits) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(content))
    except Image.DecompressionBombError as exc:  # its header declares more pixels than Pillow will hold
        raise PictureError("guard.reason.image_too_large",
                           f"the image has more than {limits.max_pixels / 1e6:g} megapixels") from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise PictureError("guard.reason.image_unreadable", "the image cannot be decoded") from exc
    if image.format not in READABLE_FORMATS:
        raise PictureError("guard.reason.image_format", f"{image.format or 'this'} images cannot be read; "
                                                        "send it as PNG or JPEG")
    if image.width * image.height > limits.max_pixels:
        raise PictureError("guard.reason.image_too_large",
                           f"the image has more than {limits.max_pixels / 1e6:g} megapixels")
    return image


def prepared(image: Image.Image, limits: ImageLimits) -> Image.Image:
    try:
        image.load()
        image = ImageOps.exif_transpose(image) or image
        if image.mode in ("I;16", "I;16B", "I;16L", "I"):
            image = image.point(lambda v: v / 256).convert("L")
        if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
            return _on_a_background(image.convert("RGBA"))
        return image.convert("RGB")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise PictureError("guard.reason.image_unreadable", "the image cannot be decoded") from exc


FAINTEST_INK = 16  # of 255: a picture whose most opaque pixel is fainter shows nothing on either theme
LIGHT_INK = 160  # mean luminance of the opaque pixels above which the ink is meant for a dark theme
INK_SHARE = 0.03  # of the opaque pixels: this many light and this many dark is ink of both kinds
_LIGHT_PIXEL, _DARK_PIXEL = 200, 90  # luminance of ink that shows only on a dark, only on a light theme
_THEME_GAP = 16  # pixels of paper between the two themes' views, so no line runs from one into the other


def _on_a_background(rgba: Image.Image) -> Image.Image:
    """A transparent picture as a reader sees it: dark ink on a light theme, and light ink (a white
    stamp, invisible on white) on a dark one — read inverted, so OCR still sees dark on light.

    A picture with ink of both kinds (dark lines and a small white stamp, or white text with a black
    stamp) shows one part on each theme: both views are read, one above the other in one picture,
    so the minority ink is never lost under the dominant one.

    A faint picture (every pixel partly transparent: a white stamp at a third of full strength)
    still shows its shape plainly on the theme it contrasts with: its opacity is read relative
    to its strongest pixel, so it is judged as drawn solid rather than lost on white."""
    alpha = rgba.getchannel("A")
    strongest = int(ImageStat.Stat(alpha).extrema[0][1])
    if FAINTEST_INK <= strongest < 255:
        alpha = alpha.point(lambda a: a * 255 // strongest)
        rgba = rgba.copy()
        rgba.putalpha(alpha)
    opaque = alpha.point(lambda a: 255 if a > 128 else 0)
    white = Image.new("RGB", rgba.size, (255, 255, 255))
    on_light = Image.composite(rgba.convert("RGB"), white, alpha)
    if opaque.getbbox() is None:
        return on_light
    grey = rgba.convert("L")
    counted = ImageStat.Stat(opaque).sum[0] / 255
    light = ImageStat.Stat(grey.point(lambda v: 255 if v >= _LIGHT_PIXEL else 0), mask=opaque).sum[0] / 255
    dark = ImageStat.Stat(grey.point(lambda v: 255 if v <= _DARK_PIXEL else 0), mask=opaque).sum[0] / 255
    on_dark = Image.composite(ImageOps.invert(rgba.convert("RGB")), white, alpha)
    if light >= INK_SHARE * counted and dark >= INK_SHARE * counted:
        both = Image.new("RGB", (rgba.width, 2 * rgba.height + _THEME_GAP), (255, 255, 255))
        both.paste(on_light, (0, 0))
        both.paste(on_dark, (0, rgba.height + _THEME_GAP))
        return both
    if ImageStat.Stat(grey, mask=opaque).mean[0] > LIGHT_INK:
        return on_dark
    return on_light


class Counter:
    """Pages and pictures read so far in one file, against the policy's limits."""

    def __init__(self, limits: ImageLimits) -> None:
        self.limits = limits
        self.pages = 0
        self.pictures = 0

    def page(self) -> None:
        self.pages += 1
        if self.pages > self.limits.max_pages:
            raise PictureError("guard.reason.too_many_pages",
                               f"more than {self.limits.max_pages} scanned pages; send fewer pages or the text")

    def picture(self) -> None:
        self.pictures += 1
        if self.pictures > self.limits.max_images:
            raise PictureError("guard.reason.too_many_images",
                               f"more than {self.limits.max_images} pictures; send fewer or the text")


def pictures(kind: str, content: bytes, limits: ImageLimits) -> Iterator[Picture]:
    counter = Counter(limits)
    if kind == "image":
        yield from _image_file(content, limits, counter)
    elif kind == "pdf":
        yield from _pdf(content, limits, counter)
    elif kind in ("docx", "xlsx", "pptx", "odt", "ods", "odp", "epub"):
        yield from _office(content, limits, counter)


def _image_file(content: bytes, limits: ImageLimits, counter: Counter) -> Iterator[Picture]:
    if is_heif(content):
        raise PictureError("guard.reason.heic", "HEIC photos cannot be read; send it as a photo or as JPEG")
    image = _open(content, limits)
    frames = getattr(image, "n_frames", 1)
    if frames <= 1:
        yield Picture("the image", lambda: prepared(image, limits))
        return
    for number in range(frames):  # a multi-page TIFF scan, or an animation: every frame is read
        counter.page()

        def frame(number: int = number) -> Image.Image:
            image.seek(number)
            if image.width * image.height > limits.max_pixels:  # each page has a size of its own
                raise PictureError("guard.reason.image_too_large",
                                   f"a page has more than {limits.max_pixels / 1e6:g} megapixels")
            return prepared(image.copy(), limits)

        yield Picture(f"page {number + 1}", frame)


# -- PDF ---------------------------------------------------------------------------------------------


def _pdf(content: bytes, limits: ImageLimits, counter: Counter) -> Iterator[Picture]:
    """Every page of the file as it is, then the pages of its earlier revisions that differ from
    every page already read (a stamp scan replaced by an incremental update is still in the file,
    and any reader can show the earlier revision)."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(content)
    except pdfium.PdfiumError as exc:
        raise PictureError("guard.reason.pdf_unreadable", "the PDF's pages cannot be rendered") from exc
    yield from _pdf_pages(document, content, limits, counter, None, "")
    from bot.guard.extract import earlier_revisions

    try:
        ends = earlier_revisions(content)
    except Exception:  # too many revisions: the text reader refuses the file
        return
    if not ends:
        return
    seen = set(_fingerprints(content))
    for number, end in enumerate(ends, 1):
        earlier = content[:end]
        prints = _fingerprints(earlier)
        changed = {index for index, print_ in enumerate(prints) if print_ not in seen}
        seen.update(prints)
        if not changed:
            continue
        try:
            revision = pdfium.PdfDocument(earlier)
        except pdfium.PdfiumError:
            continue  # a cut no reader opens shows nothing
        yield from _pdf_pages(revision, earlier, limits, counter, changed, f"revision {number}, ")


def _fingerprints(content: bytes) -> list[bytes]:
    """One digest per page of what it draws: its content streams and the pictures and forms it
    names, so a revision's unchanged pages are not read twice."""
    import hashlib

    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return []
        prints = []
        for page in reader.pages:
            digest = hashlib.sha256()
            contents = page.get_contents()
            digest.update(contents.get_data() if contents is not None else b"")
            resources = page.get("/Resources")
            objects = resources.get_object().get("/XObject") if resources is not None else None
            for name, reference in sorted((objects.get_object() if objects is not None else {}).items()):
                stream = reference.get_object()
                digest.update(name.encode() + (stream.get_data() if hasattr(stream, "get_data") else b""))
            digest.update(repr(page.get("/Annots")).encode())
            prints.append(digest.digest())
        return prints
    except Exception:  # a revision pypdf cannot walk: its pages are all read
        return [bytes([index]) for index in range(256)]


def _pdf_pages(document: pdfium.PdfDocument, content: bytes, limits: ImageLimits, counter: Counter,
               only: set[int] | None, label: str) -> Iterator[Picture]:
    import pypdfium2.raw as pdfium_c

    from bot.guard.patterns import patterned_pages
    from bot.guard.tounicode import scrambled_pages

    scrambled = scrambled_pages(content)  # pages whose text layer is not what they draw
    patterned = patterned_pages(content)  # pages that paint a picture as a pattern's fill
    try:
        for index in range(len(document)):
            if only is not None and index not in only:
                continue
            where = f"{label}page {index + 1}"
            page = _flattened(document, index)
            thumbnail = _thumbnail(page)
            if thumbnail is not None:  # the pages panel shows a page's own thumbnail, whatever the page draws
                counter.picture()
                yield Picture(f"{where}, thumbnail", lambda thumbnail=thumbnail: prepared(thumbnail, limits))  # type: ignore[misc]
            textpage = page.get_textpage()
            characters = len(textpage.get_text_range().strip()) if textpage.count_chars() else 0
            images = list(page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=MAX_FORM_DEPTH))
            if characters < MIN_PAGE_TEXT:
                counter.page()
                yield Picture(where, _rendered(page, images, limits))
                continue
            if index in scrambled or index in patterned:  # read what the page draws, as a scan
                counter.picture()
                yield Picture(where, _rendered(page, images, limits))
                continue
            region = _drawn_beyond_text(page, images)
            if region is not None:  # read as a picture of the page, within the picture limit
                counter.picture()
                yield Picture(where, _rendered(page, images, limits, region))
            for number, placed in enumerate(images, 1):
                width, height = placed.get_px_size()
                if min(width, height) < MIN_PICTURE_SIDE:
                    continue
                if width * height > limits.max_pixels:
                    raise PictureError("guard.reason.image_too_large",
                                       f"a picture has more than {limits.max_pixels / 1e6:g} megapixels")
                counter.picture()
                yield Picture(f"{where}, picture {number}", _placed(placed, limits))
    finally:
        document.close()


Box = tuple[float, float, float, float]  # left, bottom, right, top in page points


def _thumbnail(page: pdfium.PdfPage) -> Image.Image | None:
    """A page's embedded thumbnail (`/Thumb`), as the reader's pages panel shows it."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    raw = pdfium_c.FPDFPage_GetThumbnailAsBitmap(page.raw)
    if not raw:
        return None
    image: Image.Image = pdfium.PdfBitmap.from_raw(raw).to_pil().copy()  # the bitmap is freed with its object
    return image if min(image.size) >= MIN_PLACED_SIDE else None


def _flattened(document: pdfium.PdfDocument, index: int) -> pdfium.PdfPage:
    """The page as a reader shows it: every annotation's normal appearance put into its content
    (a form field's drawn value, a stamp), so the pictures and outlines they draw are found the way
    the page's own are. A page without annotations is loaded as it is."""
    import pypdfium2.raw as pdfium_c

    page = document[index]
    if pdfium_c.FPDFPage_GetAnnotCount(page.raw) == 0:
        return page
    if pdfium_c.FPDFPage_Flatten(page.raw, pdfium_c.FLAT_NORMALDISPLAY) != pdfium_c.FLATTEN_SUCCESS:
        return page
    page.close()
    return document[index]


def _drawn_beyond_text(page: object, images: list[object]) -> Box | None:
    """Where the page shows something its text layer does not explain, so that region is rendered
    (with its annotations) and read like a scan: a stamp drawn as coloured outlines (text turned
    into curves), a stamp annotation that is only an appearance, a picture cut into strips, or a
    tiny picture drawn large. A page of black text and black or coloured rules is not rendered:
    that keeps ordinary text PDFs as fast as before."""
    import pypdfium2.raw as pdfium_c

    raw = page.raw  # type: ignore[attr-defined]
    boxes: list[Box] = []
    # A note icon, a link, a popup and a form field draw no stamp (a note's text is read as text).
    silent = (pdfium_c.FPDF_ANNOT_TEXT, pdfium_c.FPDF_ANNOT_LINK, pdfium_c.FPDF_ANNOT_POPUP, pdfium_c.FPDF_ANNOT_WIDGET)
    for number in range(pdfium_c.FPDFPage_GetAnnotCount(raw)):
        annotation = pdfium_c.FPDFPage_GetAnnot(raw, number)
        try:
            rect = pdfium_c.FS_RECTF()
            if pdfium_c.FPDFAnnot_GetSubtype(annotation) not in silent and pdfium_c.FPDFAnnot_GetRect(annotation, rect):
                boxes.append((min(rect.left, rect.right), min(rect.bottom, rect.top),
                              max(rect.left, rect.right), max(rect.bottom, rect.top)))
        finally:
            pdfium_c.FPDFPage_CloseAnnot(annotation)
    segments, coloured = 0, []  # letters drawn as outlines have dozens of segments, a coloured rule two
    shaped, outlined = 0, []  # in black or grey: segments that are curves or slant (a table's rules do neither)
    examined = 0
    for drawn in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_PATH,), max_depth=MAX_FORM_DEPTH):  # type: ignore[attr-defined]
        count = max(0, pdfium_c.FPDFPath_CountSegments(drawn.raw))
        if _coloured(drawn.raw, pdfium_c.FPDFPageObj_GetFillColor) or \
                _coloured(drawn.raw, pdfium_c.FPDFPageObj_GetStrokeColor):
            segments += count
            coloured.append(_on_page(drawn))
        elif count >= MIN_GLYPH_SEGMENTS and examined < MAX_EXAMINED_SEGMENTS and shaped < MIN_OUTLINE_SEGMENTS:
            examined += count
            found = _shaped_segments(drawn.raw, count)
            if found:
                shaped += found
                outlined.append(_on_page(drawn))
        elif count >= MIN_GLYPH_SEGMENTS and shaped >= MIN_OUTLINE_SEGMENTS:
            outlined.append(_on_page(drawn))
    if segments >= MIN_OUTLINE_SEGMENTS:
        boxes.extend(coloured)
    if shaped >= MIN_OUTLINE_SEGMENTS:  # letters turned into curves in black or grey
        boxes.extend(outlined)
    placed_boxes = [_on_page(placed) for placed in images]
    for placed, box in zip(images, placed_boxes, strict=True):
        if min(placed.get_px_size()) < MIN_PICTURE_SIDE <= min(box[2] - box[0], box[3] - box[1]):  # type: ignore[attr-defined]
            boxes.append(box)  # a few pixels scaled up on the page: as large as a stamp
    for number, first in enumerate(placed_boxes):
        boxes.extend(box for second in placed_boxes[number + 1:] if _touching(first, second) for box in (first, second))
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _shaped_segments(raw: object, count: int) -> int:
    """Segments of one path that are curves or slanted lines: a letter's outline has many (Ố's
    bowl, M's and A's slants, every diacritic), a table's or a form's rules none."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    found = 0
    x, y = ctypes.c_float(), ctypes.c_float()
    last: tuple[float, float] | None = None
    for index in range(count):
        segment = pdfium_c.FPDFPath_GetPathSegment(raw, index)
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        if not pdfium_c.FPDFPathSegment_GetPoint(segment, x, y):
            continue
        slanted = kind == pdfium_c.FPDF_SEGMENT_LINETO and last is not None \
            and abs(x.value - last[0]) > SLANT_PT and abs(y.value - last[1]) > SLANT_PT
        found += kind == pdfium_c.FPDF_SEGMENT_BEZIERTO or slanted
        last = (x.value, y.value)
    return found


def _on_page(drawn: object) -> Box:
    """Where an object sits on the page: pdfium gives the bounds of an object inside a form (a
    field's appearance, a stamp, a nested drawing) in the form's own space, so each enclosing
    form's matrix is applied in turn."""
    left, bottom, right, top = drawn.get_bounds()  # type: ignore[attr-defined]
    container = drawn.container  # type: ignore[attr-defined]
    while container is not None:
        left, bottom, right, top = container.get_matrix().on_rect(left, bottom, right, top)
        container = container.container
    return (min(left, right), min(bottom, top), max(left, right), max(bottom, top))


def _coloured(raw: object, getter: Callable[..., int]) -> bool:
    import ctypes

    red, green, blue, alpha = (ctypes.c_uint() for _ in range(4))
    if not getter(raw, red, green, blue, alpha) or alpha.value == 0:
        return False
    values = (red.value, green.value, blue.value)
    return max(values) - min(values) >= MIN_CHROMA


def _touching(first: tuple[float, float, float, float], second: tuple[float, float, float, float]) -> bool:
    """Two pictures that meet edge to edge: strips of one picture (a stamp cut to escape reading)."""
    gap = STRIP_GAP_PT
    return (first[0] - gap <= second[2] and second[0] - gap <= first[2]
            and first[1] - gap <= second[3] and second[1] - gap <= first[3])


def _rendered(page: object, images: list[object], limits: ImageLimits,
              region: Box | None = None) -> Callable[[], Image.Image]:
    def render() -> Image.Image:
        width_pt, height_pt = page.get_size()  # type: ignore[attr-defined]
        dpi = DEFAULT_DPI
        if images:  # the scan's own resolution, so nothing is lost or invented
            largest = max(images, key=lambda i: i.get_px_size()[0] * i.get_px_size()[1])  # type: ignore[attr-defined]
            px_width = largest.get_px_size()[0]  # type: ignore[attr-defined]
            dpi = min(max(round(px_width / max(1.0, width_pt / 72)), RENDER_DPI[0]), RENDER_DPI[1])
        scale = dpi / 72
        while width_pt * scale * height_pt * scale > limits.max_pixels and scale > 0.5:
            scale *= 0.8
        bitmap = page.render(scale=scale, grayscale=False)  # type: ignore[attr-defined]
        image: Image.Image = bitmap.to_pil().convert("RGB")
        if region is None or page.get_rotation():  # type: ignore[attr-defined]  # a turned page: read it whole
            return image
        # Only the region drawn beyond the text, with a margin: OCR time grows with the area.
        origin_x, origin_y = page.get_cropbox()[:2]  # type: ignore[attr-defined]
        left, bottom, right, top = ((value - origin) * scale for value, origin in
                                    zip(region, (origin_x, origin_y, origin_x, origin_y), strict=True))
        margin = REGION_MARGIN_PT * scale
        crop = (max(0, int(left - margin)), max(0, int(image.height - top - margin)),
                min(image.width, int(right + margin)), min(image.height, int(image.height - bottom + margin)))
        return image.crop(crop) if crop[2] > crop[0] and crop[3] > crop[1] else image

    return render


def _placed(placed: object, limits: ImageLimits) -> Callable[[], Image.Image]:
    def load() -> Image.Image:
        # Rendered (masks and colour spaces applied) with the matrix that places it on the page: a
        # picture inside forms has only its form's matrix, often a unit square that squashes it.
        own = placed.get_matrix()  # type: ignore[attr-defined]
        shown, container = own, placed.container  # type: ignore[attr-defined]
        while container is not None:
            shown, container = shown.multiply(container.get_matrix()), container.container
        placed.set_matrix(shown)  # type: ignore[attr-defined]
        try:
            bitmap = placed.get_bitmap(render=True)  # type: ignore[attr-defined]
        finally:
            placed.set_matrix(own)  # type: ignore[attr-defined]
        return prepared(bitmap.to_pil(), limits)

    return load


# -- DOCX, XLSX --------------------------------------------------------------------------------------


def _office(content: bytes, limits: ImageLimits, counter: Counter) -> Iterator[Picture]:
    from bot.guard.office import image_parts

    archive = zipfile.ZipFile(io.BytesIO(content))
    flips = _flips(archive)
    proportions = drawn_proportions(archive)
    for number, (name, data) in enumerate(image_parts(archive), 1):  # by bytes, wherever stored
        where = f"picture {number}"
        lower = name.lower()
        if lower.endswith(".svg") or data.lstrip()[:5] in (b"<?xml", b"<svg "):
            yield Picture(where, None, _svg_text(data))
            continue
        if lower.endswith((".emf", ".wmf", ".emz", ".wmz")):
            raise PictureError("guard.reason.image_format", "the document holds a picture in a Windows vector "
                                                            "format (EMF/WMF); save pictures as PNG or JPEG")
        image = _open(data, limits)
        if min(image.size) < MIN_PLACED_SIDE:
            continue
        counter.picture()
        yield Picture(where, lambda image=image: prepared(image, limits))  # type: ignore[misc]
        for size in _stretched(image.size, proportions.get(name.lstrip("/"), set()), limits):
            counter.picture()  # stored squashed, drawn at its own proportions: read as drawn
            yield Picture(f"{where}, as drawn", lambda image=image, size=size: prepared(image, limits).resize(size))  # type: ignore[misc]
        for flip in flips:  # a picture stored mirrored and shown flipped back reads only flipped
            counter.picture()
            yield Picture(f"{where}, flipped", lambda image=image, flip=flip: prepared(image, limits).transpose(flip))  # type: ignore[misc]


SQUASHED = 1.5  # drawn proportions this far from the stored ones: the picture is also read as drawn


def _stretched(size: tuple[int, int], ratios: set[float], limits: ImageLimits) -> list[tuple[int, int]]:
    """The sizes a picture is shown at where the package draws it out of its stored proportions:
    the squashed side is stretched (never shrunk), within the pixel limit."""
    width, height = size
    sizes = []
    for ratio in sorted(ratios):
        stored = width / height
        if max(stored / ratio, ratio / stored) < SQUASHED:
            continue
        shown = (width, round(width / ratio)) if ratio < stored else (round(height * ratio), height)
        if shown[0] * shown[1] <= limits.max_pixels and shown not in sizes:
            sizes.append(shown)
    return sizes[:2]


def _flips(archive: zipfile.ZipFile) -> list[Image.Transpose]:
    """The mirror turns the package applies to some picture (DrawingML `flipH`/`flipV`, VML
    `flip:x`/`flip:y`): each picture is then also read so turned, since which one is flipped is not
    worth resolving."""
    found: list[Image.Transpose] = []
    markup = b"".join(archive.read(name) for name in archive.namelist() if name.lower().endswith((".xml", ".vml")))
    if re.search(rb'flipH="(?:1|true)"|flip:\s*x', markup):
        found.append(Image.Transpose.FLIP_LEFT_RIGHT)
    if re.search(rb'flipV="(?:1|true)"|flip:\s*y', markup):
        found.append(Image.Transpose.FLIP_TOP_BOTTOM)
    return found


def _svg_text(data: bytes) -> str:
    if len(data) > MAX_SVG_BYTES:
        raise PictureError("guard.reason.image_too_large", "a vector picture (SVG) is too large to check")
    text = data.decode("utf-8", "replace")
    return "\n".join(_TAGS.sub("", match.group(2)) for match in _SVG_TEXT.finditer(text))
