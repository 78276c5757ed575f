"""Pages that paint pictures no page object holds: a tiling pattern (PatternType 1) whose cell
draws an image, used as the fill of a shape. PDFium lists a page's images, not a pattern's, so the
placed-picture pass never sees it; every reader draws it. Such pages are rendered whole and read.
"""

from __future__ import annotations

import io
from typing import Any

MAX_DEPTH = 8  # patterns inside forms inside patterns…: deeper nesting is treated as painting a picture
MAX_OBJECTS = 2_000  # resources looked at per file; beyond that, the page is rendered (the safe side)


def patterned_pages(content: bytes) -> set[int]:
    """Indexes of the pages whose resources (or their forms' and patterns' resources) hold a tiling
    pattern that paints an image."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return set()
        budget = [MAX_OBJECTS]
        return {index for index, page in enumerate(reader.pages)
                if _paints_picture(page.get("/Resources"), 0, budget, in_pattern=False)}
    except Exception:  # a file pypdf cannot walk is judged by the other readers (and refused there)
        return set()


def _paints_picture(resources: Any, depth: int, budget: list[int], *, in_pattern: bool) -> bool:
    if resources is None:
        return False
    if depth > MAX_DEPTH or budget[0] <= 0:
        return True
    resources = resources.get_object()
    xobjects = resources.get("/XObject")
    for reference in (xobjects.get_object().values() if xobjects is not None else ()):
        budget[0] -= 1
        xobject = reference.get_object()
        subtype = xobject.get("/Subtype")
        if subtype == "/Image" and in_pattern:
            return True
        if subtype == "/Form" and _paints_picture(xobject.get("/Resources"), depth + 1, budget, in_pattern=in_pattern):
            return True
    patterns = resources.get("/Pattern")
    for reference in (patterns.get_object().values() if patterns is not None else ()):
        budget[0] -= 1
        pattern = reference.get_object()
        if pattern.get("/PatternType") == 1 and _paints_picture(pattern.get("/Resources"), depth + 1, budget,
                                                                 in_pattern=True):
            return True
    return False
