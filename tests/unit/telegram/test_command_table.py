"""One command table: what is handled is what Telegram's menu lists, each with its own line in both
catalogues (the menu used to be a second list, its texts written in the code)."""

from __future__ import annotations

from typing import Any

from bot.i18n import t
from bot.telegram.app import publish_commands
from bot.telegram.handlers import commands


class _Bot:
    def __init__(self) -> None:
        self.menus: dict[str | None, list[tuple[str, str]]] = {}

    async def set_my_commands(self, commands: list[Any], language_code: str | None = None) -> bool:
        self.menus[language_code] = [(c.command, c.description) for c in commands]
        return True


class _Application:
    def __init__(self) -> None:
        self.bot = _Bot()


async def test_the_menu_lists_the_handled_commands_in_each_language_from_the_catalogues() -> None:
    application = _Application()
    await publish_commands(application)  # type: ignore[arg-type]
    names = [name for name, _ in commands()]
    assert set(application.bot.menus) == {None, "en"}
    for code, menu in application.bot.menus.items():
        language = code or "vi"
        assert [name for name, _ in menu] == names
        assert all(text and text != f"menu.{name}" for name, text in menu), menu
        assert [text for _, text in menu] == [t(language, f"menu.{name}") for name in names]
    assert application.bot.menus[None] != application.bot.menus["en"]

