"""The guard's policy: `policies/guard.yaml` plus registered terms (`guard-terms.yaml`, hashes only)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.errors import PolicyError
from bot.guard.verdict import Level
from bot.policy.yaml_source import load_located_yaml, validate_located

GUARD_FILE = "guard.yaml"
TERMS_FILE = "guard-terms.yaml"
LEVEL_NAMES_VI = {Level.MAT: "Mật", Level.TOI_MAT: "Tối mật", Level.TUYET_MAT: "Tuyệt mật"}


class RegisteredTerm(BaseModel):
    """A codeword or reference number, kept only as an HMAC of its normalised words."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    hmac: str = Field(pattern=r"^[0-9a-f]{64}$")
    words: int = Field(ge=1, le=12)
    first: str | None = Field(default=None, pattern=r"^[0-9a-f]{16}$")  # keyed tag of the first word
    # The term's letters run together, to find it split by its own letters or digits (C D 2025 47).
    compact: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    chars: int | None = Field(default=None, ge=1, le=400)
    head: str | None = Field(default=None, pattern=r"^[0-9a-f]{16}$")  # keyed tag of the first letter
    level: Level
    note: str | None = Field(default=None, max_length=200)  # who registered it and why; never the term


class TermsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    terms: list[RegisteredTerm] = []


class ImageLimits(BaseModel):
    """What the guard will read in one file before it gives up (and blocks: fail closed)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_pixels: int = Field(default=40_000_000, gt=0)  # per picture, read from its header before decoding
    max_pages: int = Field(default=20, gt=0)  # scanned pages (PDF pages without text, TIFF pages)
    max_images: int = Field(default=40, gt=0)  # pictures placed in a PDF, DOCX or XLSX
    seconds_per_file: float = Field(default=60.0, gt=0)


class ArchiveLimits(BaseModel):
    """What a zip-based document (DOCX, XLSX, ...) may unpack to, checked from its directory before
    any part is parsed: a small file that inflates to hundreds of megabytes is refused as too large
    in milliseconds instead of being parsed for half a minute in gigabytes of memory."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_total_bytes: int = Field(default=60_000_000, gt=0)  # all parts together, unpacked
    max_member_bytes: int = Field(default=30_000_000, gt=0)  # one part, unpacked
    # Unpacked over packed, for parts over a megabyte: XML packs 5-20x, a bomb thousands of times.
    max_ratio: float = Field(default=200.0, gt=1)
    max_members: int = Field(default=5_000, gt=0)


