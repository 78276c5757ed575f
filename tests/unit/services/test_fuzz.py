"""Fuzzing with hypothesis: every input to the command parser, the deadline parser, callback data
and the guard gets a verdict or a usage message; no exception escapes.

CI runs a few hundred examples each; `make bench` runs 10,000 each (FUZZ_EXAMPLES: a knob of the
suite, not a CONSULT_* setting, which tests never read) and records the counts in bench-results/fuzz.json.
"""

from __future__ import annotations

import itertools
import os
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.composition import default_guard
from bot.domain.deadline import MAX_WINDOW, parse_deadline
from bot.errors import UsageError
from bot.services import answering
from bot.services.consultations import managing, opening, urgent_form
from bot.services.dispatch import Origin, as_person, perform
from bot.services.kernel.context import AppContext
from bot.services.kernel.uow import UnitOfWork
from bot.services.presentation.errors_render import render_error
from tests.support.flow import COORD, GROUP, MOIT

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
PROFILE = settings(max_examples=EXAMPLES, deadline=None, derandomize=EXAMPLES < 1000,
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                          HealthCheck.filter_too_much])
COUNTS: Counter[str] = Counter()
_ids = itertools.count(5_000_000)

# Text shaped like what people type: command words, numbers, scopes, times, Vietnamese, noise.
WORDS = st.sampled_from(["2h", "30s", "45m", "1h30m", "17:00", "25:61", "0m", "8d", "aec", "apsc", "aec+apsc",
                         "cross", "+", ":", "1", "0", "-1", "99999999999", "#1", "Lập trường", "MẬT", "TỐI MẬT",
                         "\u200b", "\n", "  ", "ａｅｃ", "a:1:agree", "/urgent", "'; DROP TABLE x;--"])
TYPED = st.one_of(st.text(max_size=300), st.lists(WORDS, max_size=12).map(" ".join),
                  st.lists(st.one_of(WORDS, st.text(max_size=8)), max_size=8).map("".join))


@pytest.fixture
def ctx(rostered: AppContext) -> AppContext:
    return replace(rostered, group_chat_id=GROUP, guard=default_guard(rostered.settings))


async def replies_to(ctx: AppContext, update_id: int) -> int:
    async with ctx.db.reading() as tx:
        return int(await tx.fetchval("SELECT count(*) FROM outbox WHERE dedup_key LIKE ?", (f"reply:{update_id}@%",)))


COMMANDS = [("/urgent", opening.open_consultation), ("/status", managing.status), ("/extend", managing.extend),
            ("/remind", managing.remind), ("/close", managing.close), ("/cancel", managing.cancel)]


@PROFILE
@given(command=st.sampled_from(COMMANDS), arguments=TYPED, user=st.sampled_from([COORD, MOIT, 777]))
async def test_every_command_gets_an_answer(ctx: AppContext, command: tuple[str, object], arguments: str,
                                            user: int) -> None:
    name, use_case = command
    origin = Origin(next(_ids), user, user, None, "vi", name)
    await perform(ctx, origin, as_person(origin, lambda uow, p: use_case(uow, p, arguments, user)))  # type: ignore[operator]
    assert await replies_to(ctx, origin.update_id) >= 1, (name, arguments)
    COUNTS["commands"] += 1


@PROFILE
@given(text=TYPED, minutes=st.integers(0, 60 * 24 * 30))
def test_every_deadline_is_read_or_explained(text: str, minutes: int) -> None:
    now = datetime(2026, 11, 23, 3, 0, tzinfo=UTC) + timedelta(minutes=minutes)
    try:
        moment = parse_deadline(text, now)
    except UsageError as error:
        assert render_error(error, "vi").strip() and render_error(error, "en").strip()
    else:
        assert now < moment <= now + MAX_WINDOW
    COUNTS["deadlines"] += 1


CALLBACK = st.one_of(
    st.text(max_size=80), st.binary(max_size=64).map(lambda b: b.decode("latin-1")),
    st.builds(lambda c, p: f"a:{c}:{p}", st.integers(-5, 10**10), st.sampled_from(["agree", "object", "x", ""])),
    st.builds(lambda f, a: f"f:{f}:{a}", st.integers(-5, 10**11),
              st.sampled_from(["s:aec", "s:", "d:2h", "d:9h", "next", "ok", "x", "ok:1", "s:AEC"])),
)


@PROFILE
@given(data=st.one_of(st.none(), CALLBACK), user=st.sampled_from([COORD, MOIT, 777]))
async def test_every_callback_is_answered(ctx: AppContext, data: str | None, user: int) -> None:
    press = answering.Press(f"fz{next(_ids)}", user, data)

    async def refuse(uow: UnitOfWork, error: object, language: str) -> None:
        await answering.refuse_press(uow, press, error, language)  # type: ignore[arg-type]

    use_case = urgent_form.press if (data or "").startswith("f:") else None
    origin = Origin(next(_ids), user, user, None, "vi", "button")
    await perform(ctx, origin, (lambda uow: use_case(uow, press, 1)) if use_case else
                  (lambda uow: answering.answer(uow, press)), on_error=refuse)
    async with ctx.db.reading() as tx:
        answered = await tx.fetchval("SELECT count(*) FROM outbox WHERE dedup_key = ?", (f"cbq:{press.callback_id}",))
    assert answered == 1, data
    COUNTS["callbacks"] += 1


@PROFILE
@given(text=TYPED)
def test_the_guard_has_a_verdict_for_everything(guard_engine: object, text: str) -> None:
    verdict = guard_engine.scan_text(text)  # type: ignore[attr-defined]
    assert verdict.action in ("allow", "redact", "block")
    if verdict.action == "redact":
        assert verdict.text is not None
    COUNTS["guard"] += 1


@pytest.fixture(scope="module")
def guard_engine(tmp_path_factory: pytest.TempPathFactory) -> object:
    """Module-scoped, so it runs before the per-test isolation fixture: it names its own data
    directory and no `.env`, or it would read the caller's CONSULT_DATA_DIR and keys."""
    from bot.config import Settings

    return default_guard(Settings(_env_file=None, data_dir=tmp_path_factory.mktemp("fuzz-data")))  # type: ignore[call-arg]


def test_zz_report_counts() -> None:
    """Runs last in this module: the figures for bench-results/fuzz.json when run as a benchmark."""
    if not COUNTS:
        pytest.skip("run with the fuzz tests above")
    assert all(COUNTS[k] >= EXAMPLES // 2 for k in ("commands", "deadlines", "callbacks", "guard")), COUNTS
    if EXAMPLES >= 1000:
        from tests.support.bench import record

        record("fuzz", {"examples_per_target": EXAMPLES, **dict(COUNTS)})
