"""Identifiers and strings mean exactly their text, on both databases.

Property tests run every literal on a real database: SQLite from the
standard library, PostgreSQL on the session's server (skipped, saying how
to run them, where none can be had).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gubernator_gen.backend.sql import quoting

#: Any text a database can hold: no NUL, no lone surrogates.
TEXT = st.text(
    st.characters(blacklist_characters="\x00", blacklist_categories=["Cs"]),
    max_size=40,
)
HOSTILE = [
    "it's",
    'say "hi"',
    "back\\slash",
    "\\'; DROP TABLE t; --",
    "'); DROP TABLE t; --",
    "$$ $gubernator$",
    "line\nbreak\r\n",
    "tab\there",
    "approuvé",
    "日本語",
    "emoji 🎉",
    "\u200b\ufeff\ufffe",
    "\\u0041\\x41",
]
PG_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.fixture
def pg(pg_database: str) -> Iterator[Any]:
    """A psycopg connection to a fresh database."""
    import psycopg

    with psycopg.connect(pg_database, autocommit=True) as conn:
        yield conn


def test_postgresql_output_is_ascii_and_plain_when_it_can_be() -> None:
    assert quoting.pg_identifier("orders") == '"orders"'
    assert quoting.pg_identifier('a"b') == '"a""b"'
    assert quoting.pg_identifier("é\\") == 'U&"\\00E9\\\\"'
    assert quoting.pg_identifier("🎉") == 'U&"\\+01F389"'
    assert quoting.pg_string("it's") == "'it''s'"
    assert quoting.pg_string("a\\b") == "E'a\\\\b'"
    assert quoting.pg_string("é\n🎉") == "E'\\u00E9\\x0A\\U0001F389'"
    assert all(quoting.pg_string(text).isascii() for text in HOSTILE)
    assert all(quoting.pg_identifier(text).isascii() for text in HOSTILE)


def test_sqlite_quotes_by_doubling_only() -> None:
    assert quoting.sqlite_identifier('a"b') == '"a""b"'
    assert quoting.sqlite_string("it's \\") == "'it''s \\'"


@pytest.mark.parametrize(
    "quote",
    [
        quoting.pg_identifier,
        quoting.pg_string,
        quoting.sqlite_identifier,
        quoting.sqlite_string,
    ],
)
@pytest.mark.parametrize("bad", ["nul\x00", "lone \ud800"])
def test_text_no_database_can_hold_is_refused(quote: Any, bad: str) -> None:
    with pytest.raises(quoting.SqlTextError):
        quote(bad)


@pytest.mark.parametrize("text", ["line\nbreak", "\\", "é", "\x7f\x1b[2J", "\u2028"])
def test_comment_text_is_one_line_of_printable_ascii(text: str) -> None:
    shown = quoting.comment_text(text)
    assert shown.isascii() and shown.isprintable()


@given(text=TEXT)
@example(text="")
@settings(max_examples=300)
def test_sqlite_strings_and_identifiers_round_trip(text: str) -> None:
    conn = sqlite3.connect(":memory:")
    (value,) = conn.execute(f"SELECT {quoting.sqlite_string(text)}").fetchone()
    assert value == text
    # SQLite reserves names beginning with sqlite_ (refused by sql_names).
    if text and text[:7].lower() != "sqlite_":
        conn.execute(f"CREATE TABLE {quoting.sqlite_identifier(text)} (x)")
        names = [row[0] for row in conn.execute("SELECT name FROM sqlite_master")]
        assert names == [text]


@pytest.mark.parametrize("text", HOSTILE)
def test_sqlite_hostile_text_round_trips(text: str) -> None:
    test_sqlite_strings_and_identifiers_round_trip.hypothesis.inner_test(text=text)  # type: ignore[attr-defined]


@given(text=TEXT)
@example(text="\\'; SELECT 1; --")
@PG_SETTINGS
def test_postgresql_strings_round_trip_whatever_the_settings(
    pg: Any, text: str
) -> None:
    literal = quoting.pg_string(text).encode("ascii")
    for conforming in ("on", "off"):
        pg.execute(f"SET standard_conforming_strings = {conforming}")
        (value,) = pg.execute(b"SELECT " + literal + b"::text").fetchone()
        assert value == text


@given(text=TEXT.filter(lambda t: 0 < len(t.encode("utf-8")) <= 63))
@PG_SETTINGS
def test_postgresql_identifiers_round_trip(pg: Any, text: str) -> None:
    with pg.transaction(force_rollback=True):
        pg.execute("CREATE SCHEMA quoting_test")
        pg.execute(
            b"CREATE TABLE quoting_test."
            + quoting.pg_identifier(text).encode("ascii")
            + b" (x int)"
        )
        rows = pg.execute(
            "SELECT relname FROM pg_class"
            " WHERE relnamespace = 'quoting_test'::regnamespace"
        ).fetchall()
    assert rows == [(text,)]


@pytest.mark.parametrize("text", HOSTILE)
def test_postgresql_hostile_text_round_trips(pg: Any, text: str) -> None:
    # A multi-byte client encoding whose characters may hide a quote or a
    # backslash: ASCII SQL means the same. The comparison happens in the
    # server, as SJIS cannot show every character.
    pg.execute("SET client_encoding = 'SJIS'")
    expected = text.encode("utf-8").hex().encode("ascii")
    (same,) = pg.execute(
        b"SELECT "
        + quoting.pg_string(text).encode("ascii")
        + b" = convert_from(decode('"
        + expected
        + b"', 'hex'), 'UTF8')"
    ).fetchone()
    assert same is True
