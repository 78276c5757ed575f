"""Checking a transcript bundle offline: the signature against a key the auditor trusts, the
canonical form, the hash chain, the checkpoint it carries, and every row against its event.

The JSON is read as a stream (`bot.audit.jsonstream`): events once for the chain and once more
beside the messages, each message held against its event, so memory stays flat however long the
consultation. Every problem names the file, the event (by seq) or the row (message id, person) and
the field, the first that differs first, so an auditor can say exactly what was altered.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.audit import sshsig
from bot.audit.checkpoints import CarriedCheckpoint, check_proof, check_signature
from bot.audit.jsonstream import CanonicalReader, StreamError
from bot.audit.transcript import FORMAT, JSON_FILE, NAMESPACE, SIG_FILE
from bot.audit.trust import Trust, ssh_keygen_path, ssh_keygen_verify
from bot.domain.chain import Event, check_consultation_chain
from bot.domain.facts import (
    ANSWER_EVENT,
    END_EVENTS,
    MESSAGE_EVENTS,
    MESSAGE_FIELDS,
    MESSAGE_FIELDS_V1,
    commit,
    first_difference,
    is_v2,
    message_label,
)
from bot.store.keys import SIGNING_IDENTITY

MAX_LISTED = 10
HOW_TO_TRUST = ("ask the deployment's security officer for its published key (the line `consult keys show-public` "
                "prints), save it as a file and run: consult verify DIR --allowed-signers FILE")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str = ""

    def __str__(self) -> str:
        return f"{'OK  ' if self.ok else 'FAIL'} {self.name}" + (f": {self.detail}" if self.detail else "")


@dataclass
class Problems:
    """Problems of one check: the first few in full, then a count."""

    found: list[str] = field(default_factory=list)
    more: int = 0

    def add(self, problem: str) -> None:
        if len(self.found) < MAX_LISTED:
            self.found.append(problem)
        else:
            self.more += 1

    def __bool__(self) -> bool:
        return bool(self.found)

    def text(self) -> str:
        listed = "; ".join(f"transcript.json: {p}" for p in self.found)
        return listed + (f"; and {self.more} more" if self.more else "")


@dataclass
class Facts:
    """What the events say, kept as they stream by: small (a few per invitee), never per message."""

    opened: Event | None = None
    answers: dict[str, Event] = field(default_factory=dict)
    ended: list[Event] = field(default_factory=list)
    deadline: Any = None
    first_seq: int | None = None
    count: int = 0
    last_seq: int | None = None
    head_found: Event | None = None
    events_up_to_head: int = 0
    events_at: int | None = None

    def observe(self, event: Event, head_seq: int | None) -> None:
        self.count += 1
        self.first_seq = event.seq if self.first_seq is None else self.first_seq
        self.last_seq = event.seq
        if event.type == "opened" and self.opened is None:
            self.opened = event
            self.deadline = event.data.get("deadline_at")
        elif event.type == "extended":
            self.deadline = event.data.get("deadline_at")
        elif event.type == ANSWER_EVENT:
            self.answers[str(event.data.get("for", event.actor))] = event
        elif event.type in END_EVENTS:
            self.ended.append(event)
        if head_seq is not None and event.seq <= head_seq:
            self.events_up_to_head += 1
            if event.seq == head_seq:
                self.head_found = event


def verify_bundle(directory: Path, trust: Trust | None, *, ssh_keygen: str | bool | None = True,
                  now: datetime | None = None) -> list[Check]:
    """Every check, in order. `trust` None: nothing says OK for the signature. `ssh_keygen`: True
    to use OpenSSH's when installed, False not to, or the program's path."""
    transcript, signature = directory / JSON_FILE, directory / SIG_FILE
    missing = [p.name for p in (transcript, signature) if not p.is_file()]
    if missing:
        return [Check("bundle", False, f"missing {', '.join(missing)} in {directory}")]
    run = _Run(transcript, trust)
    structure = run.read()
    program = ssh_keygen_path() if ssh_keygen is True else (ssh_keygen or None)
    checks = [run.signature(signature, program, now)]
    if structure is not None:
        return [*checks, structure]
    checks.append(Check("canonical form (RFC 8785)", run.reader_noncanonical is None,
                        "" if run.reader_noncanonical is None else
                        f"transcript.json is not in canonical form ({run.reader_noncanonical}): it was edited or "
                        "re-serialised"))
    checks.append(Check("event hash chain", not run.chain, run.chain.text()))
    checks.append(run.checkpoint_check(trust, now))
    checks.append(Check("messages, participants and state match the events", not run.rows, run.rows.text()))
    if run.before_v2:
        checks.append(Check("rows written before v2", True,
                            f"{run.before_v2} rows were recorded by events older than chain v2: their author, "
                            "time and level are not in the chain, so they are checked as before (guard action and "
                            "content hash only)"))
    return checks


class _Run:
    """One verification: the streamed reads and what they found."""

    def __init__(self, path: Path, trust: Trust | None) -> None:
        self.path = path
        self.trust = trust
        self.digests: dict[str, bytes] = {}
        self.reader_noncanonical: str | None = None
        self.chain = Problems()
        self.rows = Problems()
        self.before_v2 = 0
        self.facts = Facts()
        self.consultation: dict[str, Any] = {}
        self.checkpoint: CarriedCheckpoint | None = None
        self.checkpoint_problem: str | None = None
        self.format: Any = None
        self.commitment: bytes | None = None
        self.has_participants = False

    # -- the pass -----------------------------------------------------------------------------

    def read(self) -> Check | None:
        """Walk the document once; a Check if its structure stops the walk."""
        reader = CanonicalReader(self.path, hashing=True, check_canonical=True)
        try:
            for key in reader.members():
                self._member(reader, key)
            reader.drain()
        except StreamError as exc:
            reader.hash_rest()
            return Check("transcript.json", False, f"not a transcript: {exc} (truncated or edited?)")
        finally:
            assert reader.sha512 is not None and reader.sha256 is not None
            self.digests = {"sha512": reader.sha512.digest(), "sha256": reader.sha256.digest()}
            self.reader_noncanonical = reader.noncanonical
            reader.close()
        if not self.has_participants:
            self.rows.add("participants: missing")
        return None

    def _member(self, reader: CanonicalReader, key: str) -> None:
        if key == "events":
            self.facts.events_at = reader.offset()
            self._events(reader)
        elif key == "messages":
            self._messages(reader)
        else:
            value = reader.value()
            if key == "checkpoint" and value is not None:
                try:
                    self.checkpoint = CarriedCheckpoint.from_json(value)
                except (KeyError, TypeError, ValueError) as exc:
                    self.checkpoint_problem = f"the checkpoint is malformed: {exc}"
            elif key == "consultation" and isinstance(value, dict):
                self.consultation = value
                key_hex = value.get("text_commitment_key")
                self.commitment = bytes.fromhex(key_hex) if isinstance(key_hex, str) else None
            elif key == "participants":
                self.has_participants = True
                self._participants(value if isinstance(value, list) else [])
                self._consultation()
            elif key == "format":
                self.format = value

    def _events(self, reader: CanonicalReader) -> None:
        head = self.checkpoint.head if self.checkpoint is not None else None
        consultation_id = self.consultation.get("id")

        def stream() -> Iterator[Event]:
            for index, item in enumerate(reader.items()):
                event = _event(item)
                if event is None:
                    self.chain.add(f"events[{index}]: missing or bad field")
                    continue
                self.facts.observe(event, None if head is None else head.seq)
                yield event

        for fault in check_consultation_chain(stream(), consultation_id):
            self.chain.add(str(fault))

    def _messages(self, reader: CanonicalReader) -> None:
        events = self._message_events()
        pending = next(events, None)
        previous_id = 0
        for item in reader.items():
            if not isinstance(item, dict):
                self.rows.add("messages: an entry is not an object")
                continue
            message_id = item.get("id")
            if not isinstance(message_id, int) or message_id <= previous_id:
                self.rows.add(f"messages id {message_id}: out of order or repeated")
                continue
            previous_id = message_id
            while pending is not None and _message_id(pending) < message_id:
                self.rows.add(f"event seq {pending.seq}: message {_message_id(pending)} is missing from messages")
                pending = next(events, None)
            if pending is None or _message_id(pending) != message_id:
                self.rows.add(f"messages id {message_id}: recorded by no event (added after the fact?)")
            else:
                self._message(item, pending)
                pending = next(events, None)
            self._message_text(item)
        while pending is not None:
            self.rows.add(f"event seq {pending.seq}: message {_message_id(pending)} is missing from messages")
            pending = next(events, None)

    def _message_events(self) -> Iterator[Event]:
        """The message events, read again from where the events start, beside the messages."""
        if self.facts.events_at is None:
            return
        last = 0
        with CanonicalReader(self.path, start=self.facts.events_at) as reader:
            for item in reader.items():
                event = _event(item)
                if event is None or event.type not in MESSAGE_EVENTS:
                    continue
                if _message_id(event) <= last:
                    self.rows.add(f"event seq {event.seq}: message ids of the events out of order")
                    continue
                last = _message_id(event)
                yield event

    def _message(self, message: Mapping[str, Any], event: Event) -> None:
        data = event.data
        if not is_v2(data):
            self.before_v2 += 1
            fields = MESSAGE_FIELDS_V1
        else:
            fields = MESSAGE_FIELDS
        differs = first_difference(message, data, fields)
        if differs is not None:
            name, row, recorded = differs
            self.rows.add(f"messages id {message['id']}: {name} {row!r} differs from event seq {event.seq} "
                          f"({recorded!r})")
            return
        if is_v2(data):
            text = message.get("text")
            expected = None if text is None or self.commitment is None else commit(
                self.commitment, message_label(int(message["id"])), str(text))
            if expected != data.get("text_hmac"):
                self.rows.add(f"messages id {message['id']}: text differs from what event seq {event.seq} "
                              "recorded (its commitment does not match)")

    def _message_text(self, message: Mapping[str, Any]) -> None:
        text = message.get("text")
        if message.get("unreadable"):
            self.rows.add(f"messages id {message.get('id')}: its stored text no longer opens with the author and "
                          "time the row now has (changed in the database)")
        if message.get("guard_action") == "block" and text is not None:
            self.rows.add(f"messages id {message.get('id')}: a blocked message carries text")
        if text is not None and hashlib.sha256(str(text).encode()).hexdigest() != message.get("text_sha256"):
            self.rows.add(f"messages id {message.get('id')}: text does not match its text_sha256 (altered)")

    def _participants(self, participants: list[Any]) -> None:
        opened = self.facts.opened
        by_person = {p.get("person"): p for p in participants if isinstance(p, dict)}
        if opened is None:
            self.rows.add("no 'opened' event")
            return
        invitees = set(opened.data.get("invitees") or [])
        if invitees and invitees != set(by_person):
            self.rows.add(f"participants {sorted(map(str, set(by_person) ^ invitees))} differ from those invited "
                          f"(event seq {opened.seq})")
        v2 = is_v2(opened.data)
        for person, row in sorted(by_person.items(), key=lambda item: str(item[0])):
            if v2:
                snapshot = (opened.data.get("people") or {}).get(person) or {}
                recorded = {"name": snapshot.get("name"), "agency": snapshot.get("agency"),
                            "roles": list(snapshot.get("roles") or []), "invited_at": opened.data.get("opened_at")}
                differs = first_difference(row, recorded, [(f, f) for f in ("name", "agency", "roles", "invited_at")])
                if differs is not None:
                    self.rows.add(f"participants {person}: {differs[0]} {differs[1]!r} differs from event seq "
                                  f"{opened.seq} ({differs[2]!r})")
                    continue
            else:
                self.before_v2 += 1
            self._answer(str(person), row)

    def _answer(self, person: str, row: Mapping[str, Any]) -> None:
        answer = self.facts.answers.get(person)
        if answer is None:
            expected: dict[str, Any] = {"position": None, "responded_at": None, "responded_by": None, "late": False}
            fields = list(expected) if self.facts.opened and is_v2(self.facts.opened.data) else ["position"]
            where = "no answer event"
        elif is_v2(answer.data):
            expected = {"position": answer.data.get("position"), "responded_at": answer.data.get("at"),
                        "responded_by": answer.actor, "late": answer.data.get("late"),
                        "responded_by_name": answer.data.get("by_name"),
                        "responded_by_agency": answer.data.get("by_agency")}
            fields = list(expected)
            where = f"event seq {answer.seq}"
        else:
            self.before_v2 += 1
            expected = {"position": answer.data.get("position"), "responded_by": answer.actor}
            fields = list(expected)
            where = f"event seq {answer.seq}"
        differs = first_difference(row, expected, [(f, f) for f in fields])
        if differs is not None:
            self.rows.add(f"participants {person}: {differs[0]} {differs[1]!r} is not what the events record "
                          f"({where}: {differs[2]!r})")

    def _consultation(self) -> None:
        c, opened = self.consultation, self.facts.opened
        ended = self.facts.ended[-1] if self.facts.ended else None
        expected_state = {"closed": "closed", "cancelled": "cancelled"}.get(ended.type) if ended else "open"
        if c.get("state") != expected_state:
            self.rows.add(f"consultation: state {c.get('state')!r} but the events say {expected_state!r}")
        if opened is None:
            return
        if self.facts.deadline is not None and c.get("deadline_at") != self.facts.deadline:
            self.rows.add(f"consultation: deadline_at {c.get('deadline_at')!r} differs from the events "
                          f"({self.facts.deadline!r})")
        if not is_v2(opened.data):
            self.before_v2 += 1
            return
        opener = opened.data.get("opener") or {}
        recorded = {"opened_by": opened.actor, "opened_at": opened.data.get("opened_at"),
                    "scopes": opened.data.get("scopes"), "opened_by_name": opener.get("name"),
                    "opened_by_agency": opener.get("agency")}
        differs = first_difference(c, recorded, [(f, f) for f in recorded])
        if differs is not None:
            self.rows.add(f"consultation: {differs[0]} {differs[1]!r} differs from event seq {opened.seq} "
                          f"({differs[2]!r})")
        self._commitment("title", c.get("title"), opened.data.get("title_hmac"), opened.seq)
        if ended is not None and is_v2(ended.data):
            if c.get("closed_at") != ended.data.get("at"):
                self.rows.add(f"consultation: closed_at {c.get('closed_at')!r} differs from event seq {ended.seq} "
                              f"({ended.data.get('at')!r})")
            if ended.type == "closed":
                self._commitment("outcome", c.get("outcome"), ended.data.get("outcome_hmac"), ended.seq)

    def _commitment(self, label: str, text: Any, recorded: Any, seq: int) -> None:
        expected = None if text is None or self.commitment is None else commit(self.commitment, label, str(text))
        if expected != recorded:
            self.rows.add(f"consultation: {label} differs from what event seq {seq} recorded (its commitment does "
                          "not match)")

    # -- signature and checkpoint -------------------------------------------------------------

    def signature(self, path: Path, program: str | None, now: datetime | None) -> Check:
        name = f"signature ({SIG_FILE})"
        armored = path.read_text(encoding="utf-8", errors="replace")
        try:
            parsed = sshsig.check_own(armored, NAMESPACE, self.digests)
        except sshsig.SignatureError as exc:
            return Check(name, False, str(exc))
        signer = sshsig.fingerprint(sshsig.public_key_blob(parsed.public_key))
        if self.trust is None:
            return Check(name, False, f"not checked against a trusted key: transcript.json was signed by key {signer} "
                                      "(ssh-ed25519), and a bundle cannot vouch for itself (its allowed_signers "
                                      f"copy is never trusted); {HOW_TO_TRUST}")
        try:
            sshsig.verify_trusted(armored, NAMESPACE, self.digests, self.trust.signers, SIGNING_IDENTITY, now)
            ours = None
        except sshsig.SignatureError as exc:
            ours = str(exc)
        openssh = None if program is None or now is not None else ssh_keygen_verify(
            program, self.trust, SIGNING_IDENTITY, NAMESPACE, path, self.path)
        if ours is not None:
            said = f"; ssh-keygen: {openssh.message}" if openssh is not None else ""
            return Check(name, False, f"{ours} (trusted: {self.trust.source}){said}")
        if openssh is not None and not openssh.ok:
            return Check(name, False, f"ssh-keygen -Y verify refused it: {openssh.message} (trusted: "
                                      f"{self.trust.source})")
        checked_by = ("rapid-consult's verifier and ssh-keygen -Y verify (OpenSSH)" if openssh is not None
                      else "rapid-consult's verifier (ssh-keygen not used)")
        return Check(f"{name} by {SIGNING_IDENTITY}", True,
                     f"key {signer}, trusted through {self.trust.source}; checked by {checked_by}")

    def checkpoint_check(self, trust: Trust | None, now: datetime | None) -> Check:
        name = "checkpoint (signed log head)"
        if self.checkpoint_problem:
            return Check(name, False, self.checkpoint_problem)
        carried = self.checkpoint
        if carried is None:
            if self.format == FORMAT:
                return Check(name, False, "the bundle carries no checkpoint: nothing shows that the chain's "
                                          "tail is whole")
            return Check(name, True, "none (a bundle of an older format); the chain's tail is not covered")
        number = carried.body.number
        try:
            check_signature(carried, None if trust is None else trust.signers, SIGNING_IDENTITY, now)
        except sshsig.SignatureError as exc:
            return Check(name, False, f"checkpoint #{number}: {exc}")
        problem = check_proof(carried, self.consultation.get("id"))
        if problem is not None:
            return Check(name, False, f"checkpoint #{number}: {problem}")
        head = carried.head
        facts = self.facts
        if head is None:
            if facts.first_seq is not None and facts.first_seq <= carried.body.log_size:
                return Check(name, False, f"checkpoint #{number} covers the log up to seq {carried.body.log_size} "
                                          f"but lists no head for this consultation, whose events start at seq "
                                          f"{facts.first_seq}")
            return Check(name, True, f"checkpoint #{number} was made before this consultation's first event")
        if facts.head_found is None:
            return Check(name, False, f"checkpoint #{number} (signed {carried.body.at}) records this "
                                      f"consultation's chain up to event seq {head.seq}, but the bundle's chain "
                                      f"{'ends at seq ' + str(facts.last_seq) if facts.last_seq else 'is empty'}: "
                                      "events were removed from its tail")
        if facts.head_found.hash != head.hash or facts.events_up_to_head != head.events:
            return Check(name, False, f"checkpoint #{number} (signed {carried.body.at}) records event seq {head.seq} "
                                      f"as {head.hash[:16]}… after {head.events} events; the bundle has "
                                      f"{facts.head_found.hash[:16]}… after {facts.events_up_to_head}: the chain "
                                      "was rewritten")
        after = facts.count - facts.events_up_to_head
        tail = f"; {after} later events are not yet covered by a checkpoint" if after else ""
        return Check(name, True, f"checkpoint #{number} of {carried.body.at} covers the chain up to event seq "
                                 f"{head.seq}{tail}")


def _event(item: Any) -> Event | None:
    try:
        return Event(seq=int(item["seq"]), at=str(item["at"]), consultation_id=item["consultation_id"],
                     type=str(item["type"]), actor=item["actor"], data=dict(item["data"]),
                     prev_hash=str(item["prev_hash"]), log_prev_hash=str(item["log_prev_hash"]), hash=str(item["hash"]))
    except (KeyError, TypeError, ValueError):
        return None


def _message_id(event: Event) -> int:
    value = event.data.get("message_id")
    return value if isinstance(value, int) else -1
