"""Fields in RTF as Word shows them once updated (issue 24, class 4, third round), as DOCX fields
are read (bot/guard/word_fields.py): a field's instruction (`{\\*\\fldinst …}`) was skipped
whole, so `QUOTE "TỐI MẬT"`, a QUOTE of character codes and a SYMBOL inside a word passed behind a
harmless saved result; an IF shows only its two texts, so a mail merge comparing with «MẬT» passes."""

from __future__ import annotations

import pytest

from bot.guard.engine import Guard
from bot.guard.verdict import GuardAction, Level


def rtf(body: bytes) -> bytes:
    return b"{\\rtf1\\ansi " + body + b"\\par}"


CODES = " ".join(str(ord(character)) for character in "TỐI MẬT").encode()


@pytest.mark.parametrize(("name", "content", "level"), [
    ("quote", rtf(b'{\\field{\\*\\fldinst QUOTE "T\\u7888?I M\\u7852?T"}{\\fldrslt Thuong}}'), Level.TOI_MAT),
    ("quote-of-codes", rtf(b"{\\field{\\*\\fldinst QUOTE " + CODES + b"}{\\fldrslt Thuong}}"), Level.TOI_MAT),
    ("symbol-inside-a-word", rtf(b"T\\u7888?I M{\\field{\\*\\fldinst SYMBOL 7852 \\\\u}{\\fldrslt }}T"), Level.TOI_MAT),
    ("quote-of-nested-symbols", rtf(b"{\\field{\\*\\fldinst QUOTE " + b" ".join(
        b"{\\field{\\*\\fldinst SYMBOL " + str(ord(character)).encode() + b" \\\\u}{\\fldrslt }}"
        for character in "TUYỆT MẬT") + b"}{\\fldrslt Thuong}}"), Level.TUYET_MAT),
])
def test_what_an_rtf_field_shows_is_judged(guard: Guard, name: str, content: bytes, level: Level) -> None:
    verdict = guard.scan_document("van-ban.rtf", content)
    assert verdict.action is GuardAction.BLOCK and verdict.level is level, (name, verdict.reason)


@pytest.mark.parametrize(("name", "content"), [
    ("merge-if-comparing-with-a-level", rtf(b'{\\field{\\*\\fldinst IF {\\field{\\*\\fldinst MERGEFIELD DoMat}'
                                            b'{\\fldrslt x}} = "M\\u7852?T" "Xem" "Thuong"}{\\fldrslt Thuong}}')),
    ("page-number", rtf(b"Trang {\\field{\\*\\fldinst PAGE}{\\fldrslt 1}}")),
    ("hyperlink", rtf(b'{\\field{\\*\\fldinst HYPERLINK "https://example.vn/bao-mat"}'
                      b"{\\fldrslt b\\u7843?o m\\u7853?t}}")),
])
def test_rtf_fields_that_show_nothing_marked_pass(guard: Guard, name: str, content: bytes) -> None:
    assert guard.scan_document("van-ban.rtf", content).action is GuardAction.ALLOW, name
