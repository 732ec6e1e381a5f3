"""Fixtures shared by ``tests/`` and ``examples/``: a PostgreSQL server.

``pg_server`` (one per test session) is ``GUBERNATOR_PG_DSN`` when set,
else a throwaway cluster started with the local server binaries (see
``examples/postgres_orders/pg_cluster.py``) and stopped at the end.
``pg_database`` gives each test a fresh database on it, dropped after.

Without psycopg or server binaries the PostgreSQL tests are skipped with a
message saying how to run them; with ``GUBERNATOR_PG_REQUIRED=1`` (as CI
sets it) they fail instead, so a broken setup cannot pass as skipped.
"""

from __future__ import annotations

import contextlib
import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

_PG_EXAMPLE = Path(__file__).resolve().parent / "examples" / "postgres_orders"
if str(_PG_EXAMPLE) not in sys.path:
    sys.path.insert(0, str(_PG_EXAMPLE))

REQUIRED_VARIABLE = "GUBERNATOR_PG_REQUIRED"


def _unavailable(reason: str) -> None:
    if os.environ.get(REQUIRED_VARIABLE) == "1":
        pytest.fail(f"{REQUIRED_VARIABLE}=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The superuser connection string of a PostgreSQL server for this session."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable(
            "PostgreSQL tests need psycopg: pip install -e '.[postgres]' "
            "(and PostgreSQL's server binaries, or GUBERNATOR_PG_DSN)"
        )
    import pg_cluster

    stack = contextlib.ExitStack()
    try:
        dsn = stack.enter_context(pg_cluster.postgres_server())
    except pg_cluster.ServerUnavailable as exc:
        _unavailable(f"PostgreSQL tests skipped: {exc}")
    with stack:
        yield dsn


@pytest.fixture
def pg_database(pg_server: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test; its connection string."""
    from orders_db import scratch_database

    with scratch_database(pg_server, f"gg_test_{uuid.uuid4().hex[:12]}") as dsn:
        yield dsn
