"""Browser caching for the compiled frontend's static files.

The production build puts its JavaScript and CSS under /assets/ with a content hash in every file name
(`queue-CxF9q9q9.js`): a file at such an address never changes, so browsers and proxies may keep it for a year
without asking again. Other static files (/app.css, /kb.css, /favicon.ico: fixed names that a release may change)
are kept for 7 days. HTML pages, the REST API, uploads and the event socket are left as they are.

A plain ASGI middleware (no BaseHTTPMiddleware): it only rewrites the response's start message.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

IMMUTABLE = b"public, max-age=31536000, immutable"
SEVEN_DAYS = b"public, max-age=604800"
HASHED_PREFIX = "/assets/"
STATIC_SUFFIXES = (".css", ".js", ".mjs", ".ico", ".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".woff",
                   ".woff2", ".ttf", ".map", ".txt", ".webmanifest")
DYNAMIC_PREFIXES = ("/api/", "/_upload", "/_event", "/_health", "/health", "/ready", "/metrics", "/ping")


def cache_control_for(path: str) -> bytes | None:
    """The Cache-Control a successful GET of `path` gets, or None to leave the response alone."""
    if path.startswith(DYNAMIC_PREFIXES):
        return None
    if path.startswith(HASHED_PREFIX):
        return IMMUTABLE
    if path.lower().endswith(STATIC_SUFFIXES):
        return SEVEN_DAYS
    return None


class StaticCacheHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        value = cache_control_for(scope["path"])
        if value is None:
            await self.app(scope, receive, send)
            return

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in (200, 304):
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                message["headers"] = [*headers, (b"cache-control", value)]
            await send(message)

        await self.app(scope, receive, send_with_header)


class PagesWithoutTrailingSlash:
    """Serves /queue as the page it is instead of redirecting the browser to /queue/.

    The build keeps each page as queue/index.html, and the static files answer a document load of /queue (a
    reload, a bookmark, the sign-in handoff) with a redirect to /queue/, so the address bar disagrees with every
    link in the app. This answers the request with what /queue/ would get; anything else passes untouched.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if (scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or path.endswith("/")
                or path.startswith(DYNAMIC_PREFIXES) or path.startswith(HASHED_PREFIX)
                or path.lower().endswith(STATIC_SUFFIXES)):
            await self.app(scope, receive, send)
            return
        held: list[Message] = []

        async def hold_slash_redirect(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in (301, 302, 307, 308):
                location = next((v for k, v in message.get("headers", []) if k.lower() == b"location"), b"")
                if location.decode("latin-1").split("?")[0].endswith(path + "/"):
                    held.append(message)
                    return
            if held:
                return  # the redirect's body
            await send(message)

        await self.app(scope, receive, hold_slash_redirect)
        if held:
            slashed = {**scope, "path": path + "/", "raw_path": (path + "/").encode()}

            replayed = False

            async def replay_request() -> Message:
                # The (empty) request once more, then whatever the client does next (a disconnect).
                nonlocal replayed
                if not replayed:
                    replayed = True
                    return {"type": "http.request", "body": b"", "more_body": False}
                return await receive()

            await self.app(slashed, replay_request, send)
