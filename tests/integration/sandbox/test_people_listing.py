"""The control API's people listing says who each person is (issue 26: the page's picker showed
only names): `role` and `agency` beside the Telegram User fields, for people the roster seeded or
that were added with them; nothing else in the listing changes."""

from __future__ import annotations

from bot.commands.run_commands import seed_sandbox
from bot.config import Settings
from bot.sandbox.client import SandboxClient
from bot.sandbox.server import SandboxServer
from tests.support.paths import EXAMPLE_ROSTER
from tests.support.sandbox import ALICE


async def test_a_person_added_with_a_role_and_an_agency_is_listed_with_them(control: SandboxClient) -> None:
    await control.request_raw("POST", "/sandbox/users", {"id": 777, "first_name": "Hà", "role": "Điều phối viên",
                                                         "agency": "Bộ Ngoại giao"})
    listed = {u["id"]: u for u in await control.request_raw("GET", "/sandbox/users")}
    assert listed[777] == {"id": 777, "is_bot": False, "first_name": "Hà", "started": True,
                           "role": "Điều phối viên", "agency": "Bộ Ngoại giao"}
    # Seeded without them, a person is listed exactly as before: no empty keys.
    assert listed[ALICE] == {"id": ALICE, "is_bot": False, "first_name": "Alice", "language_code": "vi",
                             "started": True}
    refused = await control.request_raw("POST", "/sandbox/users", {"id": 778, "first_name": "X", "role": 3})
    assert refused["reason"] == "bad_field" and refused["field"] == "role"


async def test_the_example_roster_seeds_roles_and_agencies(server: SandboxServer, control: SandboxClient,
                                                           settings: Settings) -> None:
    seed_sandbox(server, settings, EXAMPLE_ROSTER)
    listed = {u["id"]: u for u in await control.request_raw("GET", "/sandbox/users")}
    assert (listed[2001]["role"], listed[2001]["agency"]) == ("Trụ cột Kinh tế (Bộ Công Thương)", "Bộ Công Thương")
    assert listed[1002]["role"] == "Kiểm tra, giám sát (xuất biên bản)"  # a built-in role, from the catalogue
    assert listed[1001]["role"].startswith("Điều phối viên")
    assert (listed[1004]["role"], listed[1004]["agency"]) == ("Người thay cho Đỗ Minh Khang", "Bộ Ngoại giao")
    assert listed[9101]["agency"] == "Ban Thư ký ASEAN Quốc gia Việt Nam"
