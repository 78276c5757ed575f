"""The vocabularies the office readers share, and how a part is parsed: safely (no entities, no
network, no huge trees) and with ISO Strict documents read as the Transitional ones they mirror."""

from __future__ import annotations

from typing import Any

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
V = "{urn:schemas-microsoft-com:vml}"
TEXT_NS = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE_NS = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
XHTML = "{http://www.w3.org/1999/xhtml}"
OFFICE_NS = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
STYLE_NS = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
FO_NS = "{urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0}"
SVG_NS = "{urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0}"
P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
DC = "{http://purl.org/dc/elements/1.1/}"


# ISO/IEC 29500 Strict names its vocabularies otherwise; its documents are read as Transitional ones.
STRICT = ((b"http://purl.oclc.org/ooxml/wordprocessingml/main", b"http://schemas.openxmlformats.org/wordprocessingml/2006/main"),
          (b"http://purl.oclc.org/ooxml/spreadsheetml/main", b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"),
          (b"http://purl.oclc.org/ooxml/presentationml/main", b"http://schemas.openxmlformats.org/presentationml/2006/main"),
          (b"http://purl.oclc.org/ooxml/drawingml/main", b"http://schemas.openxmlformats.org/drawingml/2006/main"),
          (b"http://purl.oclc.org/ooxml/drawingml/chart", b"http://schemas.openxmlformats.org/drawingml/2006/chart"),
          (b"http://purl.oclc.org/ooxml/officeDocument/relationships",
           b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"))


def parse(data: bytes) -> Any:
    from lxml import etree

    if b"purl.oclc.org/ooxml/" in data[:8192]:
        for strict, transitional in STRICT:
            data = data.replace(strict, transitional)

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                             recover=True)
    try:
        return etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError:
        return None
