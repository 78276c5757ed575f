"""Judging the pictures of a file: each read by OCR and judged by the text rules, one at a time,
stopping at the first that blocks; anything that keeps a picture from being read blocks the file.

Fail closed: OCR not installed, `images: block` in the policy, a picture that cannot be decoded, a
file beyond the policy's pixel, page, picture or time limits — each is a block with a reason the
sender can act on (a catalogue key, so it is told in their language).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PIL import Image

from bot.guard.ocr import OcrTimeoutError, OcrUnavailableError, ocr_status
from bot.guard.ocr_text import OcrTextPreparer
from bot.guard.pictures import PictureError, pictures
from bot.guard.policy import GuardPolicy
from bot.guard.reading import read_picture
from bot.guard.verdict import Finding, GuardAction, Level, Verdict, highest

log = logging.getLogger(__name__)

PICTURE_KINDS = ("image", "pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp", "epub")
Judge = Callable[[str], Verdict]
HIGHER_SECONDS = 3.0  # reading time a blocked picture is given to show a higher marking than its first
TOP_RANK = max(level.rank for level in Level)


def _rank(verdict: Verdict) -> int:
    level = highest([f.level for f in verdict.findings if f.level is not None]) or verdict.level
    return 0 if level is None else level.rank


class ImageJudge:
    def __init__(self, policy: GuardPolicy) -> None:
        self.policy = policy
        self.preparer = OcrTextPreparer(policy)

    def judge(self, kind: str, content: bytes, judge_text: Judge) -> Verdict | str:
        """A blocking verdict, or the text read in the file's pictures (for an allowed file)."""
        if kind not in PICTURE_KINDS:
            return ""
        limits = self.policy.image_limits
        deadline = time.monotonic() + limits.seconds_per_file
        read: list[str] = []
        try:
            for picture in pictures(kind, content, limits):
                if picture.load is None:  # a vector picture's text (SVG)
                    verdict = judge_text(picture.text)
                    if verdict.action is not GuardAction.ALLOW:
                        return self._marked(verdict, picture.where)
                    continue
                refusal = self._cannot_read()
                if refusal is not None:
                    return refusal
                marked = self._highest_in(picture.load(), deadline, judge_text, read)
                if marked is not None:
                    return self._marked(marked, picture.where)
        except PictureError as error:
            return self._blocked(error.key, "unreadable-image", error.detail)
        except OcrTimeoutError:
            log.info("a file's pictures took longer than %s s to read; blocked", limits.seconds_per_file)
            return self._blocked("guard.reason.too_slow", "image-time-limit",
                                 f"reading its pictures took longer than {limits.seconds_per_file:g} s")
        except OcrUnavailableError:
            return self._blocked("guard.reason.ocr_missing", "ocr-unavailable", ocr_status().detail)
        return "\n".join(text for text in read if text)

    def _highest_in(self, image: Image.Image, deadline: float, judge_text: Judge, read: list[str]) -> Verdict | None:
        """The highest marking one picture carries, or None (its text added to `read`). A picture may
        hold two stamps, or a stamp and a typed field (a red `MẬT` and a black `TỐI MẬT`, `Độ mật: A`
        beside `MẬT`): the first read is not the level. Once one blocks, the rest of this picture is
        still read, for at most HIGHER_SECONDS more (the post is already blocked; only its level
        waits), and a read cut short by the file's time limit keeps what it found."""
        found: Verdict | None = None
        until = deadline
        try:
            for piece in read_picture(image, deadline, self.preparer.holds_stamp):
                verdict = judge_text(self.preparer.prepare(piece.text, joined=piece.stamps))
                if verdict.action is GuardAction.ALLOW:
                    if found is None:
                        read.append(piece.text.strip())
                elif found is None or _rank(verdict) > _rank(found):
                    found = verdict
                    until = min(until, time.monotonic() + HIGHER_SECONDS)
                if found is not None and (_rank(found) >= TOP_RANK or time.monotonic() >= until):
                    break
        except OcrTimeoutError:
            if found is None:
                raise
        return found

    def _cannot_read(self) -> Verdict | None:
        if self.policy.images == "block":
            return self._blocked("guard.reason.images_blocked", "images-blocked",
                                 "this deployment accepts no images; send the text instead")
        if not ocr_status().available:
            return self._blocked("guard.reason.ocr_missing", "ocr-unavailable",
                                 "the bot cannot read images here (OCR is not installed); send the text instead")
        return None

    def _blocked(self, key: str, rule: str, reason: str) -> Verdict:
        return Verdict(GuardAction.BLOCK, None, None, (), rule, self.policy.policy_hash, reason=reason,
                       reason_key=key)

    def _marked(self, inner: Verdict, where: str) -> Verdict:
        findings = tuple(Finding(f"image:{f.rule}", f.start, f.end, f.level, f.action) for f in inner.findings)
        level = highest([f.level for f in inner.findings if f.level is not None]) or inner.level
        return Verdict(GuardAction.BLOCK, level, None, findings, f"image:{inner.rule}", self.policy.policy_hash,
                       reason=f"a picture ({where}) carries a secrecy marking",
                       reason_key="guard.reason.image_marking")
