"""Counting what one person does in a window, in Redis, and refusing past a limit (RateLimited: 429 with
Retry-After on the REST API, a message on the pages).

A window starts at the person's first action and lasts `window_seconds` (SET NX EX, then INCR): plain commands
that Redis 6.2 - the embedded default - has (no EXPIRE ... NX, which needs Redis 7). Refused attempts count too,
so hammering does not shorten the wait. With Redis unreachable the action is allowed: a rate limit guards against
floods, and an outage of the cache must not stop people from asking for help.
"""

from __future__ import annotations

import logging
import math

import redis

from helpdesk.core import cache
from helpdesk.core.errors import RateLimited

log = logging.getLogger(__name__)


def _key(action: str, who: object) -> str:
    return cache.key("ratelimit", action, who)


def hit(action: str, who: object, limit: int, window_seconds: int, *, what: str, amount: int = 1) -> None:
    """Counts `amount` actions of `who`; raises RateLimited when that takes them past `limit` in the window.

    `what` names the action in the message ("filed 20 tickets"), e.g. "tickets filed".
    """
    key = _key(action, who)
    try:
        pipe = cache.get_redis().pipeline(transaction=True)
        pipe.set(key, 0, ex=window_seconds, nx=True)
        pipe.incrby(key, amount)
        pipe.ttl(key)
        _, count, ttl = pipe.execute()
    except redis.RedisError:
        log.warning("rate limit %s not checked: Redis is unreachable", action, exc_info=True)
        return
    if int(count) > limit:
        retry = max(int(ttl), 1)
        raise RateLimited(
            f"Too many {what}: at most {limit} an hour per person. Please try again in "
            f"{_in_words(retry)}.", retry)


def reset(action: str, who: object) -> None:
    cache.get_redis().delete(_key(action, who))


def _in_words(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} seconds"
    return f"{math.ceil(seconds / 60)} minutes"
