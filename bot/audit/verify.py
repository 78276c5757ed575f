"""Checking a transcript bundle offline: the signature against a key the auditor trusts, the
canonical form, the hash chain, the checkpoint it carries, and every row against its event.

The JSON is read as a stream (`bot.audit.jsonstream`): events once for the chain and once more
beside the messages, each message held against its event (`bot.audit.rows`), so memory stays flat
however long the consultation. Every problem names the file, the event (by seq) or the row
(message id, person) and the field, the first that differs first, so an auditor can say exactly
what was altered.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.audit import sshsig
from bot.audit.allowed_signers import AllowedSigners
from bot.audit.checkpoints import CarriedCheckpoint, check_proof, check_signature
from bot.audit.checks import Check, Problems
from bot.audit.jsonstream import CanonicalReader, StreamError
from bot.audit.logproofs import CarriedLog, log_check, pinned_keys, timestamp_check, witness_check
from bot.audit.rows import Facts, RowChecker
from bot.audit.standins import StandIns
from bot.audit.transcript import FORMAT, JSON_FILE, NAMESPACE, READABLE_FILES, SIG_FILE, sha256_of
from bot.audit.trust import Trust, ssh_keygen_path, ssh_keygen_verify
from bot.clock import from_iso
from bot.domain.chain import Event, check_consultation_chain
from bot.domain.checkpoint import event_leaf
from bot.domain.facts import ANSWER_EVENT, MESSAGE_EVENTS, is_v2
from bot.store.keys import SIGNING_IDENTITY

HOW_TO_TRUST = ("ask the deployment's security officer for its published key (the line `consult keys show-public` "
                "prints), save it as a file and run: consult verify DIR --allowed-signers FILE")

__all__ = ["Check", "verify_bundle"]


# What may follow a closing or a cancelling: the record read or removed, a report drawn, a closing
# notice that could not be delivered; never a post, an answer or a changed deadline.
AFTER_THE_END = frozenset({"exported", "shredded", "reported", "unreachable"})


def verify_bundle(directory: Path, trust: Trust | None, *, ssh_keygen: str | bool | None = True,
                  now: datetime | None = None, expect_id: int | None = None,
                  witness: Path | None = None, tsa_certs: Sequence[bytes] = ()) -> list[Check]:
    """Every check, in order. `trust` None: nothing says OK for the signature. `ssh_keygen`: True
    to use OpenSSH's when installed, False not to, or the program's path. `witness`: a file of
    published checkpoints the bundle's tree must be consistent with; `tsa_certs`: DER certificates
    the checkpoint's time-stamp must chain to."""
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
    checks.append(Check("canonical form (RFC 8785)", run.noncanonical is None,
                        "" if run.noncanonical is None else
                        f"transcript.json is not in canonical form ({run.noncanonical}): it was edited or "
                        "re-serialised"))
    checks.append(Check("event hash chain", not run.chain, run.chain.text()))
    checks.append(checkpoint_check(run.checkpoint, run.checkpoint_problem, run.facts, run.rows.consultation.get("id"),
                                   run.format, None if trust is None else trust.signers, now))
    if run.rows.content_free and run.facts.shredded is None:
        run.problems.add("consultation: the bundle says its content was destroyed, but no shredding is in its chain "
                         "(texts withheld from the auditor?)")
    checks.append(Check("messages, participants and state match the events", not run.problems,
                        run.problems.text()))
    if run.rows.before_v2:
        checks.append(Check("rows written before v2", True,
                            f"{run.rows.before_v2} rows were recorded by events older than chain v2: their author, "
                            "time and level are not in the chain, so they are checked as before (guard action and "
                            "content hash only)"))
    checks.append(Check("events make sense (time order, nothing after the end)", not run.meaning,
                        run.meaning.text()))
    found_id = run.rows.consultation.get("id")
    shredded = run.facts.shredded if run.rows.content_free else None
    named = (f"#{found_id} (content-free: its texts were destroyed by retention, event seq {shredded.seq}; events, "
             "participants, positions and times checked)" if shredded is not None else
             f"#{found_id} «{run.rows.consultation.get('title')}»")
    checks.append(Check("consultation", expect_id is None or found_id == expect_id,
                        f"{named}, exported at {run.exported.get('exported_at')} by {run.exported.get('exported_by')}"
                        if expect_id is None or found_id == expect_id else
                        f"this bundle is consultation #{found_id}, not #{expect_id} as expected"))
    checks.append(readable_copies_check(directory, run.files))
    checks.extend(log_checks(run, trust, witness, tsa_certs))
    return checks


