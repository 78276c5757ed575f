"""One language rule: the person's own choice, else the caller's default."""

from __future__ import annotations

from bot.domain.language import language_for
from bot.domain.roster import Person


def _person(language: str | None) -> Person:
    return Person(key="moit-1", name="Trần Thị Bình", agency="moit", language=language)


def test_a_persons_choice_wins_over_the_default() -> None:
    assert language_for(_person("en"), "vi") == "en"
    assert language_for(_person("vi"), "en") == "vi"


def test_without_a_choice_or_a_person_the_default_is_spoken() -> None:
    assert language_for(_person(None), "en") == "en"
    assert language_for(None, "en") == "en"
