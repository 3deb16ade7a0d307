"""Which paths the static-cache middleware marks, and that it rewrites only successful GETs."""

from __future__ import annotations

import asyncio

from helpdesk.api.static_cache import IMMUTABLE, SEVEN_DAYS, StaticCacheHeaders, cache_control_for


def test_cache_control_by_path() -> None:
    assert cache_control_for("/assets/queue-CxF9q9q9.js") == IMMUTABLE
    assert cache_control_for("/app.css") == SEVEN_DAYS
    assert cache_control_for("/favicon.ico") == SEVEN_DAYS
    for path in ("/queue", "/tickets/3", "/api/v1/tickets", "/api/v1/attachments/3.png", "/_upload", "/ready"):
        assert cache_control_for(path) is None


def run(path: str, status: int, method: str = "GET") -> list:
    sent = []

    async def app(scope, receive, send) -> None:  # noqa: ANN001
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"cache-control", b"no-cache"), (b"content-type", b"text/javascript")]})

    async def send(message) -> None:  # noqa: ANN001
        sent.append(message)

    asyncio.run(StaticCacheHeaders(app)({"type": "http", "method": method, "path": path}, None, send))
    return sent[0]["headers"]


def test_only_successful_reads_are_marked() -> None:
    assert (b"cache-control", IMMUTABLE) in run("/assets/a-1234.js", 200)
    assert (b"cache-control", b"no-cache") in run("/assets/missing.js", 404)
    assert (b"cache-control", b"no-cache") in run("/assets/a-1234.js", 200, method="POST")
