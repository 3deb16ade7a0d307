"""A web process whose event loop is blocked says so, and where it is blocked."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from helpdesk.core.settings import get_settings
from helpdesk.runtime import loop_watch


def a_handler_waiting_on_a_lock() -> None:
    time.sleep(1.2)  # what a synchronous page handler does while a row lock or a full pool holds it


async def serve_a_while(blocking: bool) -> None:
    watcher = asyncio.create_task(loop_watch.watch_event_loop())
    await asyncio.sleep(0.6)
    if blocking:
        a_handler_waiting_on_a_lock()
    await asyncio.sleep(0.6)
    watcher.cancel()
    await asyncio.gather(watcher, return_exceptions=True)


@pytest.fixture
def stall_after_half_a_second(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "loop_stall_seconds", 0.5)


def stalls_counted() -> float:
    return loop_watch.STALLS._value.get()


@pytest.mark.usefixtures("stall_after_half_a_second")
def test_a_blocked_loop_is_logged_with_where_it_is_blocked_and_counted(caplog: pytest.LogCaptureFixture) -> None:
    before = stalls_counted()
    with caplog.at_level(logging.WARNING, logger=loop_watch.__name__):
        asyncio.run(serve_a_while(blocking=True))
    messages = [r.getMessage() for r in caplog.records]
    stuck = [m for m in messages if "has not run" in m]
    assert len(stuck) == 1, messages  # one report per stall, not one per check
    assert "a_handler_waiting_on_a_lock" in stuck[0]
    assert any("ran again after 1." in m for m in messages), messages
    assert stalls_counted() == before + 1


@pytest.mark.usefixtures("stall_after_half_a_second")
def test_a_loop_that_keeps_running_is_not_reported(caplog: pytest.LogCaptureFixture) -> None:
    before = stalls_counted()
    with caplog.at_level(logging.WARNING, logger=loop_watch.__name__):
        asyncio.run(serve_a_while(blocking=False))
    assert caplog.records == []
    assert stalls_counted() == before


def test_off_when_set_to_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "loop_stall_seconds", 0)
    started = time.monotonic()
    asyncio.run(asyncio.wait_for(loop_watch.watch_event_loop(), timeout=5))  # returns at once instead of beating
    assert time.monotonic() - started < 1
