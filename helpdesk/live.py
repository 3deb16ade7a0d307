"""The real-time bus: every committed ticket change becomes one entry on a Redis Stream.

Publishers are wherever a change commits (web replicas, REST API, Celery workers). Each web
process reads the stream through one consumer group, so every entry is applied exactly once
across all replicas; applying it updates Reflex shared states, which Reflex fans out to every
linked browser on every replica (see helpdesk/state/live.py).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass

import redis

from helpdesk import cache

log = logging.getLogger(__name__)

STREAM_MAX_LENGTH = 10_000  # plenty for catch-up; trimmed approximately, so cheap
CONSUMER_GROUP = "web-appliers"


def stream_key() -> str:
    return cache.key("live", "ticket-events")


@dataclass(frozen=True)
class TicketChange:
    ticket_id: int
    requester_id: int
    kind: str
    committed_at: float

    @classmethod
    def from_fields(cls, fields: dict[str, str]) -> TicketChange:
        return cls(int(fields["ticket_id"]), int(fields["requester_id"]), fields["kind"],
                   float(fields["committed_at"]))


def publish(ticket_id: int, requester_id: int, kind: str) -> None:
    """Called after commit. A Redis outage loses only the live push, never the change itself:
    pages catch up on their next load."""
    fields = {"ticket_id": str(ticket_id), "requester_id": str(requester_id), "kind": kind,
              "committed_at": repr(time.time())}
    try:
        cache.get_redis().xadd(stream_key(), fields, maxlen=STREAM_MAX_LENGTH, approximate=True)
    except redis.RedisError:
        log.warning("live push for ticket %s skipped: Redis unavailable", ticket_id)


def encode(change: TicketChange) -> str:
    return json.dumps(change.__dict__)
