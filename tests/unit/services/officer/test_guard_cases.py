"""Every block is a case on the officer's desk (issue #29): metadata and an audit event, never the
content — a text keeps its keyed hash, a file its type, size and SHA-256."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import Settings
from bot.services import comments
from bot.services.kernel.context import AppContext
from bot.services.kernel.incoming import Attachment, Incoming
from bot.services.officer import desk
from bot.store.repos import guard_cases
from tests.support import KeywordGuard
from tests.support.flow import GROUP, NSV, run

CANARY = "TỐI MẬT kế-hoạch-canary-7f3e"
FILE_CANARY = b"%PDF-1.4 file-canary-91ab"


@pytest.fixture
def ctx(rostered: AppContext) -> AppContext:
    return replace(rostered, group_chat_id=GROUP, guard=KeywordGuard())


async def _all_cases(ctx: AppContext) -> list[guard_cases.Case]:
    async with ctx.db.reading() as tx:
        return await guard_cases.cases_since(tx, ctx.clock.now().replace(year=2000))


async def _case_events(ctx: AppContext) -> list[dict[str, object]]:
    async with ctx.db.reading() as tx:
        rows = await tx.fetchall("SELECT actor, data FROM events WHERE type = 'guard_case' ORDER BY seq")
    return [{"actor": row["actor"], **json.loads(row["data"])} for row in rows]


async def test_a_blocked_text_in_the_group_is_a_case_with_its_keyed_hash(ctx: AppContext) -> None:
    message = Incoming(NSV, GROUP, 10, CANARY)
    await run(ctx, NSV, "comment", lambda uow: comments.comment(uow, message), chat_id=GROUP)
    [case] = await _all_cases(ctx)
    assert case.case.actor == "nsv-1" and case.case.agency == "asean-nsv" and case.case.user_id == NSV
    assert (case.case.place, case.case.source, case.case.level, case.case.rule) == ("group", "text", "toi_mat", "test")
    assert case.case.content_hmac and case.case.file_sha256 is None and case.case.file_size is None
    assert case.decision is None and case.reported_at is None
    [event] = await _case_events(ctx)
    assert event["case"] == case.id and event["actor"] == "nsv-1" and event["content_hmac"] == case.case.content_hmac


async def test_a_blocked_file_keeps_its_type_size_and_sha256_never_its_bytes(ctx: AppContext,
                                                                             settings: Settings) -> None:
    attachment = Attachment("ke-hoach.pdf", FILE_CANARY, "application/pdf", "file-1")
    message = Incoming(NSV, NSV, 11, "", attachment=attachment)
    await run(ctx, NSV, "comment", lambda uow: comments.comment(uow, message))
    [case] = await _all_cases(ctx)
    assert (case.case.place, case.case.source, case.case.file_type) == ("private", "file", "application/pdf")
    assert case.case.file_size == len(FILE_CANARY)
    assert case.case.file_sha256 == hashlib.sha256(FILE_CANARY).hexdigest()
    stored = b"".join(path.read_bytes() for path in Path(settings.data_dir).rglob("*") if path.is_file())
    assert b"file-canary" not in stored and b"ke-hoach" not in stored


async def test_nothing_of_a_blocked_text_reaches_the_database(ctx: AppContext, settings: Settings) -> None:
    message = Incoming(NSV, GROUP, 12, CANARY)
    await run(ctx, NSV, "comment", lambda uow: comments.comment(uow, message), chat_id=GROUP)
    assert len(await _all_cases(ctx)) == 1
    stored = b"".join(path.read_bytes() for path in Path(settings.data_dir).rglob("*") if path.is_file())
    assert b"canary-7f3e" not in stored


MOFA_OFFICER, NATIONAL_OFFICER = 1005, 9101


async def _press(ctx: AppContext, user_id: int, data: str) -> None:
    async def refused(uow: object, error: Exception, language: str) -> None:
        _refused.append(type(error).__name__)
    await run(ctx, user_id, "/guard button", lambda uow: desk.press(uow, f"cb-{user_id}-{data}", user_id, data),
              on_error=refused)


_refused: list[str] = []


async def test_forged_presses_are_refused_and_decide_nothing(ctx: AppContext) -> None:
    _refused.clear()
    message = Incoming(NSV, NSV, 13, CANARY)
    await run(ctx, NSV, "comment", lambda uow: comments.comment(uow, message))
    [case] = await _all_cases(ctx)
    await _press(ctx, MOFA_OFFICER, f"gc:{case.id}:r")  # not the sender: may not report it
    await _press(ctx, MOFA_OFFICER, f"gc:{case.id}:l")  # another agency's officer: may not decide it
    await _press(ctx, MOFA_OFFICER, f"gc:{case.id}:u")
    await _press(ctx, NSV, f"gc:{case.id}:u")  # the sender is no officer
    await _press(ctx, NSV, "gc:0:r")  # malformed
    await _press(ctx, NSV, f"gc:{case.id}:r ")
    assert _refused == ["CaseNotYoursError", "NotOfficerError", "NotOfficerError", "NotOfficerError",
                        "StaleButtonError", "StaleButtonError"]
    [after] = await _all_cases(ctx)
    assert after.decision is None and after.reported_at is None
    async with ctx.db.reading() as tx:  # each refusal is on the record, with who pressed
        refusals = await tx.fetchall("SELECT actor FROM events WHERE type = 'refused' ORDER BY seq")
    assert [row["actor"] for row in refusals] == ["sec-mofa", "sec-mofa", "sec-mofa", "nsv-1"]
    await _press(ctx, NATIONAL_OFFICER, f"gc:{case.id}:l")  # a marked text: never released by a button
    [after] = await _all_cases(ctx)
    assert after.decision is None
    await _press(ctx, NATIONAL_OFFICER, f"gc:{case.id}:u")
    [after] = await _all_cases(ctx)
    assert (after.decision, after.decided_by) == ("upheld", "sec-national")


def test_only_an_unmarked_or_doubtful_block_is_released_in_one_step() -> None:
    base = guard_cases.NewCase(at=datetime(2026, 1, 1, tzinfo=UTC), actor="nsv-1", user_id=NSV, agency="asean-nsv",
                               chat_id=NSV, thread_id=None, message_id=1, place="private", consultation_id=None,
                               kind="message", rule="x", level=None, source="photo")
    def case(**changes: object) -> guard_cases.Case:
        return guard_cases.Case(1, replace(base, **changes), None, None, None, None, None)  # type: ignore[arg-type]
    assert not desk.needs_two_steps(case())
    assert desk.needs_two_steps(case(level="toi_mat"))
    assert desk.needs_two_steps(case(level="mat", ocr_confidence=92.0))
    assert not desk.needs_two_steps(case(level="mat", ocr_confidence=40.0))


async def test_an_officer_is_shown_the_desk_in_help_and_is_no_focal_point(ctx: AppContext) -> None:
    from bot.i18n import t
    from bot.services.enrollment import help_text
    from bot.store.repos import people

    async with ctx.db.reading() as tx:
        officer = await people.person_by_key(tx, "sec-mofa")
    assert officer is not None
    shown = help_text(officer, "vi")
    assert "/guard" in shown and t("vi", "help.focal") not in shown


async def test_a_marked_case_is_released_only_by_typing_its_level_and_a_reason(ctx: AppContext) -> None:
    from bot.errors import UsageError
    from bot.services.dispatch import Origin, as_person, perform
    from bot.services.kernel.screening import Screened
    from bot.services.officer import releases
    from tests.support.flow import COORD, outbox_rows, update_ids

    message = Incoming(COORD, COORD, 20, CANARY)  # a mofa sender: the mofa officer answers for it
    await run(ctx, COORD, "comment", lambda uow: comments.comment(uow, message))
    [case] = await _all_cases(ctx)
    failures: list[str] = []

    async def release(arguments: str) -> None:
        async def refused(uow: object, error: Exception, language: str) -> None:
            failures.append(type(error).__name__)
        origin = Origin(next(update_ids), MOFA_OFFICER, MOFA_OFFICER, None, "vi", "/guardrelease")
        await perform(ctx, origin, as_person(origin, lambda uow, p: desk.guardrelease(uow, p, arguments, MOFA_OFFICER)),
                      refused)

    await release(f"{case.id} toi_mat")  # no reason
    await release(f"{case.id} bí mật lắm")  # no level
    assert failures == [UsageError.__name__, UsageError.__name__]
    await release(f"{case.id} mat trích dẫn công khai")  # the wrong level: not released
    assert (await _all_cases(ctx))[0].decision is None
    await release(f"{case.id} tối mật trích dẫn từ văn bản đã giải mật")
    [after] = await _all_cases(ctx)
    assert (after.decision, after.decided_by, after.decision_reason) == (
        "released", "sec-mofa", "trích dẫn từ văn bản đã giải mật")
    told = [r for r in await outbox_rows(ctx) if r["chat"] == NATIONAL_OFFICER and "guard-desk:decided" in r["key"]]
    assert len(told) == 1 and "gõ độ mật" in str(told[0]["text"])
    sender = [r for r in await outbox_rows(ctx) if r["chat"] == COORD and "guard-desk:released" in r["key"]]
    assert len(sender) == 1

    blocked = Screened("block", "toi_mat", None, "test", case.case.content_hmac)
    first = await releases.spend(ctx, message, blocked)
    again = await releases.spend(ctx, message, blocked)
    other = await releases.spend(ctx, replace(message, user_id=NSV, chat_id=NSV), blocked)
    assert (first.action, again.action, other.action) == ("allow", "block", "block")


def test_the_verdict_s_finer_source_and_ocr_confidence_reach_the_case() -> None:
    from bot.guard.verdict import GuardAction, Level, Verdict
    from bot.services.kernel.screening import _from_verdict
    from bot.services.officer.cases import case_of

    verdict = Verdict(GuardAction.BLOCK, Level.TOI_MAT, None, (), "image:marking-alone-on-line", "p0licy",
                      extra={"page": 3, "ocr_confidence": 91.5})
    screened = _from_verdict(verdict, "hmac")
    attachment = Attachment("scan.pdf", b"%PDF-", "application/pdf", "f")
    case = case_of(Incoming(NSV, NSV, 1, "", attachment=attachment), screened, None,
                   at=datetime(2026, 1, 1, tzinfo=UTC), place="private", consultation_id=None, kind="message")
    assert (case.detail, case.ocr_confidence, case.policy_hash, case.actor) == ("page 3", 91.5, "p0licy", f"tg:{NSV}")
    plain = _from_verdict(replace(verdict, extra={}), "hmac")
    assert case_of(Incoming(NSV, NSV, 1, "", attachment=attachment), plain, None, at=case.at, place="private",
                   consultation_id=None, kind="message").detail == "ocr"


async def test_a_report_s_reason_is_sealed_and_a_blocked_reason_is_not_taken(ctx: AppContext) -> None:
    from bot.services.kernel.screening import Screened
    from bot.services.officer import reports
    from tests.support.flow import outbox_rows

    await run(ctx, NSV, "comment", lambda uow: comments.comment(uow, Incoming(NSV, NSV, 30, CANARY)))
    [case] = await _all_cases(ctx)
    await _press(ctx, NSV, f"gc:{case.id}:r")
    told = [r for r in await outbox_rows(ctx) if r["chat"] == NATIONAL_OFFICER]
    assert len(told) == 1 and f"#{case.id}" in str(told[0]["text"]) and "canary" not in str(told[0]["text"])
    taken: list[bool] = []
    marked = Incoming(NSV, NSV, 31, "TỐI MẬT reason-canary")
    await run(ctx, NSV, "comment", lambda uow: _take(uow, reports, marked, Screened("block", "toi_mat", None, "t", "h"),
                                                     taken))
    reason = "ảnh chụp công văn đã công bố"
    await run(ctx, NSV, "comment", lambda uow: _take(uow, reports, Incoming(NSV, NSV, 32, reason),
                                                     Screened("allow", None, reason, None, "h"), taken))
    assert taken == [False, True]
    async with ctx.db.reading() as tx:
        sealed = await tx.fetchval("SELECT report_reason_enc FROM guard_cases WHERE id = ?", (case.id,))
        from bot.store.datakeys import load_data_key
        opened = await guard_cases.report_reason(tx, await load_data_key(tx, ctx.keys, 0), case.id)
    assert reason.encode() not in bytes(sealed) and opened == reason
    told = [r for r in await outbox_rows(ctx) if r["chat"] == NATIONAL_OFFICER]
    assert reason in str(told[-1]["text"]) and not any("reason-canary" in str(r.get("text")) for r in told)


async def _take(uow: object, reports: object, message: Incoming, screened: object, taken: list[bool]) -> None:
    taken.append(await reports.take_reason(uow, message, screened))  # type: ignore[attr-defined]


def test_case_buttons_are_parsed_strictly() -> None:
    from bot.domain.callbacks import CasePress, case_data, parse_case

    for action in ("report", "skip", "uphold", "release"):
        assert parse_case(case_data(42, action)) == CasePress(42, action)
    for forged in ("gc:0:r", "gc:01:r", "gc:1:x", "gc:1:r\n", "gc:12345678901:r", "gc:1:rr", "a:1:agree", None, ""):
        assert parse_case(forged) is None, forged