def readable_copies_check(directory: Path, listed: Any) -> Check:
    """The HTML and PDF against the SHA-256 the signed document lists: each "checked", "missing"
    (listed but not in the folder: said, not silently skipped) or different (a failure)."""
    name = "readable copies (transcript.html, transcript.pdf)"
    if listed is None:
        return Check(name, False, "not bound: this bundle's signed document lists no hashes of its readable copies "
                                  "(exported by an older release); read them as unchecked")
    if not isinstance(listed, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in listed.items()):
        return Check(name, False, "files: malformed")
    said, bad = [], []
    for file_name in READABLE_FILES:
        path = directory / file_name
        if file_name not in listed:
            said.append(f"{file_name} not made at export" + (" (but one is in the folder: not ours)"
                                                             if path.exists() else ""))
            bad += [file_name] if path.exists() else []
        elif not path.is_file():
            said.append(f"{file_name} missing")
        elif sha256_of(path) != listed[file_name]:
            said.append(f"{file_name} DIFFERS from the one exported (edited, or from another bundle)")
            bad.append(file_name)
        else:
            said.append(f"{file_name} checked")
    unknown = sorted(set(listed) - set(READABLE_FILES))
    if unknown:
        said.append(f"unknown entries {unknown}")
        bad += unknown
    return Check(name, not bad, "; ".join(said))


class _Run:
    """One verification: the streamed reads and what they found."""

    def __init__(self, path: Path, trust: Trust | None) -> None:
        self.path = path
        self.trust = trust
        self.digests: dict[str, bytes] = {}
        self.noncanonical: str | None = None
        self.chain = Problems()
        self.problems = Problems()
        self.facts = Facts()
        self.rows = RowChecker(self.facts, self.problems)
        self.checkpoint: CarriedCheckpoint | None = None
        self.checkpoint_problem: str | None = None
        self.format: Any = None
        self.has_participants = False
        self.meaning = Problems()
        self.exported: dict[str, Any] = {}
        self.log: CarriedLog | None = None
        self.log_problem: str | None = None
        self.event_leaves: dict[int, bytes] = {}
        self.files: Any = None  # the readable copies' SHA-256, as the signed document lists them

    def read(self) -> Check | None:
        """Walk the document once; a Check if its structure stops the walk."""
        reader = CanonicalReader(self.path, hashing=True, check_canonical=True)
        try:
            for key in reader.members():
                try:
                    self._member(reader, key)
                except (TypeError, AttributeError, ValueError, KeyError) as exc:  # a shape no genuine one has
                    self.problems.add(f"{key}: malformed ({type(exc).__name__}: {exc})")
            reader.drain()
        except StreamError as exc:
            reader.hash_rest()
            return Check("transcript.json", False, f"not a transcript: {exc} (truncated or edited?)")
        finally:
            assert reader.sha512 is not None and reader.sha256 is not None
            self.digests = {"sha512": reader.sha512.digest(), "sha256": reader.sha256.digest()}
            self.noncanonical = reader.noncanonical
            reader.close()
        if not self.has_participants:
            self.problems.add("participants: missing")
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
                self.rows.set_consultation(value)
            elif key == "participants":
                self.has_participants = True
                self.rows.check_participants(value if isinstance(value, list) else [])
                self.rows.check_consultation()
            elif key == "format":
                self.format = value
            elif key in ("exported_at", "exported_by"):
                self.exported[key] = value
            elif key == "files":
                self.files = value
            elif key == "log" and value is not None:
                self.log, self.log_problem = read_log(value)

    def _answer_makes_sense(self, event: Event, invited: set[str], stand_ins: StandIns) -> None:
        """An answer counts for someone invited, given by that person or by the one the record named
        to stand in for them (an absence, an escalation), and is marked late exactly when it came
        after the deadline in force at that moment (extensions are events before it)."""
        if event.type == "opened":
            invited.update(str(k) for k in event.data.get("invitees") or [])
        elif event.type == "invited" and event.actor:
            invited.add(str(event.actor))
        stand_ins.observe(event)
        if event.type != ANSWER_EVENT or not is_v2(event.data):
            return
        principal = str(event.data.get("for", event.actor))
        if invited and principal not in invited:
            self.meaning.add(f"event seq {event.seq} (answered): for {principal}, who was never invited")
        if event.actor and str(event.actor) != principal and not stand_ins.may_answer(str(event.actor), principal):
            self.meaning.add(f"event seq {event.seq} (answered): by {event.actor} for {principal}, but nothing "
                             f"before it named {event.actor} to stand in for {principal}")
        late, deadline, at = event.data.get("late"), self.facts.deadline, event.data.get("at") or event.at
        if isinstance(late, bool) and isinstance(deadline, str) and isinstance(at, str):
            try:
                after = from_iso(at) > from_iso(deadline)
            except ValueError:
                self.meaning.add(f"event seq {event.seq} (answered): a time not in the record's format ({at!r})")
                return
            if late != after:
                self.meaning.add(f"event seq {event.seq} (answered): marked {'late' if late else 'on time'}, but it "
                                 f"came at {at}, {'after' if after else 'before'} the deadline then in force "
                                 f"({deadline})")

    def _events(self, reader: CanonicalReader) -> None:
        head = self.checkpoint.head if self.checkpoint is not None else None
        last_at: str | None = None
        ended: Event | None = None
        invited: set[str] = set()
        stand_ins = StandIns()

        def stream() -> Iterator[Event]:
            nonlocal last_at, ended
            for index, item in enumerate(reader.items()):
                event = _event(item)
                if event is None:
                    self.chain.add(f"events[{index}]: missing or bad field")
                    continue
                self.facts.observe(event, None if head is None else head.seq)
                self._answer_makes_sense(event, invited, stand_ins)
                if last_at is not None and event.at < last_at:
                    self.meaning.add(f"event seq {event.seq} ({event.type}): at {event.at}, before the event "
                                     f"before it ({last_at}): time went backwards (backdated?)")
                last_at = event.at
                self.event_leaves[event.seq - 1] = event_leaf(event.hash)
                if ended is not None and event.type not in AFTER_THE_END:
                    self.meaning.add(f"event seq {event.seq} ({event.type}): after the consultation was "
                                     f"{ended.type} (seq {ended.seq}); only an export or a shredding may follow")
                if event.type in ("closed", "cancelled") and ended is None:
                    ended = event
                yield event

        for fault in check_consultation_chain(stream(), self.rows.consultation.get("id")):
            self.chain.add(str(fault))

    def _messages(self, reader: CanonicalReader) -> None:
        """Each message beside its event: both are in the order they were written."""
        events = self._message_events()
        pending = next(events, None)
        previous_id = 0
        for item in reader.items():
            if not isinstance(item, dict):
                self.problems.add("messages: an entry is not an object")
                continue
            message_id = item.get("id")
            if not isinstance(message_id, int) or message_id <= previous_id:
                self.problems.add(f"messages id {message_id}: out of order or repeated")
                continue
            previous_id = message_id
            while pending is not None and _message_id(pending) < message_id:
                self.problems.add(f"event seq {pending.seq}: message {_message_id(pending)} is missing from messages")
                pending = next(events, None)
            if pending is None or _message_id(pending) != message_id:
                self.problems.add(f"messages id {message_id}: recorded by no event (added after the fact?)")
            else:
                self.rows.check_message(item, pending)
                pending = next(events, None)
            self.rows.check_text(item)
        while pending is not None:
            self.problems.add(f"event seq {pending.seq}: message {_message_id(pending)} is missing from messages")
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
                    self.problems.add(f"event seq {event.seq}: message ids of the events out of order")
                    continue
                last = _message_id(event)
                yield event

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


