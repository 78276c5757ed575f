"""Office documents saved as one XML file, turned back into the packages they stand for.

Word opens a Flat OPC file (`<pkg:package>`, "Word XML Document") and a Word 2003 XML document
(`<w:wordDocument>`); LibreOffice opens flat OpenDocument files (`.fodt`, `.fods`, `.fodp`: one
`<office:document>`). Read as plain text their runs stay cut by tags, styles unapplied and pictures
unread; rebuilt as the package they describe, they are read like any DOCX or ODT
(bot/guard/office.py), pictures included. Pure: bytes in, bytes out.
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import zipfile

from lxml import etree

PKG = "{http://schemas.microsoft.com/office/2006/xmlPackage}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
WORD_2003 = b"http://schemas.microsoft.com/office/word/2003/wordml"
WORD_2006 = b"http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CT_WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_ROOT = re.compile(rb"<(?:[\w.-]+:)?(package|document|wordDocument)\b")


class FlatError(ValueError):
    """The file says it is a flat office document but cannot be rebuilt."""


def flat_package(content: bytes) -> bytes | None:
    """The package a flat office XML file stands for, or None when it is no such file."""
    head = content[:4096]
    found = _ROOT.search(head)
    if found is None or not (b"xmlPackage" in head or b"opendocument" in head or WORD_2003 in head):
        return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as error:
        raise FlatError("the office XML file is damaged; save it as DOCX or ODT and send it again") from error
    if root.tag == f"{PKG}package":
        return _opc(root)
    if root.tag == f"{OFFICE}document":
        mimetype = root.get(f"{OFFICE}mimetype") or "application/vnd.oasis.opendocument.text"
        return _zipped({"mimetype": mimetype.encode(), "content.xml": content})
    if root.tag.endswith("}wordDocument") and WORD_2003 in head:
        return _zipped({"[Content_Types].xml": _types({"/word/document.xml": CT_WORD}),
                        "word/document.xml": content.replace(WORD_2003, WORD_2006)})
    return None


def _opc(root: etree._Element) -> bytes:
    parts: dict[str, bytes] = {}
    types: dict[str, str] = {}
    for part in root.iter(f"{PKG}part"):
        name = (part.get(f"{PKG}name") or "").lstrip("/")
        if not name:
            continue
        types["/" + name] = part.get(f"{PKG}contentType") or "application/octet-stream"
        xml = part.find(f"{PKG}xmlData")
        binary = part.find(f"{PKG}binaryData")
        if xml is not None and len(xml):
            parts[name] = etree.tostring(xml[0], encoding="UTF-8", xml_declaration=True)
        elif binary is not None:
            try:
                parts[name] = base64.b64decode("".join((binary.text or "").split()))
            except (binascii.Error, ValueError) as error:
                raise FlatError("a part of the office XML file cannot be decoded; save it as DOCX") from error
    parts["[Content_Types].xml"] = _types(types)
    return _zipped(parts)


def _types(overrides: dict[str, str]) -> bytes:
    entries = "".join(f'<Override PartName="{name}" ContentType="{kind}"/>' for name, kind in overrides.items())
    return ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f"{entries}</Types>").encode()


def _zipped(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()
