"""Writing a consultation's transcript bundle: canonical JSON (RFC 8785), its SSHSIG signature, the
signer's key, and the copies for people to read (HTML, and a PDF with a PAdES signature).

The JSON is written piece by piece — each object canonicalised on its own, the top-level keys in
canonical order — and hashed as it is written, so a consultation of any size is exported with
memory that does not grow with it. The bytes are exactly `rfc8785.dumps` of the whole document.

What a row shows is what its event recorded where the event records it (chain v2: names and
agencies as they were, who answered for whom); rows older than v2 show the roster as it is.
The readable copies are rendered afterwards from the JSON itself, so they show what is signed.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from bot.audit import sshsig
from bot.audit.checkpoints import for_transcript
from bot.audit.files import DEFAULT_FILE_MODE, make_folder, open_file, write_file
from bot.audit.logproofs import log_for_transcript
from bot.clock import Clock, to_iso
from bot.domain.canonical import canonical
from bot.domain.chain import Event
from bot.domain.facts import ANSWER_EVENT, END_EVENTS, MESSAGE_EVENTS, is_v2
from bot.errors import NotFoundError
from bot.store.crypto import DataKey, commitment_key
from bot.store.datakeys import DataKeyShreddedError
from bot.store.db import Database, Tx
from bot.store.keys import SIGNING_IDENTITY, KeyStore
from bot.store.repos import consultations, transcripts
from bot.store.repos.transcripts import Named

log = logging.getLogger(__name__)

NAMESPACE = "rapid-consult-transcript"
FORMAT = "rapid-consult-transcript/2"
# `consultation.content` of a bundle exported after retention destroyed the consultation's data key:
# events, participants, positions and times, and no text at all.
CONTENT_FREE = "shredded"
JSON_FILE, SIG_FILE, SIGNERS_FILE, HTML_FILE, PDF_FILE = (
    "transcript.json", "transcript.json.sig", "allowed_signers", "transcript.html", "transcript.pdf")
DRAFT_FILE = ".transcript.json.draft"
READABLE_FILES = (HTML_FILE, PDF_FILE)


@dataclass(frozen=True)
class ExportOptions:
    language: str = "vi"
    zone: str = "Asia/Ho_Chi_Minh"
    pdf: bool = True
    file_mode: int = DEFAULT_FILE_MODE
    tsa_url: str | None = None  # an RFC 3161 authority: the PDF's signature is time-stamped (PAdES B-T)
    scope_names: dict[str, str] = field(default_factory=dict)  # scope key -> its name in `language`


@dataclass(frozen=True)
class ExportSummary:
    consultation_id: int
    messages: int
    events: int
    transcript_sha256: str
    files: tuple[Path, ...]
    checkpoint: int | None = None


class HashingWriter:
    """Writes to a file and keeps the SHA-512 (for SSHSIG) and SHA-256 (for the record) running."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.sha512 = hashlib.sha512()
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        self.handle.write(data)
        self.sha512.update(data)
        self.sha256.update(data)
        self.size += len(data)


def allowed_signers_line(public_key: Any) -> str:
    """The line `consult keys show-public` prints and each bundle carries (as a convenience copy):
    `<identity> ssh-ed25519 <key>`. The key signs transcripts and checkpoints, each in its own
    namespace; an auditor may add `namespaces="rapid-consult-transcript,rapid-consult-checkpoint"`."""
    return f"{SIGNING_IDENTITY} {KeyStore.public_key_line(public_key, '').strip()}"


@dataclass(frozen=True)
class Recorded:
    """What the chain recorded about the consultation's rows: the opening, the last answer for
    each invitee, the end."""

    opened: Event | None
    answers: dict[str, Event]
    ended: Event | None

    def person(self, key: str) -> dict[str, Any] | None:
        if self.opened is None or not is_v2(self.opened.data):
            return None
        found = (self.opened.data.get("people") or {}).get(key)
        return found if isinstance(found, dict) else None


async def recorded(tx: Tx, consultation_id: int) -> Recorded:
    opened, ended, answers = None, None, {}
    for event in await transcripts.events_of_types(tx, consultation_id, ("opened", ANSWER_EVENT, *END_EVENTS)):
        if event.type == "opened" and opened is None:
            opened = event
        elif event.type == ANSWER_EVENT:
            answers[str(event.data.get("for", event.actor))] = event
        elif event.type in END_EVENTS:
            ended = event
    return Recorded(opened, answers, ended)


def _named(people: dict[str, Named], key: str | None) -> tuple[str | None, str | None]:
    found = people.get(key or "")
    return (found.name, found.agency) if found else (None, None)


