"""Vietnamese typed in the pre-Unicode font encodings administrations still use: TCVN3 (ABC, the
`.Vn*` fonts) and VNI (the `VNI-*` fonts). Word stores the bytes as Latin-1 letters («TèI MËT») and
the font draws them as Vietnamese («TỐI MẬT»), so a run is judged only after it is converted by its
font. TCVN3's `…H` fonts (`.VnTimeH`, `.VnArialH`) draw every letter in capitals.
"""

from __future__ import annotations

import unicodedata

# TCVN 5712:1993 (VN3), lower-case letters of the `.Vn*` fonts; the capitals with no precomposed
# TCVN3 code are drawn by the `…H` fonts from these same codes.
_TCVN3 = {
    "¸": "á", "µ": "à", "¶": "ả", "·": "ã", "¹": "ạ",
    "¨": "ă", "¾": "ắ", "»": "ằ", "¼": "ẳ", "½": "ẵ", "Æ": "ặ",
    "©": "â", "Ê": "ấ", "Ç": "ầ", "È": "ẩ", "É": "ẫ", "Ë": "ậ",
    "®": "đ",
    "Ð": "é", "Ì": "è", "Î": "ẻ", "Ï": "ẽ", "Ñ": "ẹ",
    "ª": "ê", "Õ": "ế", "Ò": "ề", "Ó": "ể", "Ô": "ễ", "Ö": "ệ",
    "Ý": "í", "×": "ì", "Ø": "ỉ", "Ü": "ĩ", "Þ": "ị",
    "ã": "ó", "ß": "ò", "á": "ỏ", "â": "õ", "ä": "ọ",
    "«": "ô", "è": "ố", "å": "ồ", "æ": "ổ", "ç": "ỗ", "é": "ộ",
    "¬": "ơ", "í": "ớ", "ê": "ờ", "ë": "ở", "ì": "ỡ", "î": "ợ",
    "ó": "ú", "ï": "ù", "ñ": "ủ", "ò": "ũ", "ô": "ụ",
    "\xad": "ư", "ø": "ứ", "õ": "ừ", "ö": "ử", "÷": "ữ", "ù": "ự",
    "ý": "ý", "ú": "ỳ", "û": "ỷ", "ü": "ỹ", "þ": "ỵ",
    "¡": "Ă", "¢": "Â", "§": "Đ", "£": "Ê", "¤": "Ô", "¥": "Ơ", "¦": "Ư",
}
_TCVN3_TABLE = str.maketrans(_TCVN3)

# VNI: a base letter followed by a byte that draws its marks (a + Ù → á); a few letters are one byte.
_VNI_MARKS = {
    "ù": "\u0301", "ø": "\u0300", "û": "\u0309", "õ": "\u0303", "ï": "\u0323",
    "â": "\u0302", "á": "\u0302\u0301", "à": "\u0302\u0300", "å": "\u0302\u0309", "ã": "\u0302\u0303",
    "ä": "\u0302\u0323",
    "ê": "\u0306", "é": "\u0306\u0301", "è": "\u0306\u0300", "ú": "\u0306\u0309", "ü": "\u0306\u0303",
    "ë": "\u0306\u0323",
}
_VNI_LETTERS = {"ô": "ơ", "ö": "ư", "ñ": "đ", "í": "í", "ì": "ì", "æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ"}
_VNI_BASES = set("aeiouyAEIOUYơưƠƯ")


def font_encoding(font: str | None) -> str | None:
    """`tcvn3`, `tcvn3-upper` or `vni` for a legacy font name; None for a Unicode font."""
    if not font:
        return None
    name = font.strip().lower()
    if name.startswith(".vn"):
        return "tcvn3-upper" if name.endswith("h") else "tcvn3"
    if name.startswith("vni"):
        return "vni"
    return None


def convert(text: str, encoding: str | None) -> str:
    if encoding is None:
        return text
    if encoding.startswith("tcvn3"):
        converted = text.translate(_TCVN3_TABLE)
        return converted.upper() if encoding == "tcvn3-upper" else converted
    return vni_to_unicode(text)


def tcvn3_to_unicode(text: str) -> str:
    return text.translate(_TCVN3_TABLE)


def vni_to_unicode(text: str) -> str:
    out: list[str] = []
    for char in text:
        lower = char.lower()
        if out and lower in _VNI_MARKS and out[-1][-1:] and unicodedata.normalize("NFD", out[-1])[0] in _VNI_BASES:
            out[-1] = unicodedata.normalize("NFC", out[-1] + _VNI_MARKS[lower])
            continue
        if lower in _VNI_LETTERS:
            letter = _VNI_LETTERS[lower]
            out.append(letter.upper() if char != lower else letter)
            continue
        out.append(char)
    return "".join(out)
