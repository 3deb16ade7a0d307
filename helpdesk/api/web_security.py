"""Security headers on every answer, and the cookie-CSRF guard of the REST API.

Both are plain ASGI middlewares on the FastAPI app, which wraps Reflex's: pages, static files, uploads and the REST
API all pass through them (the event websocket too, which they leave alone).

Headers:
- pages get a Content-Security-Policy that Reflex's production build works under: scripts only from this origin
  plus the build's own inline scripts, allowed one by one by their SHA-256 (read from each HTML answer, so a new
  build needs no configuration); `'unsafe-eval'` stays because Reflex runs the client actions a server event sends
  back (toasts among them) through `eval`. Styles allow inline (Radix and Emotion inject them). Images, fonts and
  connections only from this origin (plus data:/blob: images), no plugins, no <base>, forms post only here, and no
  framing by anyone (`frame-ancestors 'none'` and X-Frame-Options DENY);
- REST answers (JSON, attachments, exports) and uploaded files get `default-src 'none'; sandbox`: a file someone
  uploaded that a browser opens by itself can run nothing;
- every answer: X-Content-Type-Options nosniff, Referrer-Policy same-origin, Cross-Origin-Opener-Policy, a
  Permissions-Policy, and Strict-Transport-Security when served over HTTPS (PUBLIC_URL https, TLS, or a trusted
  proxy's X-Forwarded-Proto).

CSRF: a REST write (POST, PUT, PATCH, DELETE) that carries the session cookie and no bearer token must carry the
session's CSRF token (helpdesk/identity/browser_sessions.py), else it is refused with 403 and the reason, before
its body is read.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
from collections import OrderedDict
from functools import lru_cache
from urllib.parse import urlsplit

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from helpdesk.api.static_cache import DYNAMIC_PREFIXES, HASHED_PREFIX, STATIC_SUFFIXES
from helpdesk.core.client_ip import served_over_https
from helpdesk.core.settings import get_settings
from helpdesk.identity import browser_sessions

API_PREFIX = "/api/"
# Answers that are data or people's files, never a page of ours: the REST API and Reflex's uploaded files.
UNTRUSTED_CONTENT = (API_PREFIX, "/_upload")
DOCS_PATHS = ("/api/docs", "/api/docs/oauth2-redirect")
# What a REST answer may do when a browser opens it by itself (an attachment, a JSON body): nothing.
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox"
# FastAPI's Swagger UI (off in production unless API_DOCS=true) loads its bundle from jsDelivr and starts it inline.
DOCS_POLICY = ("default-src 'self'; script-src 'self' https://cdn.jsdelivr.net 'unsafe-inline'; "
               "style-src 'self' https://cdn.jsdelivr.net 'unsafe-inline'; img-src 'self' data: https:; "
               "frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
COMMON_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
]
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_POLICY_CACHE_SIZE = 256
_policies: OrderedDict[bytes, bytes] = OrderedDict()


@lru_cache(maxsize=4)
def _own_origins(public_url: str) -> str:
    """The address the compiled frontend opens its websocket on, in both schemes (it may differ from the page's)."""
    parts = urlsplit(public_url)
    if not parts.netloc:
        return ""
    socket_scheme = "wss" if parts.scheme == "https" else "ws"
    return f" {parts.scheme}://{parts.netloc} {socket_scheme}://{parts.netloc}"


def page_policy(script_hashes: list[str]) -> str:
    hashes = "".join(f" 'sha256-{digest}'" for digest in script_hashes)
    origins = _own_origins(get_settings().public_url)
    return ("default-src 'self'; "
            f"script-src 'self' 'unsafe-eval'{hashes}; "
            "style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data: blob:; font-src 'self' data:; "
            f"connect-src 'self'{origins}; "
            "worker-src 'self' blob:; manifest-src 'self'; media-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def inline_script_hashes(html: bytes) -> list[str]:
    """The CSP hash source of every inline <script> of a page, in order, without repeats."""
    found: dict[str, None] = {}
    for match in INLINE_SCRIPT.finditer(html):
        found[base64.b64encode(hashlib.sha256(match.group(1)).digest()).decode()] = None
    return list(found)


def _policy_for_page(body: bytes, encoding: str) -> bytes:
    """The page's CSP; a page's bytes never change while the server runs, so each is worked out once."""
    key = hashlib.sha256(body).digest()
    cached = _policies.get(key)
    if cached is not None:
        _policies.move_to_end(key)
        return cached
    html = gzip.decompress(body) if encoding == "gzip" else body
    policy = page_policy(inline_script_hashes(html)).encode()
    _policies[key] = policy
    if len(_policies) > _POLICY_CACHE_SIZE:
        _policies.popitem(last=False)
    return policy


def is_page_request(path: str) -> bool:
    """A request the frontend answers with an HTML page (not the API, an asset, an upload or the socket)."""
    if path.startswith((API_PREFIX, *DYNAMIC_PREFIXES, HASHED_PREFIX)):
        return False
    return path.endswith(".html") or not path.lower().endswith(STATIC_SUFFIXES)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def _https(scope: Scope) -> bool:
    client = scope.get("client") or ("", 0)
    return served_over_https(scope.get("scheme", "http"), client[0], _header(scope, b"x-forwarded-proto"))


def _readable_page(scope: Scope) -> Scope:
    """Pages are read to hash their inline scripts: the static files answer them in full (never 304 Not Modified,
    whose headers would replace the cached page's policy with one that knows none of its scripts), plain or
    gzipped, as body messages (not granian's `pathsend`, which hands the server a file name instead of the bytes).
    """
    extensions = {k: v for k, v in (scope.get("extensions") or {}).items() if k != "http.response.pathsend"}
    headers = []
    for key, value in scope.get("headers", []):
        if key.lower() in (b"if-none-match", b"if-modified-since"):
            continue
        if key.lower() == b"accept-encoding":
            accepted = [part for part in value.decode("latin-1").split(",") if part.split(";")[0].strip() in
                        ("gzip", "identity")]
            value = ",".join(accepted).encode("latin-1")
        headers.append((key, value))
    return {**scope, "headers": headers, "extensions": extensions}


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        common = [*COMMON_HEADERS, HSTS] if _https(scope) else COMMON_HEADERS
        if path.startswith(DOCS_PATHS):
            await self.app(scope, receive, _adding(send, [*common, (b"content-security-policy", DOCS_POLICY.encode())]))
            return
        if path.startswith(UNTRUSTED_CONTENT) or not is_page_request(path):
            policy = API_POLICY if path.startswith(UNTRUSTED_CONTENT) else page_policy([])
            await self.app(scope, receive, _adding(send, [*common, (b"content-security-policy", policy.encode())]))
            return
        await self._page(_readable_page(scope), receive, send, common)

    async def _page(self, scope: Scope, receive: Receive, send: Send, common: list[tuple[bytes, bytes]]) -> None:
        start: Message | None = None
        chunks: list[bytes] = []

        async def buffering_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] == "http.response.pathsend" and start is not None:
                chunks.append(await anyio.Path(message["path"]).read_bytes())
            elif message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            else:
                chunks.append(message.get("body", b""))
                if message.get("more_body"):
                    return
            headers = list(start.get("headers", []))
            body = b"".join(chunks)
            content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
            encoding = next((v for k, v in headers if k.lower() == b"content-encoding"), b"").decode("latin-1")
            if content_type.startswith(b"text/html") and body and encoding in ("", "gzip"):
                policy = _policy_for_page(body, encoding)
            else:
                policy = page_policy([]).encode()
            headers = [(k, v) for k, v in headers if k.lower() not in _REPLACED]
            await send({**start, "headers": [*headers, *common, (b"content-security-policy", policy)]})
            await send({"type": "http.response.body", "body": body, "more_body": False})

        await self.app(scope, receive, buffering_send)


_REPLACED = {name for name, _ in [*COMMON_HEADERS, HSTS]} | {b"content-security-policy"}


def _adding(send: Send, extra: list[tuple[bytes, bytes]]) -> Send:
    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _REPLACED]
            message = {**message, "headers": [*headers, *extra]}
        await send(message)

    return send_with_headers


