"""Notices when a web process's event loop stands still, and says what it was doing.

Every page event of every tab a web process holds runs on that process's one event loop, and most handlers do
their database work synchronously there. While one of them waits (a row lock, a full connection pool, a slow
statement), every other tab on that process waits too, and a page's state lock may expire under it (Reflex's
"An error occurred" toast). From outside that looks like a hang with nothing in the log.

A heartbeat on the loop and a watching thread: when the loop has not run the heartbeat for `LOOP_STALL_SECONDS`,
the thread logs the loop thread's stack once for that stall (where it is stuck), then how long the stall lasted
when the loop comes back. `/metrics` counts the stalls (`helpdesk_event_loop_stalls_total`).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import time
import traceback

from prometheus_client import Counter

from helpdesk.core.settings import get_settings

log = logging.getLogger(__name__)

STALLS = Counter("helpdesk_event_loop_stalls_total",
                 "Times a web process's event loop did not run for longer than LOOP_STALL_SECONDS")

BEAT_SECONDS = 0.25


class LoopWatch:
    """The watching side: `beat()` runs on the loop, `check()` on the watching thread."""

    def __init__(self, loop_thread_id: int, threshold: float) -> None:
        self.loop_thread_id, self.threshold = loop_thread_id, threshold
        self.last_beat = time.monotonic()
        self.stalled_since: float | None = None

    def beat(self) -> None:
        now = time.monotonic()
        if self.stalled_since is not None:
            log.warning("the event loop ran again after %.1f s", now - self.stalled_since)
            self.stalled_since = None
        self.last_beat = now

    def check(self) -> str | None:
        """The loop thread's stack when a stall has just begun (once per stall), else None."""
        now = time.monotonic()
        if self.stalled_since is not None or now - self.last_beat < self.threshold:
            return None
        self.stalled_since = self.last_beat
        STALLS.inc()
        frame = sys._current_frames().get(self.loop_thread_id)
        return "".join(traceback.format_stack(frame)) if frame is not None else "(no stack)"


def _watch(watch: LoopWatch, stop: threading.Event) -> None:
    while not stop.wait(BEAT_SECONDS):
        stack = watch.check()
        if stack is not None:
            log.warning("the event loop has not run for %.1f s; every tab on this process waits. It is at:\n%s",
                        time.monotonic() - watch.last_beat, stack)


async def watch_event_loop() -> None:
    """Lifespan task of every web process (off when LOOP_STALL_SECONDS is 0)."""
    threshold = get_settings().loop_stall_seconds
    if not threshold:
        return
    watch, stop = LoopWatch(threading.get_ident(), threshold), threading.Event()
    thread = threading.Thread(target=_watch, args=(watch, stop), name="loop-watch", daemon=True)
    thread.start()
    try:
        while True:
            watch.beat()
            await asyncio.sleep(BEAT_SECONDS)
    finally:
        stop.set()
