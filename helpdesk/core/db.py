"""Database engines and sessions: one writer engine and an optional read replica."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Engine
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
        pool_pre_ping=True,
        pool_recycle=1800,
        connect_args=connect_args,
    )
    tracing.instrument_engine(engine)  # no-op unless tracing is on
    return engine


@lru_cache
def write_engine() -> Engine:
    return _make_engine(get_settings().database_url)


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
    for factory in (read_engine, write_engine):
        if factory.cache_info().currsize:
            factory().dispose()
        factory.cache_clear()
