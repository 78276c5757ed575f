"""`/report N` and `consult report`: the draft report to the Prime Minister drawn from the store,
judged by the guard before it leaves, an event in the chain; never a blocked text in it."""

from __future__ import annotations

import io
import json
import stat
from dataclasses import replace
from pathlib import Path

import docx
import pytest

from bot.errors import ReportBlockedError
from bot.guard.verdict import Verdict
from bot.services.consultations import managing, notices, opening
from bot.services.dispatch import Origin
from bot.services.kernel.context import AppContext
from bot.services.reports import reporting
from tests.support import KeywordGuard
from tests.support.consultation import GROUP, MOIT_ALT, command, comment, run_consultation
from tests.support.flow import AUDITOR, COORD, MOIT, events, outbox_rows, person_command, press, update_ids


class AllowingFiles(KeywordGuard):
    """Judges texts like KeywordGuard and lets files through, counting what it was shown."""

    def __init__(self) -> None:
        self.files: list[str] = []

    def scan_document(self, file_name: str, content: bytes, mime_type: str | None = None) -> Verdict:
        self.files.append(file_name)
        return self.Verdict("allow", None)


@pytest.fixture
def ctx(rostered: AppContext) -> AppContext:
    return replace(rostered, group_chat_id=GROUP, guard=AllowingFiles())


async def report(ctx: AppContext, arguments: str, user: int = COORD, chat: int | None = None) -> None:
    origin = Origin(next(update_ids), user, chat or user, None, "vi", "/report")
    await reporting.report_for_coordinator(ctx, origin, arguments)


