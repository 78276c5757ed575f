"""The allowed-signers file of `ssh-keygen -Y verify`, read and applied as OpenSSH does.

Each line: `principals [options] keytype base64-key [comment]`. Principals and `namespaces=` are
pattern lists (`*`, `?`, `!negation`, comma-separated); options are `cert-authority`,
`namespaces="..."`, `valid-after=` and `valid-before=` (YYYYMMDD[HHMM[SS]], `Z` or `UTC` for UTC,
else local time), and anything else makes the line unusable. A line that cannot be read is
skipped, as OpenSSH skips it; a key signs only if some line names it (not as a certificate
authority: rapid-consult signs with a plain key), lists the identity, permits the namespace and is
valid at the time of verification (now, as `ssh-keygen` has it). We say why each line that names
the key was refused, so that an auditor reads "key has expired" rather than a bare "no".
"""

from __future__ import annotations

import base64
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

KEY_TYPES = ("ssh-ed25519", "ssh-rsa", "ssh-dss", "ecdsa-sha2-", "sk-ssh-ed25519@openssh.com",
             "sk-ecdsa-sha2-nistp256@openssh.com", "rsa-sha2-")


class AllowedSignersError(Exception):
    """The file holds no usable line."""


@dataclass(frozen=True)
class SignerLine:
    line_number: int
    principals: str
    key_type: str
    key_blob: bytes
    cert_authority: bool = False
    namespaces: str | None = None
    valid_after: datetime | None = None
    valid_before: datetime | None = None

    @property
    def ed25519(self) -> Ed25519PublicKey | None:
        if self.key_type != "ssh-ed25519":
            return None
        try:
            key_type, offset = _read_string(self.key_blob, 0)
            raw, _ = _read_string(self.key_blob, offset)
            return Ed25519PublicKey.from_public_bytes(raw) if key_type == b"ssh-ed25519" else None
        except ValueError:
            return None


@dataclass(frozen=True)
class AllowedSigners:
    lines: tuple[SignerLine, ...]
    skipped: tuple[str, ...] = field(default=())  # "line N: why", for lines OpenSSH would skip too

    def keys_for(self, identity: str) -> list[Ed25519PublicKey]:
        return [key for line in self.lines if match_pattern_list(identity, line.principals) == 1
                and not line.cert_authority and (key := line.ed25519) is not None]


def _read_string(blob: bytes, offset: int) -> tuple[bytes, int]:
    if offset + 4 > len(blob):
        raise ValueError("truncated key")
    (length,) = struct.unpack(">I", blob[offset:offset + 4])
    if offset + 4 + length > len(blob):
        raise ValueError("truncated key")
    return blob[offset + 4:offset + 4 + length], offset + 4 + length


def match_pattern(string: str, pattern: str) -> bool:
    """OpenSSH's match_pattern: `*` any run, `?` any one character, the rest literally."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, string, re.DOTALL) is not None


def match_pattern_list(string: str, patterns: str) -> int:
    """1 if a pattern matches, -1 if a negated one does (which wins), else 0 (match.c)."""
    positive = 0
    for pattern in patterns.split(","):
        negated = pattern.startswith("!")
        if match_pattern(string, pattern[1:] if negated else pattern):
            if negated:
                return -1
            positive = 1
    return positive


def parse_time(value: str) -> datetime:
    """ssh-keygen's absolute time: YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS, `Z`/`UTC` for UTC."""
    text, utc = value, False
    if len(text) > 1 and text[-1:].upper() == "Z":
        text, utc = text[:-1], True
    elif len(text) > 3 and text[-3:].upper() == "UTC":
        text, utc = text[:-3], True
    formats = {8: "%Y%m%d", 12: "%Y%m%d%H%M", 14: "%Y%m%d%H%M%S"}
    if len(text) not in formats or not text.isdigit():
        raise ValueError(f"invalid time {value!r} (YYYYMMDD[HHMM[SS]][Z])")
    moment = datetime.strptime(text, formats[len(text)])
    return moment.replace(tzinfo=UTC) if utc else moment.astimezone()


def _tokens(line: str) -> list[str]:
    """Split on blanks outside double quotes, as OpenSSH's option parsing reads them."""
    tokens: list[str] = []
    current, quoted = "", False
    for char in line:
        if char == '"':
            quoted = not quoted
            current += char
        elif char in " \t" and not quoted:
            if current:
                tokens.append(current)
            current = ""
        else:
            current += char
    if quoted:
        raise ValueError("unterminated quote")
    if current:
        tokens.append(current)
    return tokens


