"""Tesseract, in process, through tesserocr: whether it can run here, and reading one image.

tesserocr's wheel carries its own libtesseract (no OpenMP, so one read uses one core and the
worker pool decides the parallelism); the trained models come from the distribution's packages
(`tesseract-ocr-vie`, `tesseract-ocr-eng`), found in the usual tessdata folders or where
`TESSDATA_PREFIX` points. Nothing is downloaded: without the Vietnamese model, OCR is unavailable
and every image is blocked (fail closed).

One `PyTessBaseAPI` per process is kept and reused: loading the model costs more than reading a
small stamp, and a process reads one image at a time.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL import Image

LANGUAGE = "vie"
TESSDATA_DIRS = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata",
                 "/usr/share/tessdata", "/usr/local/share/tessdata", "/usr/local/share/tesseract-ocr/tessdata",
                 "/opt/homebrew/share/tessdata")
PSM_AUTO = 3  # a page: find its blocks and lines
PSM_BLOCK = 6  # one block of text
PSM_LINE = 7  # one line of text: a one-line stamp whose frame made the sparse read see a drawing
PSM_SPARSE = 11  # scattered text in no particular order: a stamp cut out of its page, frame and all
OSD = "osd"  # Tesseract's orientation and script model (Debian's tesseract-ocr-osd, which tesseract-ocr brings)
OSD_SIDE = 1200  # pixels: the reduced copy a page's turn is told on (enough letters, a tenth of a second)


# Tesseract's block types (tesserocr.PT) that hold text it read: flowing, heading, pull-out,
# equation, inline equation, table, vertical, caption.
_TEXT_BLOCKS = {1, 2, 3, 4, 5, 6, 7, 8}


@dataclass(frozen=True)
class Block:
    box: tuple[int, int, int, int]  # left, top, right, bottom
    confidence: float  # 0..100
    text: str


class OcrUnavailableError(RuntimeError):
    """OCR cannot run here (no tesserocr, or no Vietnamese model); images must be blocked."""


class OcrTimeoutError(RuntimeError):
    """A read did not finish within the time left for its file."""


@dataclass(frozen=True)
class OcrStatus:
    available: bool
    detail: str  # what is installed, or what is missing and how to install it
    tessdata: Path | None = None
    languages: tuple[str, ...] = ()
    version: str | None = None


def find_tessdata() -> Path | None:
    """The folder holding `vie.traineddata`: TESSDATA_PREFIX first, then the distributions' places."""
    candidates = []
    prefix = os.environ.get("TESSDATA_PREFIX")
    if prefix:
        candidates += [Path(prefix), Path(prefix) / "tessdata"]
    candidates += [Path(p) for p in TESSDATA_DIRS]
    for folder in candidates:
        if (folder / f"{LANGUAGE}.traineddata").is_file():
            return folder
    return None


@cache
def ocr_status() -> OcrStatus:
    """Whether images can be read here; cached, since packages do not appear while the bot runs."""
    try:
        import tesserocr
    except ImportError:
        return OcrStatus(False, "tesserocr is not installed (pip install tesserocr); images are blocked")
    version = str(tesserocr.tesseract_version()).splitlines()[0]
    tessdata = find_tessdata()
    if tessdata is None:
        return OcrStatus(False, "the Vietnamese OCR model is not installed (apt-get install tesseract-ocr "
                                "tesseract-ocr-vie); images are blocked", version=version)
    languages = tuple(sorted(p.name.removesuffix(".traineddata") for p in tessdata.glob("*.traineddata")))
    try:
        api = tesserocr.PyTessBaseAPI(path=str(tessdata) + "/", lang=LANGUAGE, oem=tesserocr.OEM.LSTM_ONLY)
        api.End()
    except RuntimeError as exc:
        return OcrStatus(False, f"the OCR model in {tessdata} cannot be loaded ({exc}); images are blocked",
                         tessdata, languages, version)
    return OcrStatus(True, f"{version}; models {', '.join(languages)} in {tessdata}", tessdata, languages, version)


