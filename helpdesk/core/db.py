"""Database engines and sessions: one writer engine and an optional read replica."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, event, exc
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection
from sqlmodel import Session, create_engine

from helpdesk.core import tracing
from helpdesk.core.settings import get_settings


def sqlalchemy_url(url: str) -> str:
    """Accept plain `postgresql://` URLs and select the psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def libpq_url(url: str) -> str:
    """The same URL for libpq/psycopg directly (no SQLAlchemy driver suffix)."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _make_engine(url: str) -> Engine:
    settings = get_settings()
    if not url:
        raise RuntimeError("DATABASE_URL is not set (use `helpdesk run` for the embedded default)")
    connect_args: dict = {"connect_timeout": 5}
    if settings.db_statement_timeout_ms:
        connect_args["options"] = f"-c statement_timeout={settings.db_statement_timeout_ms}"
    engine = create_engine(
        sqlalchemy_url(url),
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        # Waiting for a connection ends well before any client gives up (the wait becomes a 503, not a hang).
        pool_timeout=settings.db_pool_timeout_seconds,
        pool_recycle=1800,
        connect_args=connect_args,
    )
    _ping_when_idle(engine, settings.db_ping_after_idle_seconds)
    tracing.instrument_engine(engine)  # no-op unless tracing is on
    return engine


_CHECKED_IN_AT = "helpdesk.checked_in_at"


def _ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Pings a pooled connection before use only when it sat idle for a while.

    SQLAlchemy's pool_pre_ping costs a round trip on every checkout - under load a fifth of a ticket list's round
    trips - to catch what only happens to connections that sat unused: a database restart or an idle timeout
    dropping them. A connection used a moment ago is not pinged; if the database went away in that moment, the
    statement fails as a disconnect, SQLAlchemy discards every pooled connection from before it, and the next
    request starts on fresh ones.
    """

    def last_used_now(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:  # noqa: ANN401
        record.info[_CHECKED_IN_AT] = time.monotonic()

    event.listen(engine, "connect", last_used_now)  # a new connection is as fresh as one just returned
    event.listen(engine, "checkin", last_used_now)

    @event.listens_for(engine, "checkout")
    def ping_if_idle(dbapi_connection: Any, record: ConnectionPoolEntry, proxy: PoolProxiedConnection) -> None:  # noqa: ANN401
        if time.monotonic() - record.info.get(_CHECKED_IN_AT, 0.0) <= idle_seconds:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if not engine.dialect.is_disconnect(error, dbapi_connection, None):
                raise
            alive = False
        if not alive:
            raise exc.DisconnectionError("the pooled connection is gone; the pool retries with a new one")


@lru_cache
def write_engine() -> Engine:
    return _make_engine(get_settings().database_url)


@lru_cache
def autocommit(engine: Engine) -> Engine:
    """The same pool with every statement its own transaction: for reads that need no snapshot across their
    statements, it saves the BEGIN and ROLLBACK round trips a transaction costs."""
    return engine.execution_options(isolation_level="AUTOCOMMIT")


@lru_cache
def read_engine() -> Engine:
    settings = get_settings()
    if not settings.database_read_url:
        return write_engine()
    return _make_engine(settings.database_read_url)


@contextmanager
def session_scope() -> Iterator[Session]:
    """A writer session that commits on success and rolls back on error."""
    with Session(write_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_session() -> Iterator[Session]:
    """A session on the read replica (or the primary when there is none)."""
    with Session(read_engine()) as session:
        yield session


def dispose_engines() -> None:
    autocommit.cache_clear()
    for factory in (read_engine, write_engine):
        if factory.cache_info().currsize:
            factory().dispose()
        factory.cache_clear()