def _is_key_type(token: str) -> bool:
    return any(token == t or (t.endswith("-") and token.startswith(t)) for t in KEY_TYPES) or token.endswith(
        "-cert-v01@openssh.com")


@dataclass
class _Options:
    cert_authority: bool = False
    namespaces: str | None = None
    valid_after: datetime | None = None
    valid_before: datetime | None = None


def _options(text: str) -> _Options:
    found = _Options()
    seen: set[str] = set()
    for option in _split_options(text):
        name, _, value = option.partition("=")
        name = name.lower()
        if name == "cert-authority" and not value:
            found.cert_authority = True
            continue
        if name not in ("namespaces", "valid-after", "valid-before") or not value:
            raise ValueError(f"unknown key option {option!r}")
        if name in seen:
            raise ValueError(f"multiple {name!r} clauses")
        seen.add(name)
        unquoted = value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value
        if name == "namespaces":
            found.namespaces = unquoted
        elif name == "valid-after":
            found.valid_after = parse_time(unquoted)
        else:
            found.valid_before = parse_time(unquoted)
    if found.valid_after and found.valid_before and found.valid_before <= found.valid_after:
        raise ValueError('"valid-before" time is before "valid-after"')
    return found


def _split_options(text: str) -> list[str]:
    parts, current, quoted = [], "", False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    if any(not part for part in parts):
        raise ValueError("empty option")
    return parts


def parse_line(line: str, line_number: int) -> SignerLine | None:
    """One line, or None for a blank or comment line; ValueError says why a line is unusable."""
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return None
    tokens = _tokens(stripped)
    if len(tokens) < 3:
        raise ValueError("invalid line (principals, key type and key expected)")
    principals = tokens[0][1:-1] if tokens[0].startswith('"') and tokens[0].endswith('"') else tokens[0]
    options = _Options()
    rest = tokens[1:]
    if not _is_key_type(rest[0]):
        options = _options(rest[0])
        rest = rest[1:]
    if len(rest) < 2 or not _is_key_type(rest[0]):
        raise ValueError("missing key")
    try:
        blob = base64.b64decode(rest[1], validate=True)
        declared, _ = _read_string(blob, 0)
    except ValueError as exc:
        raise ValueError("invalid key") from exc
    if declared.decode(errors="replace") != rest[0]:
        raise ValueError(f"the key says {rest[0]} but holds a {declared.decode(errors='replace')} key")
    return SignerLine(line_number, principals, rest[0], blob, options.cert_authority, options.namespaces,
                      options.valid_after, options.valid_before)


def parse(text: str) -> AllowedSigners:
    lines: list[SignerLine] = []
    skipped: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        try:
            parsed = parse_line(raw, number)
        except ValueError as exc:
            skipped.append(f"line {number}: {exc}")
            continue
        if parsed is not None:
            lines.append(parsed)
    return AllowedSigners(tuple(lines), tuple(skipped))


def authorise(signers: AllowedSigners, key_blob: bytes, identity: str, namespace: str,
              now: datetime | None = None) -> SignerLine:
    """The line that lets `key_blob` sign for `identity` in `namespace` now, or AllowedSignersError
    saying, for each line that names the key, why it does not."""
    moment = now or datetime.now(UTC)
    refusals: list[str] = []
    for line in signers.lines:
        if match_pattern_list(identity, line.principals) != 1:
            continue
        if line.key_blob != key_blob:
            continue
        if line.cert_authority:
            refusals.append(f"line {line.line_number}: cert-authority: it trusts certificates signed by this key, "
                            "and the signature is by the plain key")
            continue
        if line.namespaces is not None and match_pattern_list(namespace, line.namespaces) != 1:
            refusals.append(f"line {line.line_number}: key is not permitted for use in signature namespace "
                            f"{namespace!r} (namespaces={line.namespaces!r})")
            continue
        if line.valid_after is not None and moment < line.valid_after:
            refusals.append(f"line {line.line_number}: key is not yet valid: valid-after "
                            f"{line.valid_after.isoformat()}")
            continue
        if line.valid_before is not None and moment > line.valid_before:
            refusals.append(f"line {line.line_number}: key has expired: valid-before "
                            f"{line.valid_before.isoformat()}")
            continue
        return line
    if refusals:
        raise AllowedSignersError("; ".join(refusals))
    raise AllowedSignersError(f"signed by a key that no line trusts for {identity!r}")


def principal_lines(signers: AllowedSigners, identity: str) -> Sequence[SignerLine]:
    return [line for line in signers.lines if match_pattern_list(identity, line.principals) == 1]
