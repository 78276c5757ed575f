"""The guard: a verdict for every text and file before anything is stored or relayed.

It fails closed: a file it cannot read is blocked with a reason the sender can act on, and an
error inside the guard blocks the content (rule `guard-error`) instead of letting it through.
"""

from __future__ import annotations

import itertools
import logging
import re
from dataclasses import replace
from pathlib import Path

from bot.guard.detect import Detector
from bot.guard.extract import FileTooLargeError, UnreadableFileError, extract
from bot.guard.images import ImageJudge
from bot.guard.markup import Part
from bot.guard.normalise import Skeleton, normalise
from bot.guard.policy import LEVEL_NAMES_VI, GuardPolicy, ImageLimits, load_guard_policy
from bot.guard.respelled import respelled, symbol_letters, turned, typed_heads, typed_words, undoubled_split
from bot.guard.terms import content_hmac
from bot.guard.verdict import Finding, GuardAction, Level, Verdict, highest
from bot.guard.views import (
    LINE_BREAKS,
    columns,
    displayed,
    lettered,
    may_hold_markup,
    stacked,
    unbroken,
    without_markup,
)

log = logging.getLogger(__name__)

TERMS_KEY_PURPOSE = "guard-terms"
ALLOW_RULE = "no-marking"
MAX_PART_DEPTH = 3  # an attachment of an attachment of an e-mail; deeper is refused, not skipped

__all__ = ["ALLOW_RULE", "TERMS_KEY_PURPOSE", "Guard", "content_hmac"]