class WorkerLimits(BaseModel):
    """What one guard worker process may hold: past `max_rss_mb` while reading it is killed and the
    file refused as too large (fail closed); after `files_per_worker` files, or when it keeps more
    than `keep_rss_mb` after a file, it is replaced by a fresh one."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_rss_mb: int = Field(default=1024, gt=64)
    keep_rss_mb: int = Field(default=400, gt=32)
    files_per_worker: int = Field(default=200, gt=0)


class GuardPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    markings: dict[Level, list[str]]
    # Marks only secret material carries (TÀI LIỆU THU HỒI...): stamps of level `mat`, or of the
    # higher level found beside them.
    handling_marks: list[str] = []
    compounds: list[str] = []
    # Markings that are also nouns (MẬT: bile, honey, a secret): followed in capitals by a word that
    # makes a compound with them (MẬT GẤU, MẬT ĐÀM) they are that compound, not a stamp — unless the
    # word is one that follows a stamp (`stamp_followers`: KHẨN, SỐ, GỬI, KHÔNG...) or a document
    # noun comes before them (`stamp_nouns`: TÀI LIỆU MẬT is a classified document).
    head_nouns: list[str] = []
    stamp_followers: list[str] = []
    stamp_nouns: list[str] = []
    urgency_marks: list[str] = []
    fields: list[str] = Field(default_factory=lambda: ["Độ mật", "Classification"])
    unclassified_values: list[str] = []
    stamp_action: dict[Level, Literal["block", "redact"]] = {}
    portion_marks: bool = True
    spans: bool = True
    placeholder: str = "[đã lược bỏ: {level}]"
    max_file_bytes: int = Field(default=20_000_000, gt=0)
    # Images (photos, image files, scans, pictures in documents): read them by OCR, or block them all.
    images: Literal["read", "block"] = "read"
    image_limits: ImageLimits = ImageLimits()
    archive_limits: ArchiveLimits = ArchiveLimits()
    worker_limits: WorkerLimits = WorkerLimits()
    unreadable_files: Literal["block"] = "block"
    terms: tuple[RegisteredTerm, ...] = ()
    policy_hash: str = ""

    @field_validator("markings")
    @classmethod
    def _every_level(cls, markings: dict[Level, list[str]]) -> dict[Level, list[str]]:
        missing = [level.value for level in Level if not markings.get(level)]
        if missing:
            raise ValueError(f"no forms given for level(s) {', '.join(missing)}")
        return markings

    @field_validator("markings")
    @classmethod
    def _forms_have_letters(cls, markings: dict[Level, list[str]]) -> dict[Level, list[str]]:
        for level, forms in markings.items():
            for form in forms:
                if not _has_letters(form):
                    raise ValueError(f"{level.value}: the form {form!r} has no letters")
        return markings

    @field_validator("handling_marks", "compounds", "urgency_marks", "fields", "unclassified_values", "head_nouns",
                     "stamp_followers", "stamp_nouns")
    @classmethod
    def _phrases_have_letters(cls, phrases: list[str]) -> list[str]:
        for text in phrases:
            if not _has_letters(text):
                raise ValueError(f"{text!r} has no letters")
        return phrases

    @field_validator("placeholder")
    @classmethod
    def _placeholder(cls, value: str) -> str:
        if "{level}" not in value:
            raise ValueError("the placeholder must name the level with {level}")
        try:
            value.format(level="Mật")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"the placeholder may hold no other {{...}} than {{level}} ({exc})") from exc
        return value

    def action_for(self, level: Level) -> str:
        return self.stamp_action.get(level, "block")


def _has_letters(text: str) -> bool:
    return any(char.isalnum() for char in text)


def load_guard_policy(policy_dir: Path) -> GuardPolicy:
    """Read and validate the guard policy; problems name the file and the line."""
    located = load_located_yaml(policy_dir / GUARD_FILE)
    if isinstance(located.data, dict):
        if "photos" in located.data:
            raise PolicyError(f"{located.path}:{located.line_of(('photos',))}: photos: is replaced by "
                              "`images: read` (read images by OCR, the default) or `images: block`")
        for computed in ("terms", "policy_hash"):
            if computed in located.data:
                raise PolicyError(f"{located.path}:{located.line_of((computed,))}: {computed}: is not set here "
                                  f"(terms go in {TERMS_FILE} through `consult policy add-term`)")
    policy = validate_located(located, GuardPolicy)
    digest = hashlib.sha256((policy_dir / GUARD_FILE).read_bytes())
    terms_path = policy_dir / TERMS_FILE
    terms: tuple[RegisteredTerm, ...] = ()
    if terms_path.exists():
        terms = tuple(validate_located(load_located_yaml(terms_path), TermsFile).terms)
        digest.update(terms_path.read_bytes())
    return policy.model_copy(update={"terms": terms, "policy_hash": digest.hexdigest()})


def add_term(policy_dir: Path, term_hmac: str, words: int, level: Level, note: str | None,
             first: str | None = None, *, compact: str | None = None, chars: int | None = None,
             head: str | None = None) -> int:
    """Append a registered term's hash to the terms file; returns how many terms it now holds."""
    if not (policy_dir / GUARD_FILE).is_file():
        raise PolicyError(f"{policy_dir} holds no {GUARD_FILE}; name the deployment's policy directory")
    path = policy_dir / TERMS_FILE
    current = TermsFile()
    if path.exists():
        current = validate_located(load_located_yaml(path), TermsFile)
    if any(t.hmac == term_hmac for t in current.terms):
        raise PolicyError(f"{path}: this term is already registered")
    current.terms.append(RegisteredTerm(hmac=term_hmac, words=words, first=first, level=level, note=note,
                                        compact=compact, chars=chars, head=head))
    header = "# Registered terms, kept only as HMACs of their normalised words. Add with `consult policy add-term`.\n"
    body = yaml.safe_dump({"terms": [t.model_dump(mode="json", exclude_none=True) for t in current.terms]},
                          allow_unicode=True, sort_keys=False)
    # Write beside and rename, so a crash never leaves the guard with half a terms file.
    staging = path.with_name(path.name + ".tmp")
    staging.write_text(header + body, encoding="utf-8")
    os.replace(staging, path)
    return len(current.terms)
