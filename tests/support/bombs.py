"""Files that unpack to far more than they weigh: the guard must refuse them before parsing."""

from __future__ import annotations

import io
import zipfile

CONTENT_TYPES = (b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 b'<Default Extension="xml" ContentType="application/xml"/></Types>')


def docx_bomb(unpacked: int) -> bytes:
    """A DOCX whose body is `unpacked` bytes of one repeated run: tiny packed, huge unpacked."""
    out = io.BytesIO()
    run = b"<w:p><w:r><w:t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</w:t></w:r></w:p>"
    head = (b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/'
            b'2006/main"><w:body>')
    tail = b"</w:body></w:document>"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        with archive.open("word/document.xml", "w", force_zip64=True) as body:
            body.write(head)
            chunk = run * (1_000_000 // len(run))
            written = 0
            while written < unpacked:
                body.write(chunk)
                written += len(chunk)
            body.write(tail)
    return out.getvalue()
