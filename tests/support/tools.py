"""Skip markers for tests that need a Debian package, so `make test` passes on a machine with only
Python and make (each skip names the package that makes the test run; `.ci/run` installs them)."""

from __future__ import annotations

import pytest

from bot.guard.ocr import ocr_status

# Without the Vietnamese model every picture is blocked as "cannot be read" (the safe side), so a
# test that expects a picture or a document carrying one to be read cannot pass there.
requires_ocr = pytest.mark.skipif(
    not ocr_status().available,
    reason=f"needs Debian's tesseract-ocr and tesseract-ocr-vie ({ocr_status().detail})")


def _dejavu_installed() -> bool:
    from bot.audit import pdf

    return any((folder / "DejaVuSans.ttf").exists() for folder in pdf.FONT_DIRS)


# Without a font that has Vietnamese letters the transcript PDF is not written (a warning says so).
requires_dejavu = pytest.mark.skipif(not _dejavu_installed(),
                                     reason="needs Debian's fonts-dejavu-core (the transcript PDF's font)")


def _symbols_installed() -> bool:
    from bot.audit import pdf

    return any(path.exists() for path in pdf.SYMBOL_FONTS)


# Without a symbols font, emoji in the transcript PDF are written in words instead of drawn.
requires_symbols = pytest.mark.skipif(not _symbols_installed(),
                                      reason="needs Debian's fonts-symbola (emoji drawn in the transcript PDF)")


def _cairo_installed() -> bool:
    try:
        import cairosvg  # noqa: F401  (loads libcairo through cairocffi)
    except (ImportError, OSError):
        return False
    return True


# Without libcairo2 every SVG is refused unread (the safe side), so a test that expects one read fails.
requires_cairo = pytest.mark.skipif(not _cairo_installed(), reason="needs Debian's libcairo2 (CairoSVG draws SVGs)")