class Guard:
    def __init__(self, policy: GuardPolicy, term_key: bytes | None) -> None:
        self.policy = policy
        self.term_key = term_key  # the worker processes build their own guard from the same two
        self.detector = Detector(policy, term_key)
        self.images = ImageJudge(policy)
        # The word every Vietnamese marking and field's name holds (MẬT): a marking typed in Telex or
        # VNI, or with its letters doubled, holds it so, which one quick search tells (respelled);
        # and the words right before it (TỐI, TUYỆT, ĐỘ), which typed so make a plain MẬT a marking.
        self._typed_common, self._typed_heads = typed_words([*itertools.chain(*policy.markings.values()),
                                                             *policy.fields])

    @classmethod
    def from_policy_dir(cls, policy_dir: Path, term_key: bytes | None) -> Guard:
        return cls(load_guard_policy(policy_dir), term_key)

    @property
    def policy_hash(self) -> str:
        return self.policy.policy_hash

    # -- texts ----------------------------------------------------------------------------------

    @property
    def placeholder(self) -> str:
        """What a redacted portion is replaced by ("{level}" names its level)."""
        return self.policy.placeholder

    @property
    def image_limits(self) -> ImageLimits:
        return self.policy.image_limits

    def scan_text(self, text: str) -> Verdict:
        """Judge a message, caption or title."""
        try:
            return self._judge(text)
        except Exception:  # the guard failing must never let content through
            log.exception("guard failed on a text; blocked")  # the traceback holds no content
            return self._error_verdict("the message could not be checked")

    def _judge(self, text: str) -> Verdict:
        """The strictest verdict over the text as typed, as displayed, without its markup, read
        down its columns and with regional indicators as letters: a disguise never lowers the level.
        A redaction found only in another view is made in that view, which is then what may be
        stored."""
        skeleton = normalise(text)
        # Where the stamps' scans saw a marking's word with its letters doubled, or a word before MẬT
        # typed in Telex or VNI: the text is read so too (bot.guard.respelled).
        respell: list[int] = []
        verdict = self._judge_view(text, skeleton, respell)
        if verdict.action is GuardAction.BLOCK and verdict.level is Level.TUYET_MAT:
            return verdict  # nothing is stricter
        # Asked of the skeleton, nearly always ASCII and so searched at memchr speed: the overrides
        # are among what it drops, and the characters markup needs survive folding.
        shown = displayed(text) if skeleton.index is not None else None
        # Where a marking below the highest was found, the words before it are read respelled too.
        raisable = [f.start for f in verdict.findings if f.level is not Level.TUYET_MAT]
        views = [shown, without_markup(text) if may_hold_markup(skeleton.text) else None,
                 None if shown is None else without_markup(shown), stacked(skeleton), columns(skeleton),
                 unbroken(skeleton, self.detector.forms.words),
                 lettered(skeleton, self.detector.forms.words), symbol_letters(skeleton),
                 respelled(skeleton, self._typed_common, raisable), turned(skeleton),
                 undoubled_split(text) if respell else None,
                 typed_heads(skeleton, self._typed_common, self._typed_heads) if respell else None,
                 None if shown is None else respelled(normalise(shown), self._typed_common)]
        for view in views:
            if view is not None:
                verdict = _stricter(verdict, self._judge_view(view, normalise(view)))
        return verdict

    def _judge_view(self, text: str, skeleton: Skeleton, respell: list[int] | None = None) -> Verdict:
        regions, stamps = self.detector.find(skeleton, respell)
        findings = tuple(sorted([*regions, *stamps], key=lambda f: (f.start, f.end)))
        blocking = sorted((f for f in stamps if f.action is GuardAction.BLOCK), key=lambda f: f.start)
        if blocking:
            decisive = max(blocking, key=_rank)  # the first of the highest level
            level = highest([f.level for f in findings if f.level is not None])
            return Verdict(GuardAction.BLOCK, level, None, findings, decisive.rule, self.policy_hash)
        regions += [_whole_line(text, f) for f in stamps]  # stamps a deployment chose to redact
        if regions:
            decisive = max(regions, key=_rank)
            level = highest([f.level for f in regions if f.level is not None])
            return Verdict(GuardAction.REDACT, level, self._redact(text, regions), findings, decisive.rule,
                           self.policy_hash)
        return Verdict(GuardAction.ALLOW, None, text, (), ALLOW_RULE, self.policy_hash)

    def _redact(self, text: str, regions: list[Finding]) -> str:
        """Cut each region (overlaps merged) and put a placeholder naming its level in its place."""
        merged: list[tuple[int, int, Level | None]] = []
        for region in sorted(regions, key=lambda r: r.start):
            if merged and region.start < merged[-1][1]:
                start, end, level = merged[-1]
                merged[-1] = (start, max(end, region.end), highest([lv for lv in (level, region.level) if lv]))
            else:
                merged.append((region.start, region.end, region.level))
        out, cursor = [], 0
        for start, end, level in merged:
            out.append(text[cursor:start])
            out.append(self.policy.placeholder.format(level=LEVEL_NAMES_VI[level or Level.MAT]))
            cursor = end
        out.append(text[cursor:])
        return "".join(out)

    # -- files ----------------------------------------------------------------------------------

    def scan_document(self, file_name: str, content: bytes, mime_type: str | None = None) -> Verdict:
        """Judge a file as sent: its name, then its content by its type; unreadable means blocked."""
        try:
            return self._judge_document(file_name, content, mime_type)
        except Exception:
            log.exception("guard failed on a file; blocked")
            return self._error_verdict("the file could not be checked; send its text instead")

    def scan_file_name(self, file_name: str) -> Verdict:
        """A file name is a stamp's favourite place: it is judged as a line of its own, words split
        on underscores, and a marking there blocks in any case unless it is the bare, ambiguous
        `mat` (mất, mặt, mát...)."""
        spaced = file_name.replace("_", " ")
        verdict = self._judge(spaced)
        if verdict.action is not GuardAction.ALLOW:
            return verdict
        skeleton = normalise(spaced)
        findings = []
        for start, end, form in self.detector.forms.find(skeleton):
            original = skeleton.original_of(start, end)
            bare = len(form.words) == 1 and original.isascii() and any(marks for _, marks in form.letters)
            if bare or self.detector.stamps.compounds.holds(skeleton, start, end, form):
                continue
            findings.append(Finding("marking-in-file-name", skeleton.start(start), skeleton.end(end), form.level,
                                    GuardAction.BLOCK))
        if not findings:
            return verdict
        level = highest([f.level for f in findings if f.level is not None])
        return Verdict(GuardAction.BLOCK, level, None, tuple(findings), "marking-in-file-name", self.policy_hash)

    def _judge_document(self, file_name: str, content: bytes, mime_type: str | None, depth: int = 0) -> Verdict:
        digest = self.policy_hash
        name = self.scan_file_name(file_name)
        if name.action is not GuardAction.ALLOW:
            return Verdict(GuardAction.BLOCK, name.level, None, _prefixed("file-name", name.findings),
                           f"file-name:{name.rule}", digest, reason="the file name carries a secrecy marking",
                           reason_key="guard.reason.file_name")
        if len(content) > self.policy.max_file_bytes:
            return Verdict(GuardAction.BLOCK, None, None, (), "file-too-large", digest,
                           reason=f"files over {self.policy.max_file_bytes / 1_000_000:g} MB cannot be checked; "
                                  "send a smaller file or its text", reason_key="guard.reason.file_too_large")
        try:
            extracted = extract(file_name, content, mime_type, self.policy.archive_limits)
        except FileTooLargeError as error:
            return Verdict(GuardAction.BLOCK, None, None, (), "file-too-large", digest, reason=str(error),
                           reason_key="guard.reason.file_too_large")
        except UnreadableFileError as error:
            return Verdict(GuardAction.BLOCK, None, None, (), "unreadable-file", digest, reason=str(error),
                           reason_key="guard.reason.unreadable_file")
        inner = self._judge(extracted.text)
        if inner.action is GuardAction.BLOCK:
            return Verdict(GuardAction.BLOCK, inner.level, None, _prefixed("document", inner.findings),
                           f"document:{inner.rule}", digest, reason="the document carries a secrecy marking",
                           reason_key="guard.reason.document_marking")
        if inner.action is GuardAction.REDACT:
            # A file cannot be relayed with parts cut out of it; its sender must remove them.
            return Verdict(GuardAction.BLOCK, inner.level, None, _prefixed("document", inner.findings),
                           f"document:{inner.rule}", digest,
                           reason="the document holds classified portions or registered terms; "
                                  "remove them and send it again", reason_key="guard.reason.portions")
        read = self.images.judge(extracted.kind, content, self._judge)
        if isinstance(read, Verdict):
            return read
        inside = self._judge_parts(extracted.parts, depth)
        if isinstance(inside, Verdict):
            return inside
        text = "\n".join(part for part in (extracted.text, read, inside) if part)
        return Verdict(GuardAction.ALLOW, None, text, (), ALLOW_RULE, digest)

    def _judge_parts(self, parts: tuple[Part, ...], depth: int) -> Verdict | str:
        """The files inside a file (an e-mail's attachments, a page's pictures, an SVG as drawn), each
        judged as if sent alone, name included; the first that is not allowed decides for the file."""
        if parts and depth >= MAX_PART_DEPTH:
            return Verdict(GuardAction.BLOCK, None, None, (), "unreadable-file", self.policy_hash,
                           reason=f"files nested more than {MAX_PART_DEPTH} deep cannot be checked; "
                                  "send the inner files on their own", reason_key="guard.reason.unreadable_file")
        read = []
        for part in parts:
            verdict = self._judge_document(part.name, part.content, part.mime, depth + 1)
            if verdict.action is not GuardAction.ALLOW:
                return Verdict(GuardAction.BLOCK, verdict.level, None, _prefixed("part", verdict.findings),
                               verdict.rule if (verdict.rule or "").startswith("part:") else f"part:{verdict.rule}",
                               self.policy_hash, reason=verdict.reason if depth else
                               f"a file inside it ({part.name}): {verdict.reason or 'not allowed'}",
                               reason_key=verdict.reason_key or "guard.reason.document_marking")
            read.append(verdict.text or "")
        return "\n".join(text for text in read if text)

    def _error_verdict(self, reason: str) -> Verdict:
        return Verdict(GuardAction.BLOCK, None, None, (), "guard-error", self.policy_hash, reason=reason,
                       reason_key="guard.reason.guard_error")