def checkpoint_check(carried: CarriedCheckpoint | None, problem: str | None, facts: Facts,
                     consultation_id: Any, bundle_format: Any, signers: AllowedSigners | None,
                     now: datetime | None = None) -> Check:
    """The checkpoint a bundle carries: signed by a trusted key, its path to the signed root, and
    the bundle's chain passing through the head it signed."""
    name = "checkpoint (signed log head)"
    if problem:
        return Check(name, False, problem)
    if carried is None:
        if bundle_format == FORMAT:
            return Check(name, False, "the bundle carries no checkpoint: nothing shows that the chain's "
                                      "tail is whole")
        return Check(name, True, "none (a bundle of an older format); the chain's tail is not covered")
    number = carried.body.number
    try:
        check_signature(carried, signers, SIGNING_IDENTITY, now)
    except sshsig.SignatureError as exc:
        return Check(name, False, f"checkpoint #{number}: {exc}")
    wrong = check_proof(carried, consultation_id)
    if wrong is not None:
        return Check(name, False, f"checkpoint #{number}: {wrong}")
    head = carried.head
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


def read_log(value: Any) -> tuple[CarriedLog | None, str | None]:
    try:
        return CarriedLog.from_json(value), None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:  # NoteError is a ValueError
        return None, f"the bundle's log member is malformed: {exc}"


def log_checks(run: _Run, trust: Trust | None, witness: Path | None, tsa_certs: Sequence[bytes] = ()
               ) -> list[Check]:
    """The one tree (bot/audit/logproofs.py): the consultation's events in the tree the bundle's
    note signs, and, with `witness`, that tree against every checkpoint the auditor kept."""
    carried = run.log
    if carried is not None:
        carried.leaves = {i: leaf for i, leaf in run.event_leaves.items() if i < carried.size}
        carried.later = len(run.event_leaves) - len(carried.leaves)
    keys = pinned_keys(None if trust is None else trust.signers, SIGNING_IDENTITY)
    checks = [log_check(carried, run.log_problem, keys, witness is not None)]
    if witness is not None:
        checks.append(witness_check(witness, carried, keys, tsa_certs))
    stamped = timestamp_check(carried, tsa_certs)
    return checks if stamped is None else [*checks, stamped]


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