class Reader:
    """One Tesseract engine of this process, reused for every read."""

    _local = threading.local()

    @classmethod
    def here(cls) -> Reader:
        reader: Reader | None = getattr(cls._local, "reader", None)
        if reader is None:
            reader = cls()
            cls._local.reader = reader
        return reader

    def __init__(self) -> None:
        status = ocr_status()
        if not status.available or status.tessdata is None:
            raise OcrUnavailableError(status.detail)
        import tesserocr

        self._api: Any = tesserocr.PyTessBaseAPI(path=str(status.tessdata) + "/", lang=LANGUAGE,
                                                  oem=tesserocr.OEM.LSTM_ONLY)
        # Images carry no trustworthy resolution; say 300 dpi so Tesseract does not guess per read.
        self._api.SetVariable("user_defined_dpi", "300")

    def read_page(self, image: Image.Image, seconds: float) -> tuple[str, list[Block]]:
        """The page's text, and the text blocks it was read from: a stamp read as part of the page
        (its frame's strokes taken for letters) is read again on its own, and what lies outside
        every block (a short word in a ruled frame, which the layout takes for a drawing) too."""
        text = self.read(image, PSM_AUTO, seconds)
        import tesserocr

        blocks = []
        iterator = self._api.GetIterator()
        if iterator is not None:
            for block in tesserocr.iterate_level(iterator, tesserocr.RIL.BLOCK):
                if block.BlockType() in _TEXT_BLOCKS:
                    box = block.BoundingBox(tesserocr.RIL.BLOCK)
                    if box is not None:
                        blocks.append(Block(tuple(box), float(block.Confidence(tesserocr.RIL.BLOCK)),
                                            str(block.GetUTF8Text(tesserocr.RIL.BLOCK) or "")))
        return text, blocks

    def word_confidences(self) -> list[int]:
        """Tesseract's confidence (0..100) in each word of the last read."""
        return [int(c) for c in self._api.AllWordConfidences()]

    def line_boxes(self) -> list[tuple[int, int, int, int]]:
        """The boxes of the text lines of the last page read (left, top, right, bottom)."""
        import tesserocr

        boxes = []
        iterator = self._api.GetIterator()
        if iterator is not None:
            for line in tesserocr.iterate_level(iterator, tesserocr.RIL.TEXTLINE):
                box = line.BoundingBox(tesserocr.RIL.TEXTLINE)
                if box is not None:
                    boxes.append(tuple(box))
        return boxes

    def orientation(self, page: Image.Image) -> tuple[int, float] | None:
        """How far `page` is turned, by Tesseract's orientation detection: the counter-clockwise
        degrees (0, 90, 180, 270) that set it upright, as `Image.rotate` takes them, and the
        detector's confidence; None when it cannot tell (too few letters) or its model is missing."""
        api = self._osd_api()
        if api is None:
            return None
        from PIL.Image import Resampling

        small = page.convert("L")
        small.thumbnail((OSD_SIDE, OSD_SIDE), Resampling.BOX)
        api.SetImage(small)
        try:
            found = api.DetectOrientationScript()
        except RuntimeError:
            return None
        if not found:
            return None
        return int(found["orient_deg"]) % 360, float(found["orient_conf"])

    def _osd_api(self) -> Any:
        if not hasattr(self, "_osd"):
            import tesserocr

            status = ocr_status()
            self._osd: Any = None
            if status.tessdata is not None and (status.tessdata / f"{OSD}.traineddata").is_file():
                try:
                    self._osd = tesserocr.PyTessBaseAPI(path=str(status.tessdata) + "/", lang=OSD,
                                                        psm=tesserocr.PSM.OSD_ONLY)
                except RuntimeError:
                    self._osd = None
        return self._osd

    def confidence(self) -> int:
        """Tesseract's mean confidence (0..100) in the words of the last read."""
        return int(self._api.MeanTextConf())

    def read(self, image: Image.Image, psm: int, seconds: float) -> str:
        """The text Tesseract reads in `image`, lines separated by newlines."""
        if seconds <= 0:
            raise OcrTimeoutError("no time left to read the image")
        self._api.SetPageSegMode(psm)
        self._api.SetImage(image)
        if not self._api.Recognize(timeout=max(1, int(seconds * 1000))):
            raise OcrTimeoutError("the image took too long to read")
        return str(self._api.GetUTF8Text())
