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
