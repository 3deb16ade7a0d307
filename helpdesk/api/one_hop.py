"""Sync REST routes served with one hop to a worker thread per request.

FastAPI runs a sync endpoint in the thread pool, then validates its return value in the thread pool again (a
second hop), and our session dependencies finish their transaction in a third. Each hop wakes a thread and
trades the GIL; under concurrency that hand-off cost more CPU than a simple request's own work (py-spy: a fifth
of the web process's time in `Condition.notify`). `OneHopRoute` makes every sync endpoint an async one that runs
the endpoint *and* finishes the request's database sessions (commit or rollback, return the connection) in one
worker thread; the response is then validated in the event loop, and the session dependencies find nothing
left to do.

Finishing in the endpoint's thread keeps the order the dependencies promised: the transaction commits before
the response goes out, and a failure rolls back.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from fastapi.routing import APIRoute
from sqlmodel import Session

# session.info key set by the request's session dependencies (api/deps.py): True for the writer, False for a reader.
REQUEST_WRITER = "helpdesk.request_writer"


def finish_session(session: Session, *, commit: bool) -> None:
    """Commits (or rolls back) and closes; the session holds no connection afterwards."""
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def has_work_left(session: Session) -> bool:
    """Whether finishing needs the database (an open transaction or unflushed changes); if not, close is free."""
    return session.in_transaction() or bool(session.new or session.dirty or session.deleted)


def _request_sessions(arguments: dict[str, Any]) -> list[Session]:
    sessions = [value for value in arguments.values() if isinstance(value, Session) and REQUEST_WRITER in value.info]
    return sorted(sessions, key=lambda s: not s.info[REQUEST_WRITER])  # the writer commits first


def in_one_hop(endpoint: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    """An async endpoint that runs the sync `endpoint` and finishes its request sessions in one worker thread."""

    def run_and_finish(arguments: dict[str, Any]) -> Any:
        sessions = _request_sessions(arguments)
        try:
            result = endpoint(**arguments)
        except BaseException:
            for session in sessions:
                finish_session(session, commit=False)
            raise
        for session in sessions:
            finish_session(session, commit=session.info[REQUEST_WRITER])
        return result

    @functools.wraps(endpoint)  # FastAPI reads the parameters (and their annotations) of the wrapped endpoint
    async def served(**arguments: Any) -> Any:
        return await anyio.to_thread.run_sync(run_and_finish, arguments)

    return served


class OneHopRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if not inspect.iscoroutinefunction(endpoint):
            endpoint = in_one_hop(endpoint)
        super().__init__(path, endpoint, **kwargs)