async def consultation_json(tx: Tx, keys: KeyStore, consultation_id: int, facts: Recorded,
                            people: dict[str, Named]) -> tuple[dict[str, Any], DataKey | None]:
    """The consultation, and the data key its texts open with; a shredded one's content-free (no
    title, outcome or commitment key: `content` says so), and no key."""
    try:
        record, data_key = await consultations.get(tx, keys, consultation_id)
    except DataKeyShreddedError:
        c = await consultations.without_content(tx, consultation_id)
        title, outcome, data_key, content = None, None, None, {"content": CONTENT_FREE}
    else:
        c, title, outcome, content = record.consultation, record.consultation.title, record.outcome, {}
    opener = facts.opened.data.get("opener") if facts.opened and is_v2(facts.opened.data) else None
    name, agency = (opener.get("name"), opener.get("agency")) if isinstance(opener, dict) else _named(
        people, c.opened_by)
    return {
        "id": c.id, "title": title, "scopes": list(c.scopes), "opened_by": c.opened_by,
        "opened_by_name": name, "opened_by_agency": agency,
        "opened_at": to_iso(c.opened_at), "deadline_at": to_iso(c.deadline_at),
        "closed_at": None if c.closed_at is None else to_iso(c.closed_at), "state": c.state.value,
        "kind": c.kind.value, "outcome": outcome,
        "text_commitment_key": None if data_key is None else commitment_key(data_key).hex(), **content,
    }, data_key


async def participants_json(tx: Tx, consultation_id: int, facts: Recorded,
                            people: dict[str, Named]) -> list[dict[str, Any]]:
    result = []
    for row in await transcripts.participant_rows(tx, consultation_id):
        key = str(row["person_key"])
        snapshot = facts.person(key)
        answer = facts.answers.get(key)
        by = row["responded_by"]
        if answer is not None and is_v2(answer.data) and answer.actor == by:
            by_name, by_agency = answer.data.get("by_name"), answer.data.get("by_agency")
        else:
            by_name, by_agency = _named(people, by)
        result.append({
            "person": key,
            "name": snapshot.get("name") if snapshot else row["name"],
            "agency": snapshot.get("agency") if snapshot else row["agency"],
            "roles": list(snapshot.get("roles") or []) if snapshot else str(row["roles"] or "").split(),
            "position": row["position"], "responded_at": row["responded_at"], "responded_by": by,
            "responded_by_name": by_name, "responded_by_agency": by_agency, "late": bool(row["late"]),
            "invited_at": row["invited_at"],
        })
    return result


async def messages_json(tx: Tx, data_key: DataKey | None, consultation_id: int) -> AsyncIterator[dict[str, Any]]:
    """The messages, each named as its event recorded it: messages and their events are written in
    the same order, so a second cursor over the message events walks beside the first."""
    message_events = transcripts.iter_events(tx, consultation_id, MESSAGE_EVENTS)
    pending: Event | None = None
    exhausted = False
    async for message in transcripts.iter_messages(tx, data_key, consultation_id):
        while not exhausted and (pending is None or _message_id(pending) < message["id"]):
            pending = await anext(message_events, None)
            exhausted = pending is None
        if pending is not None and _message_id(pending) == message["id"] and is_v2(pending.data):
            message["from_name"] = pending.data.get("from_name")
            message["from_agency"] = pending.data.get("from_agency")
        yield message


def _message_id(event: Event) -> int:
    value = event.data.get("message_id")
    return value if isinstance(value, int) else -1


@dataclass(frozen=True)
class Written:
    messages: int
    events: int
    checkpoint: int | None
    files_at: int  # the byte offset where the `files` member goes (after `exported_by`)


async def write_json(out: HashingWriter, tx: Tx, keys: KeyStore, consultation_id: int, exported_at: str,
                     exported_by: str, zone: str) -> Written:
    """The canonical document, top-level keys in RFC 8785 order, without its `files` member (the
    readable copies' hashes, known only once they are rendered from this very document)."""
    facts = await recorded(tx, consultation_id)
    people = await transcripts.people_named(tx, consultation_id, exported_by)
    consultation, data_key = await consultation_json(tx, keys, consultation_id, facts, people)
    checkpoint = await for_transcript(tx, consultation_id)
    out.write(b'{"checkpoint":' + canonical(checkpoint) + b',"consultation":' + canonical(consultation)
              + b',"events":[')
    events = 0
    async for event in transcripts.iter_events(tx, consultation_id):
        out.write((b"," if events else b"") + canonical(event.as_json()))
        events += 1
    log_proofs = await log_for_transcript(tx, consultation_id)
    out.write(b'],"exported_at":' + canonical(exported_at) + b',"exported_by":' + canonical(exported_by))
    files_at = out.size
    out.write(b',"format":' + canonical(FORMAT) + b',"log":' + canonical(log_proofs) + b',"messages":[')
    messages = 0
    async for message in messages_json(tx, data_key, consultation_id):
        out.write((b"," if messages else b"") + canonical(message))
        messages += 1
    participants = await participants_json(tx, consultation_id, facts, people)
    people_json = {key: {"agency": named.agency, "name": named.name} for key, named in people.items()}
    out.write(b'],"participants":' + canonical(participants) + b',"people":' + canonical(people_json)
              + b',"signing_identity":' + canonical(SIGNING_IDENTITY) + b',"timezone":' + canonical(zone) + b"}")
    return Written(messages, events, None if checkpoint is None else int(checkpoint["number"]), files_at)


