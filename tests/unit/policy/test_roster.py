from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import shipped_dir
from bot.errors import RosterError
from bot.policy.files import load_roster, load_routing
from bot.services.kernel.context import AppContext
from bot.store.repos import enrollments, people
from tests.support.paths import EXAMPLE_ROSTER

ROUTING = load_routing(shipped_dir("policies"))

GOOD = """\
agencies:
  - {key: mofa, name: "Bộ Ngoại giao"}
  - {key: moit, name: "Bộ Công Thương"}
people:
  - key: coord-1
    name: "Nguyễn Văn An"
    agency: mofa
    roles: [coordinator, national_coordinator]
    telegram_user_id: 1001
  - {key: moit-1, name: "Trần Thị Bình", agency: moit, roles: [aec_lead], telegram_user_id: 2001, alternate: moit-2}
  - {key: moit-2, name: "Lê Văn Cường", agency: moit, roles: [], telegram_user_id: 2002}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "roster.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_design_example_loads(tmp_path: Path) -> None:
    roster = load_roster(_write(tmp_path, GOOD), ROUTING)
    assert [p.key for p in roster.people] == ["coord-1", "moit-1", "moit-2"]


def test_the_shipped_example_loads() -> None:
    assert len(load_roster(EXAMPLE_ROSTER, ROUTING).people) >= 10


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("agency: moit, roles: [aec_lead]", "agency: mofx, roles: [aec_lead]", 10, "unknown agency 'mofx'"),
        ("roles: [aec_lead]", "roles: [aec_boss]", 10, "unknown role 'aec_boss'"),
        ("alternate: moit-2", "alternate: moit-9", 10, "unknown alternate 'moit-9'"),
        ("    telegram_user_id: 1001\n", "    telegram_user_id: 1001\n    nickname: An\n", 10, "Extra inputs"),
        ("    name: \"Nguyễn Văn An\"\n", "", 5, "name: Field required"),
    ],
)
def test_errors_name_file_and_line(tmp_path: Path, old: str, new: str, line: int, message: str) -> None:
    assert old in GOOD
    path = _write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(RosterError) as caught:
        load_roster(path, ROUTING)
    text = str(caught.value)
    assert f"{path}:{line}:" in text, text
    assert message in text


def test_bad_yaml_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD + "  - {key: broken\n")
    with pytest.raises(RosterError, match=rf"{path}:\d+: not valid YAML"):
        load_roster(path, ROUTING)


async def test_import_deactivates_people_dropped_from_the_file(context: AppContext, tmp_path: Path) -> None:
    full = load_roster(_write(tmp_path, GOOD), ROUTING)
    smaller = load_roster(_write(tmp_path, GOOD.rsplit("  - {key: moit-2", 1)[0].replace(", alternate: moit-2", "")),
                          ROUTING)
    async with context.db.transaction() as tx:
        await people.import_roster(tx, full)
        summary = await people.import_roster(tx, smaller)
        assert summary.deactivated == 1
        assert await people.person_by_telegram_id(tx, 2002) is None
        found = await people.person_by_telegram_id(tx, 2001)
    assert found is not None and found.person.roles == ("aec_lead",) and found.agency_name == "Bộ Công Thương"


async def test_enrollment_token_works_once_and_expires(rostered: AppContext) -> None:
    now = rostered.clock.now()
    async with rostered.db.transaction() as tx:
        token = await enrollments.create_token(tx, "jkt-2", now, timedelta(hours=72))
        late_token = await enrollments.create_token(tx, "jkt-2", now, timedelta(hours=72))
        stored = await tx.fetchall("SELECT token_hash FROM enrollments")
    assert all(token not in str(row[0]) for row in stored)  # only hashes are kept
    async with rostered.db.transaction() as tx:
        assert (await enrollments.redeem(tx, token, 7002, now)).outcome == "ok"
        assert (await enrollments.redeem(tx, token, 7002, now)).outcome == "used"
        assert (await enrollments.redeem(tx, "nonsense", 7002, now)).outcome == "unknown"
        expired = await enrollments.redeem(tx, late_token, 7002, now + timedelta(hours=72))
        assert expired.outcome == "expired"
