"""The repositories' SQL, as PostgreSQL reads it.

The repositories write one SQL, SQLite's, within what both engines share where that is possible
(`ON CONFLICT … DO …`, `RETURNING`, `coalesce`); the few differences left are translated here, once,
so a repository written for SQLite runs on PostgreSQL without edits:

* `?` placeholders become psycopg's `%s` (and a literal `%` is doubled, as psycopg requires);
* `INSERT OR IGNORE INTO …` becomes `INSERT INTO … ON CONFLICT DO NOTHING`;
* `group_concat(x, sep)` becomes `string_agg(x, sep)`; `max(a, b)`, `min(a, b)` become `greatest`, `least`;
* `json_extract(column, '$.key')` becomes `(column::jsonb ->> 'key')` (JSON is kept as text);
* `rowid` needs nothing: the PostgreSQL schema gives the tables read in insertion order a column
  of that name (migrations/postgres/).

A statement this cannot translate is not guessed at: it fails on PostgreSQL, and the store's tests
run on both engines.
"""

from __future__ import annotations

import re
from functools import lru_cache

_INSERT_OR_IGNORE = re.compile(r"^\s*INSERT\s+OR\s+IGNORE\s+INTO\b", re.IGNORECASE)
_RETURNING = re.compile(r"\sRETURNING\s", re.IGNORECASE)
_GROUP_CONCAT = re.compile(r"\bgroup_concat\(", re.IGNORECASE)
_EXTREME = re.compile(r"\b(max|min)\(", re.IGNORECASE)
_NAMED = re.compile(r"[A-Za-z_]\w*")
_JSON_EXTRACT = re.compile(r"\bjson_extract\((\w+(?:\.\w+)?),\s*'\$\.(\w+)'\)", re.IGNORECASE)


@lru_cache(maxsize=2048)
def to_postgres(sql: str) -> str:
    """`sql` (SQLite, `?` placeholders) as PostgreSQL and psycopg take it."""
    sql = _placeholders(sql)
    if _INSERT_OR_IGNORE.match(sql):
        sql = _INSERT_OR_IGNORE.sub("INSERT INTO", sql, count=1)
        returning = _RETURNING.search(sql)
        if returning is None:
            sql = f"{sql.rstrip().rstrip(';')} ON CONFLICT DO NOTHING"
        else:
            sql = f"{sql[:returning.start()]} ON CONFLICT DO NOTHING{sql[returning.start():]}"
    sql = _GROUP_CONCAT.sub("string_agg(", sql)
    sql = _scalar_extremes(sql)
    return _JSON_EXTRACT.sub(r"(\1::jsonb ->> '\2')", sql)


def _scalar_extremes(sql: str) -> str:
    """SQLite's `max(a, b)` and `min(a, b)` (two or more arguments: the larger, the smaller) are
    PostgreSQL's `greatest` and `least`; `max(a)` alone is the aggregate in both."""
    out: list[str] = []
    position = 0
    for found in _EXTREME.finditer(sql):
        if found.start() < position:
            continue
        depth, index, comma = 1, found.end(), False
        while index < len(sql) and depth:
            depth += {"(": 1, ")": -1}.get(sql[index], 0)
            comma = comma or (sql[index] == "," and depth == 1)
            index += 1
        out.append(sql[position:found.start()])
        name = found.group(1).lower()
        out.append(("greatest(" if name == "max" else "least(") if comma else found.group(0))
        position = found.end()
    out.append(sql[position:])
    return "".join(out)


def _placeholders(sql: str) -> str:
    """Outside string literals and quoted names, `?` becomes `%s` and `:name` becomes `%(name)s`;
    every `%` becomes `%%`. A `::` cast is left alone."""
    out: list[str] = []
    quote: str | None = None
    index = 0
    while index < len(sql):
        char = sql[index]
        index += 1
        if char == "%":
            out.append("%%")
            continue
        if quote is not None:
            if char == quote:
                quote = None
        elif char in ("'", '"'):
            quote = char
        elif char == "?":
            out.append("%s")
            continue
        elif char == ":" and (named := _NAMED.match(sql, index)) and sql[index - 2:index - 1] != ":":
            out.append(f"%({named.group(0)})s")
            index = named.end()
            continue
        out.append(char)
    return "".join(out)