async def write_bundle(db: Database, keys: KeyStore, clock: Clock, consultation_id: int, out_dir: Path,
                       exported_by: str, options: ExportOptions | None = None) -> ExportSummary:
    """Write the bundle into `out_dir` from one consistent snapshot of the database; a failure
    on the way leaves no part of a bundle behind."""
    options = options or ExportOptions()
    exported_at = to_iso(clock.now())
    try:
        return await _write_files(db, keys, consultation_id, out_dir, exported_by, options, exported_at)
    except BaseException:
        for name in (JSON_FILE, DRAFT_FILE, HTML_FILE, PDF_FILE, SIG_FILE, SIGNERS_FILE):  # no half a bundle
            (out_dir / name).unlink(missing_ok=True)
        raise


async def _write_files(db: Database, keys: KeyStore, consultation_id: int, out_dir: Path, exported_by: str,
                       options: ExportOptions, exported_at: str) -> ExportSummary:
    from bot.audit.html import write_html
    from bot.audit.pdf import write_pdf

    signing_key = keys.signing_key()
    json_path, draft = out_dir / JSON_FILE, out_dir / DRAFT_FILE
    async with db.snapshot() as tx:
        if not await transcripts.consultation_exists(tx, consultation_id):
            raise NotFoundError(f"no consultation #{consultation_id}", consultation=consultation_id)
        make_folder(out_dir, options.file_mode)
        with open_file(draft, options.file_mode) as handle:
            written = await write_json(HashingWriter(handle), tx, keys, consultation_id, exported_at, exported_by,
                                       options.zone)
    # The readable copies are rendered from the document (the draft differs only by the hashes of
    # the copies themselves), then the signed document lists their SHA-256: an edited HTML, a PDF
    # from another bundle or a deleted copy shows in `consult verify`.
    readable = [out_dir / HTML_FILE]
    # Rendering is long, plain computing: off the event loop, so a running bot keeps answering.
    await asyncio.to_thread(write_html, draft, out_dir / HTML_FILE, options.language, options.file_mode,
                            options.scope_names)
    if options.pdf and await write_pdf(draft, out_dir / PDF_FILE, keys, options.language, options.file_mode,
                                      options.tsa_url, options.scope_names):
        readable.append(out_dir / PDF_FILE)
    digests = {path.name: sha256_of(path) for path in readable}
    writer = await asyncio.to_thread(_finish, draft, json_path, written.files_at, digests, options.file_mode)
    write_file(out_dir / SIG_FILE, sshsig.sign_digest(signing_key, NAMESPACE, writer.sha512.digest()).encode(),
               options.file_mode)
    write_file(out_dir / SIGNERS_FILE, (allowed_signers_line(signing_key.public_key()) + "\n").encode(),
               options.file_mode)
    files = (json_path, out_dir / SIG_FILE, out_dir / SIGNERS_FILE, *readable)
    return ExportSummary(consultation_id, written.messages, written.events, writer.sha256.hexdigest(), files,
                         written.checkpoint)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _finish(draft: Path, final: Path, files_at: int, digests: dict[str, str], mode: int) -> HashingWriter:
    """The signed document: the draft with its `files` member put in its canonical place."""
    with draft.open("rb") as source, open_file(final, mode) as handle:
        writer = HashingWriter(handle)
        writer.write(source.read(files_at))
        writer.write(b',"files":' + canonical(digests))
        for chunk in iter(lambda: source.read(1 << 20), b""):
            writer.write(chunk)
    draft.unlink()
    return writer


def zip_bundle(files: tuple[Path, ...]) -> bytes:
    """The bundle as one zip, for sending to an auditor as a document."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, arcname=f"transcript/{path.name}")
    return buffer.getvalue()
