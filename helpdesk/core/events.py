"""Domain events: a context announces what happened; other contexts react without being imported by it.

A publisher calls `publish(session, event)` inside its transaction. Every handler subscribed to the event's type
runs at once, in that transaction, in subscription order: what a handler writes (an outbox job, a feedback row)
commits or rolls back with the change that caused it, and side effects outside the database still go through
`on_commit`. A handler that raises aborts the transaction, as the same code called directly would have.

Who listens to what is written in one module, `helpdesk/subscriptions.py`, so a reader can scan every
cross-context reaction in one place. It sits above the contexts (it imports them); core only names it, and loads
it on the first publish of a process, so every entry point (web, worker, CLI, tests) is wired the same way.
"""

from __future__ import annotations

import importlib
import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

from sqlmodel import Session

SUBSCRIPTIONS_MODULE = "helpdesk.subscriptions"

E = TypeVar("E")
Handler = Callable[[Session, Any], None]

_handlers: dict[type, list[Handler]] = defaultdict(list)
_wired = threading.Event()
_wiring = threading.Lock()


def subscribe(event_type: type[E], handler: Callable[[Session, E], None]) -> None:
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def publish(session: Session, event: object) -> None:
    _ensure_wired()
    for handler in tuple(_handlers.get(type(event), ())):
        handler(session, event)


def subscribers(event_type: type) -> tuple[Handler, ...]:
    _ensure_wired()
    return tuple(_handlers.get(event_type, ()))


def _ensure_wired() -> None:
    if _wired.is_set():
        return
    with _wiring:
        if not _wired.is_set():
            importlib.import_module(SUBSCRIPTIONS_MODULE).wire()
            _wired.set()