# ------------------------------------------------------------------------------------------------ CSRF


# Where the cookie is never the credential: signing in (answers a token; the body names the person).
CSRF_EXEMPT = ("/api/v1/auth/login",)


def _cookie_session(scope: Scope) -> str:
    return browser_sessions.token_from_cookie_header(_header(scope, b"cookie"))


def refusal(scope: Scope) -> str | None:
    """Why a REST request must be refused as a possible cross-site forgery, or None when it may go on."""
    if scope["type"] != "http" or scope["method"] in browser_sessions.SAFE_METHODS:
        return None
    path: str = scope["path"]
    if not path.startswith(API_PREFIX) or path in CSRF_EXEMPT:
        return None
    if (_header(scope, b"authorization") or "").lower().startswith("bearer "):
        return None  # the bearer token is the credential; a browser never adds one by itself
    session_token = _cookie_session(scope)
    if not session_token:
        return None  # no credential at all: the route's sign-in check answers 401
    presented = _header(scope, browser_sessions.CSRF_HEADER.lower().encode())
    if browser_sessions.csrf_token_matches(session_token, presented):
        return None
    return (f"Cross-site request refused: a write signed in only by the session cookie must send the "
            f"{browser_sessions.CSRF_HEADER} header (from GET /api/v1/auth/csrf), or use a bearer token.")


class CookieCsrfGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        reason = refusal(scope)
        if reason is None:
            await self.app(scope, receive, send)
            return
        body = json.dumps({"detail": reason}).encode()
        await send({"type": "http.response.start", "status": 403,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
