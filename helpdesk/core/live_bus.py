"""The real-time bus: every committed ticket change becomes one entry on a Redis Stream,
numbered by a global version counter.

Publishers are wherever a change commits (web replicas, REST API, Celery workers). Every web
process reads the whole stream and pushes each entry to the browser tabs whose sockets it
holds (see helpdesk/state/live.py): one socket frame per interested tab, no shared lock.
A tab that sees the version jump by more than one knows it missed entries and reloads.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import redis

from helpdesk.core import cache

log = logging.getLogger(__name__)

STREAM_MAX_LENGTH = 10_000  # plenty for catch-up; trimmed approximately, so cheap


def stream_key() -> str:
    return cache.key("live", "ticket-events")


def version_key() -> str:
    return cache.key("live", "ticket-events", "version")


def current_version() -> int:
    try:
        return int(cache.get_redis().get(version_key()) or 0)
    except redis.RedisError:
        return 0


@dataclass(frozen=True)
class TicketChange:
    ticket_id: int
    requester_id: int
    kind: str
    committed_at: float
    version: int
    follower_ids: tuple[int, ...] = ()  # people whose request was merged into this ticket

    @classmethod
    def from_fields(cls, fields: dict[str, str]) -> TicketChange:
        followers = tuple(int(f) for f in fields.get("followers", "").split(",") if f)
        return cls(int(fields["ticket_id"]), int(fields["requester_id"]), fields["kind"],
                   float(fields["committed_at"]), int(fields.get("version", 0)), followers)


# Numbering and appending happen in one server-side step, so stream order and version order agree.
_PUBLISH_SCRIPT = """
local version = redis.call('INCR', KEYS[2])
redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'ticket_id', ARGV[2], 'requester_id', ARGV[3],
           'kind', ARGV[4], 'committed_at', ARGV[5], 'version', version, 'followers', ARGV[6])
return version
"""


def publish(ticket_id: int, requester_id: int, kind: str, follower_ids: tuple[int, ...] = ()) -> None:
    """Called after commit. A Redis outage loses only the live push, never the change itself:
    pages catch up on their next load."""
    try:
        cache.get_redis().eval(_PUBLISH_SCRIPT, 2, stream_key(), version_key(), STREAM_MAX_LENGTH, ticket_id,
                               requester_id, kind, repr(time.time()), ",".join(map(str, follower_ids)))
    except redis.RedisError:
        log.warning("live push for ticket %s skipped: Redis unavailable", ticket_id)


# An entry that changes no ticket but what every queue offers (shared saved views, macros): queue tabs refresh
# their lists; no ticket page or portal tab is concerned (ticket and requester 0 exist nowhere).
QUEUE_TOOLS_KIND = "queue_tools"


def publish_queue_tools_changed() -> None:
    """Called after commit, like `publish`."""
    publish(0, 0, QUEUE_TOOLS_KIND)
