"""Pooled connections that the database dropped: replaced without the person noticing, and without a ping on
every request."""

from __future__ import annotations

import time
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from helpdesk.core import db, settings
from tests.conftest import TestEnvironment, _reset_process_singletons


@pytest.fixture
def quick_ping(test_env: TestEnvironment, monkeypatch: pytest.MonkeyPatch) -> Iterator[float]:
    """Engines that ping a connection idle for more than half a second."""
    monkeypatch.setenv("DB_PING_AFTER_IDLE_SECONDS", "0.5")
    _reset_process_singletons()
    yield 0.5
    monkeypatch.undo()
    _reset_process_singletons()


def backend_pid() -> int:
    with db.write_engine().connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def terminate(test_env: TestEnvironment, pid: int) -> None:
    with psycopg.connect(test_env.database_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


def test_a_connection_the_database_dropped_while_idle_is_replaced_before_use(
    test_env: TestEnvironment, quick_ping: float
) -> None:
    assert settings.get_settings().db_ping_after_idle_seconds == quick_ping
    first = backend_pid()
    terminate(test_env, first)  # as a database restart or an idle timeout would
    time.sleep(quick_ping + 0.2)
    # The pool hands out the same (dead) connection; it sat idle, so it is checked and swapped for a new one.
    second = backend_pid()
    assert second != first


def test_a_connection_used_a_moment_ago_is_not_pinged(test_env: TestEnvironment, quick_ping: float) -> None:
    engine = db.write_engine()
    backend_pid()
    pings: list[object] = []
    original = engine.dialect.do_ping
    engine.dialect.do_ping = lambda connection: pings.append(connection) or original(connection)  # type: ignore[method-assign]
    try:
        for _ in range(5):
            backend_pid()
        assert pings == []
        time.sleep(quick_ping + 0.2)
        backend_pid()
        assert len(pings) == 1
    finally:
        engine.dialect.do_ping = original  # type: ignore[method-assign]


def test_a_drop_within_the_idle_window_fails_one_statement_then_the_pool_recovers(
    test_env: TestEnvironment, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DB_PING_AFTER_IDLE_SECONDS", "600")
    _reset_process_singletons()
    try:
        first = backend_pid()
        terminate(test_env, first)
        with pytest.raises(OperationalError):
            backend_pid()
        # SQLAlchemy saw a disconnect and discarded the pool's older connections: the next request works.
        assert backend_pid() != first
    finally:
        monkeypatch.undo()
        _reset_process_singletons()


def test_a_statement_read_session_holds_no_transaction_open(test_env: TestEnvironment) -> None:
    from sqlmodel import Session

    with Session(db.autocommit(db.write_engine())) as session:
        assert session.exec(text("SELECT 1")).one() == (1,)  # type: ignore[call-overload]
        raw = session.connection().connection.dbapi_connection
        # Nothing began, so nothing is rolled back at the end: two round trips fewer than a transaction.
        assert raw.info.transaction_status == psycopg.pq.TransactionStatus.IDLE  # type: ignore[union-attr]
    # The connection went back to the pool in its normal, transactional mode.
    with db.write_engine().connect() as connection:
        connection.execute(text("SELECT 1"))
        raw = connection.connection.dbapi_connection
        assert raw.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS  # type: ignore[union-attr]
