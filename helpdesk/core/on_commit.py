"""Run side effects (enqueue jobs, invalidate caches, publish events) only after a commit.

Work registered here is dropped on rollback, so nothing announces a change that
never happened.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession

log = logging.getLogger(__name__)
_KEY = "after_commit_callbacks"


def after_commit(session: OrmSession, callback: Callable[[], None], *, key: str | None = None) -> None:
    """Registers `callback`; with `key`, registering the same key twice runs it once."""
    callbacks: dict[object, Callable[[], None]] = session.info.setdefault(_KEY, {})
    callbacks[key if key is not None else object()] = callback


@event.listens_for(OrmSession, "after_commit")
def _run_callbacks(session: OrmSession) -> None:
    callbacks = session.info.pop(_KEY, {})
    for callback in callbacks.values():
        try:
            callback()
        except Exception:  # a failed side effect must not undo the committed change
            log.exception("after-commit callback failed")


@event.listens_for(OrmSession, "after_rollback")
def _drop_callbacks(session: OrmSession) -> None:
    session.info.pop(_KEY, None)
