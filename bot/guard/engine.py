"""The guard: a verdict for every text and file before anything is stored or relayed."""

from __future__ import annotations

import hashlib
import hmac
import logging
from pathlib import Path

from bot.config import Settings
from bot.errors import KeyMissingError
from bot.guard.detect import Detector
from bot.guard.extract import UnreadableFileError, extract
from bot.guard.normalise import normalise
from bot.guard.policy import LEVEL_NAMES_VI, GuardPolicy, load_guard_policy
from bot.guard.verdict import Finding, GuardAction, Level, Verdict, highest
from bot.store.keys import KeyStore

log = logging.getLogger(__name__)

TERMS_KEY_PURPOSE = "guard-terms"


def content_hmac(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


class Guard:
    def __init__(self, policy: GuardPolicy, term_key: bytes | None) -> None:
        self.policy = policy
        self.detector = Detector(policy, term_key)

    @classmethod
    def from_policy_dir(cls, policy_dir: Path, term_key: bytes | None) -> Guard:
        return cls(load_guard_policy(policy_dir), term_key)

    def scan_text(self, text: str) -> Verdict:
        try:
            return self._scan_text(text)
        except Exception:  # the guard failing must never let content through
            log.exception("guard failed on a text; blocked")
            return Verdict(GuardAction.BLOCK, None, None, (), "guard-error", self.policy.policy_hash)

    def _scan_text(self, text: str) -> Verdict:
        skeleton = normalise(text)
        regions = self.detector.redactions(skeleton)
        stamps = self.detector.stamps(skeleton, regions)
        findings = tuple(sorted([*regions, *stamps], key=lambda f: (f.start, f.end)))
        blocking = [f for f in stamps if f.action is GuardAction.BLOCK]
        if blocking:
            decisive = max(blocking, key=lambda f: f.level.rank if f.level else 0)
            level = highest([f.level for f in findings if f.level is not None])
            return Verdict(GuardAction.BLOCK, level, None, findings, decisive.rule, self.policy.policy_hash)
        regions += [_whole_line(text, f) for f in stamps]  # stamps a deployment chose to redact
        if regions:
            decisive = max(regions, key=lambda f: f.level.rank if f.level else 0)
            return Verdict(GuardAction.REDACT, decisive.level, self._redact(text, regions), findings,
                           decisive.rule, self.policy.policy_hash)
        return Verdict(GuardAction.ALLOW, None, text, (), None, self.policy.policy_hash)

    def _redact(self, text: str, regions: list[Finding]) -> str:
        merged: list[list[int | Level | None]] = []
        for region in sorted(regions, key=lambda r: r.start):
            if merged and region.start < int(merged[-1][1]):  # type: ignore[arg-type]
                last = merged[-1]
                last[1] = max(int(last[1]), region.end)  # type: ignore[arg-type]
                last[2] = highest([lv for lv in (last[2], region.level) if isinstance(lv, Level)])
            else:
                merged.append([region.start, region.end, region.level])
        out, cursor = [], 0
        for start, end, level in merged:
            assert isinstance(start, int) and isinstance(end, int)
            out.append(text[cursor:start])
            name = LEVEL_NAMES_VI[level] if isinstance(level, Level) else "?"
            out.append(self.policy.placeholder.format(level=name))
            cursor = end
        out.append(text[cursor:])
        return "".join(out)

    def scan_document(self, file_name: str, content: bytes, mime_type: str | None = None) -> Verdict:
        try:
            return self._scan_document(file_name, content, mime_type)
        except Exception:
            log.exception("guard failed on a file; blocked")
            return Verdict(GuardAction.BLOCK, None, None, (), "guard-error", self.policy.policy_hash,
                           reason="the file could not be checked")

    def _scan_document(self, file_name: str, content: bytes, mime_type: str | None) -> Verdict:
        digest = self.policy.policy_hash
        name = self._scan_text(file_name)
        if name.action is not GuardAction.ALLOW:
            return Verdict(GuardAction.BLOCK, name.level, None, name.findings, f"file-name:{name.rule}", digest,
                           reason="the file name carries a secrecy marking")
        if len(content) > self.policy.max_file_bytes:
            return Verdict(GuardAction.BLOCK, None, None, (), "file-too-large", digest,
                           reason=f"files over {self.policy.max_file_bytes // 1_000_000} MB cannot be checked")
        try:
            extracted = extract(file_name, content, mime_type)
        except UnreadableFileError as error:
            return Verdict(GuardAction.BLOCK, None, None, (), "unreadable-file", digest, reason=str(error))
        if extracted.kind == "image":
            if self.policy.photos == "allow":
                return Verdict(GuardAction.ALLOW, None, "", (), None, digest)
            return Verdict(GuardAction.BLOCK, None, None, (), "photo", digest,
                           reason="photos cannot be checked for secrecy markings; send the text instead")
        inner = self._scan_text(extracted.text)
        if inner.action is GuardAction.BLOCK:
            return Verdict(GuardAction.BLOCK, inner.level, None, inner.findings, f"document:{inner.rule}", digest,
                           reason="the document carries a secrecy marking")
        if inner.action is GuardAction.REDACT:
            return Verdict(GuardAction.BLOCK, inner.level, None, inner.findings, f"document:{inner.rule}", digest,
                           reason="the document holds classified portions; remove them and send it again")
        return Verdict(GuardAction.ALLOW, None, extracted.text, (), None, digest)


def _whole_line(text: str, finding: Finding) -> Finding:
    start = text.rfind("\n", 0, finding.start) + 1
    end = text.find("\n", finding.end)
    return Finding(finding.rule, start, len(text) if end == -1 else end, finding.level, GuardAction.REDACT)


def default_guard(settings: Settings) -> Guard:
    """The deployment's guard. Without the HMAC key, registered terms cannot be matched: refuse."""
    policy = load_guard_policy(settings.policy_dir)
    try:
        term_key = KeyStore(settings.keys_dir).hmac_key(TERMS_KEY_PURPOSE)
    except KeyMissingError:
        if policy.terms:
            raise
        term_key = None
    return Guard(policy, term_key)
