"""Redis access: one client per process, every key under the configured prefix.

Key names follow the spec's `{resource}:{identifier}:{attribute}` convention,
e.g. `user:42:actor`, `session:<hash>:user`, `tickets:counts:<filter-hash>`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import weakref
from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

import redis
import redis.asyncio

from helpdesk.core.settings import get_settings

T = TypeVar("T")


@lru_cache
def get_redis() -> redis.Redis:
    url = get_settings().redis_url
    if not url:
        raise RuntimeError("REDIS_URL is not set (use `helpdesk run` for the embedded default)")
    return redis.Redis.from_url(url, **_CLIENT_OPTIONS)


# Timeouts: a hung Redis makes a request fail in seconds instead of holding its thread (or event loop) for ever.
_CLIENT_OPTIONS: dict[str, Any] = {"decode_responses": True, "health_check_interval": 30, "socket_connect_timeout": 2,
                                   "socket_timeout": 5}
_async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, redis.asyncio.Redis] = weakref.WeakKeyDictionary()


def get_async_redis() -> redis.asyncio.Redis:
    """The running event loop's own client (an asyncio client's connections belong to the loop that opened them).

    For the hot path of a request served in the event loop (the session check), where a hop to a worker thread
    would cost more than the Redis call itself."""
    loop = asyncio.get_running_loop()
    client = _async_clients.get(loop)
    if client is None:
        url = get_settings().redis_url
        if not url:
            raise RuntimeError("REDIS_URL is not set (use `helpdesk run` for the embedded default)")
        client = _async_clients[loop] = redis.asyncio.Redis.from_url(url, **_CLIENT_OPTIONS)
    return client


def key(*parts: object) -> str:
    return get_settings().redis_prefix + ":".join(str(p) for p in parts)


def cached_json(cache_key: str, ttl_seconds: int, compute: Callable[[], T]) -> T:
    """Cache-aside for JSON-serialisable values; a Redis outage falls back to computing."""
    client = get_redis()
    try:
        hit = client.get(cache_key)
    except redis.RedisError:
        return compute()
    if hit is not None:
        return json.loads(hit)
    value = compute()
    with contextlib.suppress(redis.RedisError):
        client.set(cache_key, json.dumps(value, default=str), ex=ttl_seconds)
    return value


def invalidate(*cache_keys: str) -> None:
    try:
        if cache_keys:
            get_redis().delete(*cache_keys)
    except redis.RedisError:
        pass


def bump_version(name: str) -> None:
    """Invalidate a whole family of cached values by moving its version number."""
    with contextlib.suppress(redis.RedisError):
        get_redis().incr(key("version", name))


def current_version(name: str) -> str:
    try:
        return get_redis().get(key("version", name)) or "0"
    except redis.RedisError:
        return "unavailable"


def reset_redis_client() -> None:
    if get_redis.cache_info().currsize:
        get_redis().close()
    get_redis.cache_clear()
    _async_clients.clear()  # dropped, not closed: closing needs their own loops, which may be gone


def ping() -> bool:
    try:
        return bool(get_redis().ping())
    except redis.RedisError:
        return False


def dumps(value: Any) -> str:
    return json.dumps(value, default=str)
