"""Checking a transcript bundle offline: signature, canonical form, hash chain, completeness.

Every problem is reported with the file, the event (by seq) or message (by id), and the field, so
an auditor can say exactly what was altered. Nothing here needs rapid-consult's keys or database.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rfc8785

from bot.audit import sshsig
from bot.audit.chain import Event, check_consultation_chain
from bot.audit.transcript import JSON_FILE, NAMESPACE, SIG_FILE, SIGNERS_FILE
from bot.store.keys import SIGNING_IDENTITY

MESSAGE_EVENTS = ("commented", "summarised")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str = ""

    def __str__(self) -> str:
        return f"{'OK  ' if self.ok else 'FAIL'} {self.name}" + (f": {self.detail}" if self.detail else "")


def verify_bundle(directory: Path, allowed_signers: Path | None = None) -> list[Check]:
    checks: list[Check] = []
    transcript = directory / JSON_FILE
    signature = directory / SIG_FILE
    signers = allowed_signers or directory / SIGNERS_FILE
    missing = [p.name for p in (transcript, signature, signers) if not p.is_file()]
    if missing:
        return [Check("bundle", False, f"missing {', '.join(missing)} in {directory}")]
    raw = transcript.read_bytes()
    checks.append(_signature(raw, signature, signers))
    try:
        document = json.loads(raw)
    except ValueError as exc:
        checks.append(Check("transcript.json", False, f"not JSON (truncated?) near byte {_position(exc)}: {exc}"))
        return checks
    if not isinstance(document, dict):
        return [*checks, Check("transcript.json", False, "the top level is not an object")]
    canonical = rfc8785.dumps(document) == raw
    checks.append(Check("canonical form (RFC 8785)", canonical, "" if canonical else
                        "transcript.json is not in canonical form: it was edited or re-serialised"))
    events, problems = _events(document)
    checks.extend(problems)
    consultation_id = (document.get("consultation") or {}).get("id")
    faults = check_consultation_chain(events, consultation_id)
    checks.append(Check("event hash chain", not faults, "; ".join(f"transcript.json: {f}" for f in faults)))
    checks.extend(_completeness(document, events))
    return checks


def _position(exc: ValueError) -> int:
    return int(getattr(exc, "pos", 0))


def _signature(raw: bytes, signature: Path, signers: Path) -> Check:
    try:
        keys = sshsig.load_allowed_signers(signers.read_text(), SIGNING_IDENTITY)
        sshsig.verify_digest(signature.read_text(), NAMESPACE,
                             {"sha512": hashlib.sha512(raw).digest(), "sha256": hashlib.sha256(raw).digest()}, keys)
    except (sshsig.SignatureError, ValueError) as exc:
        return Check(f"signature ({SIG_FILE})", False, str(exc))
    return Check(f"signature ({SIG_FILE}) by {SIGNING_IDENTITY}", True)


def _events(document: dict[str, Any]) -> tuple[list[Event], list[Check]]:
    events: list[Event] = []
    problems: list[Check] = []
    for index, item in enumerate(document.get("events") or []):
        try:
            events.append(Event(
                seq=int(item["seq"]), at=str(item["at"]), consultation_id=item["consultation_id"],
                type=str(item["type"]), actor=item["actor"], data=dict(item["data"]),
                prev_hash=str(item["prev_hash"]), log_prev_hash=str(item["log_prev_hash"]), hash=str(item["hash"])))
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(Check("events", False, f"transcript.json: events[{index}]: missing or bad field {exc}"))
    return events, problems


def _completeness(document: dict[str, Any], events: list[Event]) -> list[Check]:
    """The transcript's messages, participants and state are those the event chain records."""
    problems: list[str] = []
    messages = {m.get("id"): m for m in document.get("messages") or []}
    participants = {p.get("person"): p for p in document.get("participants") or []}
    opened = next((e for e in events if e.type == "opened"), None)
    if opened is None:
        problems.append("no 'opened' event")
    else:
        invitees = set(opened.data.get("invitees") or [])
        if invitees and invitees != set(participants):
            problems.append(f"participants {sorted(set(participants) ^ invitees)} differ from those invited "
                            f"(event seq {opened.seq})")
    referenced: dict[Any, Event] = {}
    for event in events:
        if event.type in MESSAGE_EVENTS:
            message_id = event.data.get("message_id")
            message = messages.get(message_id)
            if message is None:
                problems.append(f"event seq {event.seq}: message {message_id} is missing from messages")
                continue
            referenced[message_id] = event
            if message.get("guard_action") != event.data.get("guard"):
                problems.append(f"messages id {message_id}: guard_action differs from event seq {event.seq}")
            if message.get("content_hmac") != event.data.get("content_hmac"):
                problems.append(f"messages id {message_id}: content_hmac differs from event seq {event.seq}")
    for message_id, message in messages.items():
        if message_id not in referenced:
            problems.append(f"messages id {message_id}: recorded by no event (added after the fact?)")
        text = message.get("text")
        if message.get("guard_action") == "block" and text is not None:
            problems.append(f"messages id {message_id}: a blocked message carries text")
        if text is not None and hashlib.sha256(str(text).encode()).hexdigest() != message.get("text_sha256"):
            problems.append(f"messages id {message_id}: text does not match its text_sha256 (altered)")
    last_answer: dict[str, str] = {}
    for event in events:
        if event.type == "answered":
            last_answer[str(event.data.get("for", event.actor))] = str(event.data.get("position"))
    for person, participant in participants.items():
        if participant.get("position") != last_answer.get(str(person)):
            problems.append(f"participants {person}: position {participant.get('position')!r} is not the last "
                            f"answer the events record ({last_answer.get(str(person))!r})")
    state = (document.get("consultation") or {}).get("state")
    ended = [e.type for e in events if e.type in ("closed", "cancelled")]
    expected = {"closed": "closed", "cancelled": "cancelled"}.get(ended[-1]) if ended else "open"
    if state != expected:
        problems.append(f"consultation: state {state!r} but the events say {expected!r}")
    return [Check("messages, participants and state match the events", not problems,
                  "; ".join(f"transcript.json: {p}" for p in problems))]