def text_of(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


async def test_the_report_is_built_from_the_store_with_who_answered_for_whom(ctx: AppContext) -> None:
    await run_consultation(ctx)
    async with ctx.db.reading() as tx:
        built = await reporting.build_report(tx, ctx, 1)
    by_key = {p.key: p for p in built.participants}
    assert by_key["moit-1"].position is not None and by_key["moit-1"].responded_by == "Lê Văn Cường"
    assert by_key["nsv-1"].position is not None and by_key["nsv-1"].position.value == "object"
    assert built.blocked_count == 1 and built.summary == "Thống nhất trình lãnh đạo"
    assert [c.redacted for c in built.comments] == [False, True]
    assert not any("phương án B" in c.text for c in built.comments)


async def test_the_number_carries_the_issuers_short_name_from_routing_yaml(ctx: AppContext) -> None:
    """Issue 26 item 7: the issuer is written as routing.yaml declares it, not as made-up initials."""
    await run_consultation(ctx)
    async with ctx.db.reading() as tx:
        built = await reporting.build_report(tx, ctx, 1, "Bộ Ngoại giao")
        unlisted = await reporting.build_report(tx, ctx, 1, "Sở Ngoại vụ Hà Nội")
    assert built.issuer.number_suffix() == "BNG"
    assert built.agency_order[:2] == ("Bộ Ngoại giao", "Bộ Công Thương")  # the roster's order, for the comments
    assert unlisted.issuer.number_suffix() == "Sở Ngoại vụ Hà Nội"


async def test_a_comment_by_an_alternate_who_has_not_answered_speaks_for_their_invitee(ctx: AppContext) -> None:
    """The alternate replies to the invitee's invitation (domain.access.acts_for) and answers nothing:
    the report ties the comment to the agency's invitee all the same, not to a seat of its own."""
    await command(ctx, opening.open_consultation, COORD, "2h aec: Dự thảo tuyên bố")
    async with ctx.db.transaction() as tx:
        await tx.execute("UPDATE participants SET invitation_message_id = 901 WHERE person_key = 'moit-1'")
    await comment(ctx, MOIT_ALT, "Bộ Công Thương góp ý sau", 901)
    async with ctx.db.reading() as tx:
        built = await reporting.build_report(tx, ctx, 1)
    assert [(c.author_key, c.text) for c in built.comments] == [("moit-1", "Bộ Công Thương góp ý sau")]
    assert all(p.position is None for p in built.participants)


async def test_a_coordinator_gets_the_docx_privately_judged_by_the_guard_and_logged(ctx: AppContext) -> None:
    await run_consultation(ctx)
    await report(ctx, "1")
    sent = [r for r in await outbox_rows(ctx) if r["method"] == "sendDocument"]
    assert len(sent) == 1 and sent[0]["chat"] == COORD and sent[0]["key"].startswith("pmreport:")
    assert sent[0]["upload"].name.endswith(".docx") and sent[0]["caption"].startswith("📄 #1")
    body = text_of(sent[0]["upload"].content)
    assert "BÁO CÁO" in body and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in body and "Nơi nhận" in body
    assert "Dự thảo tuyên bố về kinh tế số" in body and "Thống nhất trình lãnh đạo" in body
    assert "phương án B" not in body and "nước C phản đối" not in body
    assert isinstance(ctx.guard, AllowingFiles) and ctx.guard.files == [sent[0]["upload"].name]
    reported = await events(ctx, "reported")
    data = json.loads(reported[0]["data"])
    assert len(reported) == 1 and reported[0]["consultation_id"] == 1 and data["via"] == "telegram"
    assert data["file_hmac"] and data["bytes"] == len(sent[0]["upload"].content)


async def test_a_report_the_guard_blocks_is_not_sent_and_the_block_is_logged(ctx: AppContext) -> None:
    ctx = replace(ctx, guard=KeywordGuard())  # blocks every file
    await run_consultation(ctx)
    await report(ctx, "1")
    rows = await outbox_rows(ctx)
    assert not any(r["method"] == "sendDocument" for r in rows)
    assert rows[-1]["text"].startswith("🚫 Dự thảo báo cáo #1 không vượt qua bộ lọc")
    assert not await events(ctx, "reported")
    assert json.loads((await events(ctx, "blocked"))[-1]["data"])["where"] == "/report"


@pytest.mark.parametrize("user", [MOIT, AUDITOR, 999999])
async def test_only_a_coordinator_may_draw_a_report_and_a_refusal_is_logged(ctx: AppContext, user: int) -> None:
    await run_consultation(ctx)
    await report(ctx, "1", user=user)
    assert not any(r["method"] == "sendDocument" for r in await outbox_rows(ctx))
    refused = await events(ctx, "refused")
    assert json.loads(refused[-1]["data"])["command"] == "/report"


@pytest.mark.parametrize(("arguments", "chat", "expected"), [
    ("", None, "Cách dùng: /report"),
    ("một", None, "Cách dùng: /report"),
    ("99", None, "Không tìm thấy cuộc tham vấn #99"),
    ("1", GROUP, "Lệnh này chỉ dùng trong tin nhắn riêng"),
])
async def test_malformed_or_misplaced_report_gets_usage_or_reason(ctx: AppContext, arguments: str, chat: int | None,
                                                                  expected: str) -> None:
    await run_consultation(ctx)
    await report(ctx, arguments, chat=chat)
    rows = await outbox_rows(ctx)
    assert not any(r["method"] == "sendDocument" for r in rows)
    assert rows[-1]["text"].startswith(expected), rows[-1]["text"]


async def test_a_notice_report_lists_acknowledgements_and_asks_for_no_objections(ctx: AppContext) -> None:
    await person_command(notices.notify, COORD, "2h aec: Thủ tướng chỉ đạo rà soát cam kết", "/notify")(ctx)
    await press(ctx, MOIT, "a:1:acknowledged")
    async with ctx.db.reading() as tx:
        built = await reporting.build_report(tx, ctx, 1)
    assert built.kind == "notice"
    drawn = await reporting.draw(ctx, built, "vi")
    body = text_of(drawn.content)
    assert "Thủ tướng chỉ đạo rà soát cam kết" in body and "phản đối" not in body.lower()


async def test_the_command_line_writes_an_owner_only_file_and_logs_it(ctx: AppContext, tmp_path: Path) -> None:
    await run_consultation(ctx)
    out = tmp_path / "bao-cao.docx"
    drawn = await reporting.write_report(ctx, 1, out, "en", by="cli")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and out.read_bytes() == drawn.content
    body = text_of(out.read_bytes())
    assert "SOCIALIST REPUBLIC OF VIET NAM" in body and "phương án B" not in body
    assert json.loads((await events(ctx, "reported"))[-1]["data"])["via"] == "cli"


async def test_the_command_line_writes_nothing_when_the_guard_blocks(ctx: AppContext, tmp_path: Path) -> None:
    ctx = replace(ctx, guard=KeywordGuard())
    await run_consultation(ctx)
    out = tmp_path / "bao-cao.docx"
    with pytest.raises(ReportBlockedError):
        await reporting.write_report(ctx, 1, out, "vi")
    assert not out.exists() and not await events(ctx, "reported")
    assert len([e for e in await events(ctx, "blocked") if json.loads(e["data"])["where"] == "/report"]) == 1


async def test_the_deadline_a_late_answer_missed_is_the_one_shown(ctx: AppContext) -> None:
    """After /extend the report showed only the new deadline, so an answer marked late seemed on
    time (issue 26, item 4): the deadline in force first is shown, then where it moved."""
    await person_command(opening.open_consultation, COORD, "2h aec: Lập trường về dự thảo", "/urgent")(ctx)
    async with ctx.db.reading() as tx:
        first = (await reporting.build_report(tx, ctx, 1)).deadline_at
    await person_command(managing.extend, COORD, "1 3h", "/extend")(ctx)
    async with ctx.db.reading() as tx:
        built = await reporting.build_report(tx, ctx, 1)
    assert built.earlier_deadlines == (first,) and built.deadline_at > first
    body = text_of((await reporting.draw(ctx, built, "vi")).content)
    assert "- Hạn trả lời: " in body and ", sau đó gia hạn đến " in body
