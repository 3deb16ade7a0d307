"""Which server a read goes to: the read replica (DATABASE_READ_URL) when it can be trusted, else the primary.

Lists, counts, reports and search read through `reading(user_id)`. The replica serves them only when
- one is configured;
- the person asking has not written in the last READ_YOUR_WRITES_SECONDS (a Redis marker set after each commit
  that wrote on their behalf), so everyone reads their own changes at once;
- its last health check (at most one per REPLICA_CHECK_SECONDS per process) found it reachable, streaming from the
  primary and replaying less than REPLICA_MAX_LAG_SECONDS behind.
Otherwise the primary serves the read. A replica that fails to connect is taken as down until the next check, so
one bad moment costs one failed check, not every request's time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import redis
from sqlalchemy import Engine, event, text
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from helpdesk.core import cache, db
from helpdesk.core.settings import get_settings

log = logging.getLogger(__name__)

_WRITER_KEY = "db_writer_user_id"
_WROTE_KEY = "db_wrote"

# Replay lag in seconds, 0 when everything received is replayed; NULL when not a streaming standby.
_LAG_SQL = text("""
SELECT pg_is_in_recovery() AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming') AS streaming,
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END AS lag_seconds
""")


@dataclass
class _Health:
    checked_at: float = 0.0
    usable: bool = False
    reason: str = "not checked"


_health = _Health()
_health_lock = threading.Lock()


def configured() -> bool:
    settings = get_settings()
    return bool(settings.database_read_url) and settings.database_read_url != settings.database_url


def writing_as(session: Session, user_id: int) -> None:
    """Names the person a writer session acts for: if it commits a write, they read from the primary for a while."""
    session.info[_WRITER_KEY] = user_id


def _recent_writer_key(user_id: int) -> str:
    return cache.key("user", user_id, "recent_write")


def wrote_recently(user_id: int | None) -> bool:
    if user_id is None:
        return False
    try:
        return bool(cache.get_redis().exists(_recent_writer_key(user_id)))
    except redis.RedisError:
        return True  # cannot tell: the primary is always right


def replica_usable() -> bool:
    now = time.monotonic()
    if now - _health.checked_at < get_settings().replica_check_seconds:
        return _health.usable
    with _health_lock:
        if now - _health.checked_at >= get_settings().replica_check_seconds:
            _health.usable, _health.reason = _check(db.read_engine())
            _health.checked_at = time.monotonic()
            if not _health.usable:
                log.info("reads go to the primary: %s", _health.reason)
    return _health.usable


def _check(engine: Engine) -> tuple[bool, str]:
    try:
        with engine.connect() as connection:
            streaming, lag = connection.execute(_LAG_SQL).one()
    except Exception as exc:  # unreachable, refused, timed out: all mean "not now"
        return False, f"replica unreachable ({type(exc).__name__})"
    if not streaming:
        return False, "replica is not streaming from the primary"
    if lag is None or float(lag) > get_settings().replica_max_lag_seconds:
        return False, f"replica is {float(lag or 0):.1f} s behind"
    return True, "ok"


def forget_health() -> None:
    _health.checked_at, _health.usable, _health.reason = 0.0, False, "not checked"


def engine_for(user_id: int | None) -> Engine:
    """The engine a read on behalf of `user_id` should use now."""
    if configured() and not wrote_recently(user_id) and replica_usable():
        return db.read_engine()
    return db.write_engine()


@contextmanager
def reading(user_id: int | None) -> Iterator[Session]:
    """A read-only unit of work: on the replica when it can be trusted for this person, else on the primary."""
    with Session(engine_for(user_id)) as session:
        try:
            yield session
        finally:
            session.rollback()


@event.listens_for(OrmSession, "after_flush")
def _note_orm_write(session: OrmSession, flush_context: object) -> None:
    session.info[_WROTE_KEY] = True


@event.listens_for(OrmSession, "do_orm_execute")
def _note_dml(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE_KEY] = True


@event.listens_for(OrmSession, "after_commit")
def _remember_writer(session: OrmSession) -> None:
    wrote, user_id = session.info.pop(_WROTE_KEY, False), session.info.get(_WRITER_KEY)
    if not (wrote and user_id is not None and configured()):
        return
    try:
        cache.get_redis().set(_recent_writer_key(user_id), 1, ex=get_settings().read_your_writes_seconds)
    except redis.RedisError:
        log.warning("could not note a recent write for user %s", user_id)


@event.listens_for(OrmSession, "after_rollback")
def _forget_write(session: OrmSession) -> None:
    session.info.pop(_WROTE_KEY, None)
