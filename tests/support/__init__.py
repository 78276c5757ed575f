"""Helpers shared between test modules, and the test doubles.

Test modules (conftests included) import from each other only through this package:
tests/unit/test_architecture.py checks it. Here: KeywordGuard; paths (the checkout, the example
roster); flow (use cases run without Telegram); consultation (a whole one, for transcripts); store;
e2e (the real bot against the sandbox); crowd (many focal points, the bot in its own process);
sandbox; telegram_schema (calls checked against aiogram's models); image_corpus; bench.
"""

from __future__ import annotations

from bot.guard.policy import ImageLimits
from bot.guard.verdict import GuardAction, Level, Verdict


def verdict(action: str, text: str | None, level: str | None = None, rule: str = "test") -> Verdict:
    """A guard's verdict as the port types it, from the words a test writes."""
    return Verdict(GuardAction(action), None if level is None else Level(level), text, rule=rule)


class KeywordGuard:
    """A stand-in for the secrets guard where the flow's handling of verdicts is under test."""

    placeholder = "[đã lược bỏ: {level}]"
    image_limits = ImageLimits()

    @staticmethod
    def Verdict(action: str, text: str | None, level: str | None = None) -> Verdict:
        return verdict(action, text, level)

    def scan_text(self, text: str) -> Verdict:
        if "TỐI MẬT" in text:
            return self.Verdict("block", None, "toi_mat")
        if "[MẬT]" in text:
            return self.Verdict("redact", text.split("[MẬT]")[0] + "[đã lược bỏ: Mật]", "mat")
        return self.Verdict("allow", text)

    def scan_document(self, file_name: str, content: bytes, mime_type: str | None = None) -> Verdict:
        return self.Verdict("block", None)
