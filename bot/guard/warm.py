"""Imported once by the guard workers' fork server, so each worker forks ready: the guard, Pillow,
PDFium, Tesseract's bindings and the normalisation table are loaded before the first file."""

from __future__ import annotations

import contextlib

import bot.guard.engine  # noqa: F401  (imported for its side effect: loaded before forking)
from bot.guard.normalise import translation_table

translation_table()
with contextlib.suppress(ImportError):
    import pypdfium2  # noqa: F401
    import tesserocr  # noqa: F401
