"""The repositories' SQL as PostgreSQL reads it (bot/store/dialect.py); the engine itself is tested
by running the store's and the use cases' tests on both engines."""

from __future__ import annotations

import pytest

from bot.store.dialect import to_postgres


@pytest.mark.parametrize(("sqlite", "postgres"), [
    ("SELECT a FROM t WHERE b = ? AND c = ?", "SELECT a FROM t WHERE b = %s AND c = %s"),
    ("SELECT '?' , \"q?\" FROM t WHERE x LIKE 'a%' AND y = ?",
     "SELECT '?' , \"q?\" FROM t WHERE x LIKE 'a%%' AND y = %s"),
    ("SELECT * FROM t WHERE a = :limit AND b::text = ':x'", "SELECT * FROM t WHERE a = %(limit)s AND b::text = ':x'"),
    ("INSERT OR IGNORE INTO h (a) VALUES (?)", "INSERT INTO h (a) VALUES (%s) ON CONFLICT DO NOTHING"),
    ("INSERT OR IGNORE INTO h (a) VALUES (?) RETURNING 1",
     "INSERT INTO h (a) VALUES (%s) ON CONFLICT DO NOTHING RETURNING 1"),
    ("SELECT group_concat(role, ' ') FROM r", "SELECT string_agg(role, ' ') FROM r"),
    ("UPDATE b SET n = max(n, ?), m = (SELECT max(x) FROM y)",
     "UPDATE b SET n = greatest(n, %s), m = (SELECT max(x) FROM y)"),
    ("SELECT min(coalesce(a, 1), b), min(c) FROM t", "SELECT least(coalesce(a, 1), b), min(c) FROM t"),
    ("SELECT coalesce(json_extract(data, '$.level'), 'x')", "SELECT coalesce((data::jsonb ->> 'level'), 'x')"),
])
def test_the_few_differences_are_translated(sqlite: str, postgres: str) -> None:
    assert to_postgres(sqlite) == postgres
