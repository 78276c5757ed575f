"""Slide text a master or layout shows in capitals (PowerPoint themes often set `cap="all"` on
titles): the slide's own XML says nothing of it."""

from __future__ import annotations

import zipfile
from typing import Any

from bot.guard.office_xml import A, P, parse

TITLE_PLACEHOLDERS = ("title", "ctrTitle")
KINDS = ("title", "body", "other", "notes")
# Parts whose styles reach a slide's text: masters, layouts, the notes master, the presentation's
# default text style.
STYLE_PARTS = ("slidemaster", "slidelayout", "notesmaster", "presentation")
SHAPES = (f"{P}sp", f"{P}graphicFrame")  # a table's cells are text of the slide's own ("other")


def _placeholder_kind(shape: Any) -> str:
    """`title`, `body` (any other placeholder) or `other` (a shape of the slide's own)."""
    placeholder = next(shape.iter(f"{P}ph"), None)
    if placeholder is None:
        return "other"
    return "title" if placeholder.get("type") in TITLE_PLACEHOLDERS else "body"


def _caps_said(holder: Any) -> bool | None:
    """What the list-style levels (`a:lvlNpPr/a:defRPr cap`) under `holder` say, if anything."""
    said = [rpr.get("cap") for rpr in holder.iter(f"{A}defRPr") if rpr.get("cap") is not None]
    return None if not said else any(value in ("all", "small") for value in said)


def master_capitals(archive: zipfile.ZipFile) -> dict[str, bool]:
    """Which kinds of slide text a master or layout shows in capitals (PowerPoint themes often set
    `cap="all"` on titles): from the masters' text styles and their placeholders' list styles."""
    found: dict[str, bool] = {}
    for name in archive.namelist():
        lower = name.lower()
        if not lower.endswith(".xml") or not any(kind in lower for kind in STYLE_PARTS):
            continue
        root = parse(archive.read(name))
        if root is None:
            continue
        for element in root.iter(f"{P}defaultTextStyle"):  # the presentation's: beneath every other style
            if _caps_said(element):
                found.update(dict.fromkeys(KINDS, True))
        for element in root.iter(f"{P}notesStyle"):  # the notes master's: speaker notes
            if _caps_said(element):
                found["notes"] = True
        for kind, style in (("title", f"{P}titleStyle"), ("body", f"{P}bodyStyle"), ("other", f"{P}otherStyle")):
            for element in root.iter(style):
                if _caps_said(element):
                    found[kind] = True
        for shape in root.iter(f"{P}sp"):
            for body in shape.iter(f"{P}txBody"):
                for styles in body.iter(f"{A}lstStyle"):
                    if _caps_said(styles):
                        found[_placeholder_kind(shape)] = True
    return found


def paragraphs_in_capitals(root: Any, slide_capitals: dict[str, bool]) -> set[Any]:
    """The paragraphs of a slide's (or notes page's) shapes and tables that their master, or the
    shape's own list style, shows in capitals; the shape's own list style decides first."""
    chosen: set[Any] = set()
    notes = root.tag == f"{P}notes"
    for shape in root.iter(*SHAPES):
        own = next((said for styles in shape.iter(f"{A}lstStyle") if (said := _caps_said(styles)) is not None),
                   None)
        kind = _placeholder_kind(shape)
        if notes and kind == "body":
            kind = "notes"
        if own if own is not None else slide_capitals.get(kind, False):
            chosen.update(shape.iter(f"{A}p"))
    return chosen
