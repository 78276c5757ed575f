"""Writing a consultation's transcript bundle: canonical JSON (RFC 8785), its SSHSIG signature,
the signer's key, and a page for people to read.

The JSON is written piece by piece — each object canonicalised on its own, the top-level keys in
canonical order — and hashed as it is written, so a consultation of any size is exported with
memory that does not grow with it. The bytes are exactly `rfc8785.dumps` of the whole document.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import rfc8785

from bot.audit import sshsig
from bot.audit.chain import Event
from bot.clock import Clock, to_iso
from bot.errors import NotFoundError
from bot.files import make_private_dir, open_owner_only, write_owner_only
from bot.store.crypto import DataKey, decrypt_field, field_aad
from bot.store.db import Database, Tx
from bot.store.events import _row_to_event
from bot.store.keys import SIGNING_IDENTITY, KeyStore
from bot.store.repos import consultations

NAMESPACE = "rapid-consult-transcript"
FORMAT = "rapid-consult-transcript/1"
JSON_FILE, SIG_FILE, SIGNERS_FILE, HTML_FILE, PDF_FILE = (
    "transcript.json", "transcript.json.sig", "allowed_signers", "transcript.html", "transcript.pdf")
BATCH = 2000


@dataclass(frozen=True)
class ExportSummary:
    consultation_id: int
    messages: int
    events: int
    transcript_sha256: str
    files: tuple[Path, ...]


class HashingWriter:
    """Writes to a file and keeps the SHA-512 (for SSHSIG) and SHA-256 (for the record) running."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.sha512 = hashlib.sha512()
        self.sha256 = hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.handle.write(data)
        self.sha512.update(data)
        self.sha256.update(data)


def canonical(value: Any) -> bytes:
    return rfc8785.dumps(value)


async def consultation_json(tx: Tx, keys: KeyStore, consultation_id: int) -> tuple[dict[str, Any], DataKey]:
    if await tx.fetchval("SELECT 1 FROM consultations WHERE id = ?", (consultation_id,)) is None:
        raise NotFoundError(f"no consultation #{consultation_id}", consultation=consultation_id)
    record, data_key = await consultations.get(tx, keys, consultation_id)
    c = record.consultation
    return {
        "id": c.id, "title": c.title, "scopes": list(c.scopes), "opened_by": c.opened_by,
        "opened_at": to_iso(c.opened_at), "deadline_at": to_iso(c.deadline_at),
        "closed_at": None if c.closed_at is None else to_iso(c.closed_at), "state": c.state.value,
        "outcome": record.outcome,
    }, data_key


async def participants_json(tx: Tx, consultation_id: int) -> list[dict[str, Any]]:
    rows = await tx.fetchall(
        "SELECT pa.*, p.name, a.name AS agency,"
        " (SELECT group_concat(role, ' ') FROM (SELECT role FROM person_roles r WHERE r.person_key = p.key"
        "  ORDER BY role)) AS roles"
        " FROM participants pa JOIN people p ON p.key = pa.person_key JOIN agencies a ON a.key = p.agency_key"
        " WHERE pa.consultation_id = ? ORDER BY pa.person_key",
        (consultation_id,),
    )
    return [{
        "person": r["person_key"], "name": r["name"], "agency": r["agency"],
        "roles": str(r["roles"] or "").split(), "position": r["position"], "responded_at": r["responded_at"],
        "responded_by": r["responded_by"], "late": bool(r["late"]),
    } for r in rows]


