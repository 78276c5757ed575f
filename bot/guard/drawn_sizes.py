"""The shape an office package draws each picture in: a stamp stored squashed to a strip a few
pixels high (600 × 12) and drawn at its own proportions (`wp:extent`, `a:ext`, a VML shape's
width and height) shows whole letters that OCR cannot read in the stored pixels. The picture is
then also read stretched to the shape it is drawn in (bot/guard/pictures.py)."""

from __future__ import annotations

import posixpath
import re
import zipfile
from typing import Any

from bot.guard.office_xml import parse

R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
MAX_PARTS = 200  # drawing parts looked at per package; a picture in one beyond is read as stored
_LENGTH = re.compile(r"(width|height)\s*:\s*([\d.]+)\s*(pt|px|in|cm|mm|pc|em)?", re.I)
_POINTS = {"pt": 1.0, "px": 0.75, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4, "pc": 12.0, "em": 12.0, "": 0.75}


def drawn_proportions(archive: zipfile.ZipFile) -> dict[str, set[float]]:
    """Picture part name -> the width-to-height ratios it is drawn at (DrawingML and VML)."""
    found: dict[str, set[float]] = {}
    names = set(archive.namelist())
    looked = 0
    for name in sorted(names):
        if not name.lower().endswith((".xml", ".vml")) or "_rels/" in name:
            continue
        data = archive.read(name)
        if b"embed=" not in data and b":id=" not in data:
            continue
        looked += 1
        if looked > MAX_PARTS:
            break
        folder, base = posixpath.split(name)
        relationships = posixpath.join(folder, "_rels", base + ".rels")
        targets = _targets(archive.read(relationships), folder) if relationships in names else {}
        root = parse(data)
        if root is None or not targets:
            continue
        for identifier, ratio in _placements(root):
            target = targets.get(identifier)
            if target and ratio:
                found.setdefault(target, set()).add(ratio)
    return found


def _targets(data: bytes, folder: str) -> dict[str, str]:
    root = parse(data)
    if root is None:
        return {}
    targets = {}
    for relationship in root:
        target, identifier = relationship.get("Target"), relationship.get("Id")
        if target and identifier and relationship.get("TargetMode") != "External":
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            targets[identifier] = path
    return targets


def _placements(root: Any) -> list[tuple[str, float | None]]:
    """(relationship id, drawn width / height) for each picture the part places."""
    placed: list[tuple[str, float | None]] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        identifier = element.get(f"{R}embed") or (element.get(f"{R}id") if element.tag.endswith("}imagedata")
                                                  else None)
        if identifier:
            placed.append((identifier, _ratio(element)))
    return placed


def _ratio(picture: Any) -> float | None:
    """The nearest extent around a picture: DrawingML's `wp:extent`/`a:ext` (EMU), a VML shape's
    style (`width:120pt;height:40pt`)."""
    for ancestor in picture.iterancestors():
        style = ancestor.get("style")
        if style and ancestor.tag.startswith("{urn:schemas-microsoft-com:vml}"):
            sizes = {key.lower(): float(value) * _POINTS[(unit or "").lower()]
                     for key, value, unit in _LENGTH.findall(style)}
            if sizes.get("width") and sizes.get("height"):
                return sizes["width"] / sizes["height"]
        for extent in ancestor.iter("{*}extent", "{*}ext"):
            try:
                width, height = float(extent.get("cx", "")), float(extent.get("cy", ""))
            except ValueError:
                continue
            if width > 0 and height > 0:
                return width / height
    return None