def _rank(finding: Finding) -> int:
    return finding.level.rank if finding.level else 0


_SEVERITY = {GuardAction.ALLOW: 0, GuardAction.REDACT: 1, GuardAction.BLOCK: 2}


def _stricter(first: Verdict, second: Verdict) -> Verdict:
    """The verdict with the stricter action (then the higher level); a block carries the highest
    level either found."""
    def severity(verdict: Verdict) -> tuple[int, int]:
        return _SEVERITY[verdict.action], verdict.level.rank if verdict.level else 0
    chosen = second if severity(second) > severity(first) else first
    level = highest([lv for lv in (first.level, second.level) if lv is not None])
    if chosen.action is GuardAction.BLOCK and level is not chosen.level:
        return replace(chosen, level=level)
    return chosen


def _prefixed(prefix: str, findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
    return tuple(Finding(f"{prefix}:{f.rule}", f.start, f.end, f.level, f.action) for f in findings)


def _whole_line(text: str, finding: Finding) -> Finding:
    start = max(text.rfind(char, 0, finding.start) for char in LINE_BREAKS) + 1
    after = _LINE_BREAK.search(text, finding.end)
    return Finding(finding.rule, start, len(text) if after is None else after.start(), finding.level,
                   GuardAction.REDACT)


_LINE_BREAK = re.compile(f"[{LINE_BREAKS}]")
