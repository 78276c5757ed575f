"""Helpers shared between test modules, and the test doubles.

Test modules (conftests included) import from each other only through this package:
tests/unit/test_architecture.py checks it. Here: KeywordGuard; paths (the checkout, the example
roster); flow (use cases run without Telegram); consultation (a whole one, for transcripts); store;
e2e (the real bot against the sandbox); crowd (many focal points, the bot in its own process);
sandbox; telegram_schema (calls checked against aiogram's models); image_corpus; bench.
"""

from __future__ import annotations


class KeywordGuard:
    """A stand-in for the secrets guard where the flow's handling of verdicts is under test."""

    class Verdict:
        def __init__(self, action: str, text: str | None, level: str | None = None) -> None:
            self.action, self.text, self.level, self.rule = action, text, level, "test"

    def scan_text(self, text: str) -> KeywordGuard.Verdict:
        if "TỐI MẬT" in text:
            return self.Verdict("block", None, "toi_mat")
        if "[MẬT]" in text:
            return self.Verdict("redact", text.split("[MẬT]")[0] + "[đã lược bỏ: Mật]", "mat")
        return self.Verdict("allow", text)

    def scan_document(self, file_name: str, content: bytes, mime_type: str | None = None) -> KeywordGuard.Verdict:
        return self.Verdict("block", None)
