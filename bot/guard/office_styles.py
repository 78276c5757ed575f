"""What a style says about how text is shown: capitals (caps, small caps, text-transform) and a
legacy Vietnamese font (TCVN3, VNI), as Word and OpenDocument inherit them — the paragraph's style,
its parents, the document defaults, then a run's own properties and character style."""

from __future__ import annotations

import zipfile
from typing import Any

from bot.guard import legacy
from bot.guard.office_xml import FO_NS, OFFICE_NS, STYLE_NS, SVG_NS, TEXT_NS, A, S, W, parse

Look = tuple[str | None, bool]  # a run's legacy encoding, and whether it is shown in capitals
# A style as it bears on what is shown: capitals (None: not said), legacy encoding, parent style.
Style = tuple[bool | None, str | None, str | None]


def paragraph_style(paragraph: Any) -> str | None:
    """The style a paragraph names: Word's `w:pStyle`, OpenDocument's `text:style-name`."""
    if paragraph.tag.startswith(TEXT_NS):
        name = paragraph.get(f"{TEXT_NS}style-name")
        return f"o:{name}" if name else None
    for prop in paragraph:
        if prop.tag == f"{W}pPr":
            for child in prop:
                if child.tag == f"{W}pStyle" and child.get(f"{W}val"):
                    return f"w:{child.get(f'{W}val')}"
    return "w:" if paragraph.tag == f"{W}p" else None


def inherited(styles: dict[str, Style], name: str | None, look: Look) -> Look:
    """`look` with what the named style (and the styles it is based on, and Word's defaults) say
    where it says nothing itself."""
    encoding, capitals = look
    said_capitals: bool | None = None
    seen: set[str] = set()
    while name is not None and name not in seen and name in styles:
        seen.add(name)
        style_capitals, style_encoding, parent = styles[name]
        if said_capitals is None:
            said_capitals = style_capitals
        encoding = encoding or style_encoding
        if parent is None and name.startswith("w:") and name != "w:":
            parent = "w:"  # Word's document defaults stand under every style
        name = parent
    return encoding, capitals or bool(said_capitals)


def run_style(run: Any, look: Look, styles: dict[str, Style]) -> Look:
    """The run's legacy encoding (by its font) and whether it is shown in capitals: its own
    properties, else its character style, else the paragraph's (`look`)."""
    encoding: str | None = None
    capitals: bool | None = None
    character_style: str | None = None
    for prop in run:
        if prop.tag == f"{W}rPr":
            for child in prop:
                if child.tag == f"{W}rFonts":
                    encoding = _font_encoding(child) or encoding
                elif child.tag in (f"{W}caps", f"{W}smallCaps"):
                    capitals = bool(capitals) or on(child)
                elif child.tag == f"{W}rStyle" and child.get(f"{W}val"):
                    character_style = f"w:{child.get(f'{W}val')}"
        elif prop.tag == f"{S}rPr":  # a run of a spreadsheet's rich text
            for child in prop:
                if child.tag == f"{S}rFont":
                    encoding = legacy.font_encoding(child.get("val")) or encoding
        elif prop.tag == f"{A}rPr":
            if prop.get("cap") is not None:
                capitals = prop.get("cap") in ("all", "small")
            for child in prop:
                if child.tag in (f"{A}latin", f"{A}cs", f"{A}ea"):
                    encoding = legacy.font_encoding(child.get("typeface")) or encoding
    if character_style is not None:
        style_encoding, style_capitals = inherited(styles, character_style, (None, False))
        encoding = encoding or style_encoding
        if capitals is None and style_capitals:
            capitals = True
    return encoding or look[0], look[1] if capitals is None else capitals


def on(toggle: Any) -> bool:
    return toggle.get(f"{W}val", "true") not in ("0", "false", "off")


def _font_encoding(fonts: Any) -> str | None:
    """The legacy encoding of any of a run's fonts: TCVN3's letters are high ANSI codes, drawn by
    the `hAnsi` font even when the `ascii` one is Unicode."""
    for attribute in ("hAnsi", "ascii", "cs", "eastAsia"):
        encoding = legacy.font_encoding(fonts.get(f"{W}{attribute}"))
        if encoding:
            return encoding
    return None


def run_styles(archive: zipfile.ZipFile) -> dict[str, Style]:
    """Word's styles (`w:<id>`; document defaults as `w:`) and OpenDocument's (`o:<name>`) as they
    bear on what is shown: capitals, small capitals, a legacy font."""
    styles: dict[str, Style] = {}
    for name in archive.namelist():
        lower = name.lower()
        if not lower.endswith(".xml") or ("style" not in lower and "content" not in lower):
            continue
        data = archive.read(name)
        if b"styles" not in data[:4096] and b"office:document" not in data[:4096]:
            continue
        root = parse(data)
        if root is not None:
            _word_styles(root, styles)
            _odf_styles(root, styles)
    return styles


def _word_styles(root: Any, styles: dict[str, Style]) -> None:
    if root.tag != f"{W}styles":
        return
    for element in root.iter(f"{W}style", f"{W}rPrDefault"):
        capitals: bool | None = None
        encoding = None
        for rpr in element.iter(f"{W}rPr"):
            for child in rpr:
                if child.tag in (f"{W}caps", f"{W}smallCaps"):
                    capitals = bool(capitals) or on(child)
                elif child.tag == f"{W}rFonts":
                    encoding = _font_encoding(child) or encoding
        if element.tag == f"{W}rPrDefault":
            earlier = styles.get("w:", (None, None, None))
            styles["w:"] = (capitals or earlier[0], encoding or earlier[1], None)
            continue
        based = next((child.get(f"{W}val") for child in element if child.tag == f"{W}basedOn"), None)
        key = f"w:{element.get(f'{W}styleId')}"
        if key in styles:  # styles.xml and stylesWithEffects.xml both define it: the stricter reading
            earlier = styles[key]
            capitals = True if capitals or earlier[0] else capitals if capitals is not None else earlier[0]
            encoding = encoding or earlier[1]
        styles[key] = (capitals, encoding, f"w:{based}" if based else None)


def _odf_styles(root: Any, styles: dict[str, Style]) -> None:
    if not root.tag.startswith(OFFICE_NS):
        return
    faces = {face.get(f"{STYLE_NS}name"): face.get(f"{SVG_NS}font-family") or face.get(f"{STYLE_NS}name")
             for face in root.iter(f"{STYLE_NS}font-face")}
    for style in root.iter(f"{STYLE_NS}style"):
        capitals: bool | None = None
        encoding = None
        for properties in style.iter(f"{STYLE_NS}text-properties"):
            transform = properties.get(f"{FO_NS}text-transform")
            variant = properties.get(f"{FO_NS}font-variant")
            if transform is not None or variant is not None:
                capitals = transform == "uppercase" or variant == "small-caps"
            for font in (properties.get(f"{STYLE_NS}font-name"), properties.get(f"{FO_NS}font-family")):
                family = faces.get(font, font) if font else None
                encoding = encoding or legacy.font_encoding((family or "").strip("'\""))
        parent = style.get(f"{STYLE_NS}parent-style-name")
        styles[f"o:{style.get(f'{STYLE_NS}name')}"] = (capitals, encoding, f"o:{parent}" if parent else None)