async def iter_events(tx: Tx, consultation_id: int) -> AsyncIterator[Event]:
    after = 0
    while True:
        rows = await tx.fetchall("SELECT * FROM events WHERE consultation_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                                 (consultation_id, after, BATCH))
        if not rows:
            return
        for row in rows:
            yield _row_to_event(row)
        after = int(rows[-1]["seq"])


async def iter_messages(tx: Tx, data_key: DataKey, consultation_id: int) -> AsyncIterator[dict[str, Any]]:
    after = 0
    while True:
        rows = await tx.fetchall(
            "SELECT m.*, p.name AS sender_name FROM messages m LEFT JOIN people p ON p.key = m.person_key"
            " WHERE m.consultation_id = ? AND m.id > ? ORDER BY m.id LIMIT ?",
            (consultation_id, after, BATCH))
        if not rows:
            return
        for r in rows:
            text = None if r["body_enc"] is None else decrypt_field(
                data_key, bytes(r["body_enc"]), field_aad("messages", int(r["id"]), "body"))
            yield {
                "id": int(r["id"]), "at": r["at"], "from": r["person_key"], "from_name": r["sender_name"],
                "kind": r["kind"], "source": r["source"], "guard_action": r["guard_action"],
                "guard_level": r["guard_level"], "content_hmac": r["content_hmac"], "text": text,
                "text_sha256": None if text is None else hashlib.sha256(text.encode()).hexdigest(),
            }
        after = int(rows[-1]["id"])


async def write_json(out: HashingWriter, tx: Tx, keys: KeyStore, consultation_id: int, exported_at: str,
                     exported_by: str) -> tuple[int, int]:
    """The canonical document, top-level keys in RFC 8785 order; returns (messages, events)."""
    consultation, data_key = await consultation_json(tx, keys, consultation_id)
    out.write(b'{"consultation":' + canonical(consultation) + b',"events":[')
    events = 0
    async for event in iter_events(tx, consultation_id):
        out.write((b"," if events else b"") + canonical(event.as_json()))
        events += 1
    out.write(b'],"exported_at":' + canonical(exported_at) + b',"exported_by":' + canonical(exported_by)
              + b',"format":' + canonical(FORMAT) + b',"messages":[')
    messages = 0
    async for message in iter_messages(tx, data_key, consultation_id):
        out.write((b"," if messages else b"") + canonical(message))
        messages += 1
    out.write(b'],"participants":' + canonical(await participants_json(tx, consultation_id))
              + b',"signing_identity":' + canonical(SIGNING_IDENTITY) + b"}")
    return messages, events


async def write_bundle(db: Database, keys: KeyStore, clock: Clock, consultation_id: int, out_dir: Path,
                       exported_by: str, *, pdf: bool = True) -> ExportSummary:
    """Write the bundle into `out_dir` from one consistent snapshot of the database."""
    from bot.audit.render import write_html, write_pdf

    if not out_dir.exists():
        make_private_dir(out_dir)
    signing_key = keys.signing_key()
    exported_at = to_iso(clock.now())
    try:
        async with db.snapshot() as tx:
            with open_owner_only(out_dir / JSON_FILE) as handle:
                writer = HashingWriter(handle)
                messages, events = await write_json(writer, tx, keys, consultation_id, exported_at, exported_by)
            await write_html(out_dir / HTML_FILE, tx, keys, consultation_id, exported_at, exported_by)
            files = [out_dir / JSON_FILE, out_dir / SIG_FILE, out_dir / SIGNERS_FILE, out_dir / HTML_FILE]
            if pdf:
                written = await write_pdf(out_dir / PDF_FILE, tx, keys, consultation_id, exported_at, exported_by)
                if written:
                    files.append(out_dir / PDF_FILE)
        write_owner_only(out_dir / SIG_FILE, sshsig.sign_digest(signing_key, NAMESPACE, writer.sha512.digest()))
        public = KeyStore.public_key_line(signing_key.public_key(), "").strip()
        write_owner_only(out_dir / SIGNERS_FILE, f'{SIGNING_IDENTITY} namespaces="{NAMESPACE}" {public}\n')
    except BaseException:
        for name in (JSON_FILE, HTML_FILE, PDF_FILE, SIG_FILE, SIGNERS_FILE):  # no half a bundle
            (out_dir / name).unlink(missing_ok=True)
        raise
    return ExportSummary(consultation_id, messages, events, writer.sha256.hexdigest(), tuple(files))


def zip_bundle(files: tuple[Path, ...]) -> bytes:
    """The bundle as one zip, for sending to an auditor as a document."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, arcname=f"transcript/{path.name}")
    return buffer.getvalue()
