"""Roster input is bounded: what `roster check` accepts, `roster import` can store (issue #23)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import shipped_dir
from bot.errors import RosterError
from bot.policy.files import load_roster, load_routing

ROUTING = load_routing(shipped_dir("policies"))
ROSTER = """\
agencies:
  - {key: mofa, name: "Bộ Ngoại giao"}
people:
  - {key: coord-1, name: "Nguyễn Văn An", agency: mofa, roles: [coordinator], telegram_user_id: ID}
"""


def test_an_id_sqlite_cannot_store_is_refused_by_check(tmp_path: Path) -> None:
    path = tmp_path / "roster.yaml"
    path.write_text(ROSTER.replace("ID", str(2**63)), encoding="utf-8")
    with pytest.raises(RosterError, match="telegram_user_id"):
        load_roster(path, ROUTING)
    path.write_text(ROSTER.replace("ID", str(2**63 - 1)), encoding="utf-8")
    assert load_roster(path, ROUTING).people[0].telegram_user_id == 2**63 - 1


def test_a_file_that_is_not_utf8_is_an_error_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "roster.yaml"
    path.write_bytes(ROSTER.replace("ID", "1001").encode("utf-8").replace("Nguyễn".encode(), b"Nguy\xff n"))
    with pytest.raises(RosterError, match=rf"{path}:4: not UTF-8"):
        load_roster(path, ROUTING)


def test_a_key_given_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "roster.yaml"
    twice = ROSTER.replace("telegram_user_id: ID}", "telegram_user_id: 1, telegram_user_id: 2}")
    path.write_text(twice, encoding="utf-8")
    with pytest.raises(RosterError, match=rf"{path}:4: 'telegram_user_id' is given twice"):
        load_roster(path, ROUTING)


@pytest.mark.timeout(20)
def test_an_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    path = tmp_path / "roster.yaml"
    path.write_text("\n".join(levels) + "\n", encoding="utf-8")
    with pytest.raises(RosterError, match="aliases expanded"):
        load_roster(path, ROUTING)
