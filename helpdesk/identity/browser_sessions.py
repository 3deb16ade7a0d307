"""How a browser carries its sign-in session, and what keeps another site from using it.

The session token lives in one cookie, `hd_session`, that only the server writes: HttpOnly (no page script, and so
no injected script, can read it), SameSite=Lax, and Secure whenever the site is served over HTTPS. The pages' state
reads it from the headers of the websocket's upgrade request; the REST API reads it from the request.

Signing in happens in a state handler (it checks the password and the rate limits and shows field errors), which
cannot set an HttpOnly cookie. So it stores the new token under a short single-use code (`issue_handoff`) and sends
the browser to GET /api/v1/auth/handoff?code=..., which redeems the code, sets the cookie and redirects on; that
full page load also opens a new websocket, which carries the new cookie.

REST writes (POST, PUT, PATCH, DELETE) authenticated by the cookie alone are what a cross-site form or fetch could
forge, so they must also carry the synchronizer token `csrf_token(session)` in the X-CSRF-Token header; a page gets
it from GET /api/v1/auth/csrf, which another origin cannot read. Bearer tokens need none: a browser never attaches
them by itself.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets

from helpdesk.core import cache
from helpdesk.core.settings import get_settings

SESSION_COOKIE = "hd_session"
CSRF_HEADER = "X-CSRF-Token"
HANDOFF_TTL_SECONDS = 60
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Why the handoff sent a browser back to the sign-in page (?signin=...), in the page's words.
HANDOFF_MESSAGES = {
    "expired": "That sign-in took too long or was already used. Please sign in again.",
    "elsewhere": "Please sign in on this page.",
}


def token_from_cookie_header(header: str | None) -> str:
    """The session token in a Cookie header ("" when absent). Tolerant of other cookies' odd values."""
    for part in (header or "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == SESSION_COOKIE:
            return value.strip().strip('"')
    return ""


def _handoff_key(code: str) -> str:
    return cache.key("handoff", hashlib.sha256(code.encode()).hexdigest())


def issue_handoff(token: str, next_path: str) -> str:
    """A single-use code, valid for a minute, that the handoff route exchanges for the session cookie."""
    code = secrets.token_urlsafe(32)
    cache.get_redis().set(_handoff_key(code), json.dumps({"token": token, "next": next_path}),
                          ex=HANDOFF_TTL_SECONDS)
    return code


def redeem_handoff(code: str) -> tuple[str, str] | None:
    """(session token, where to go next) for a live code, which is then used up; None for any other code."""
    if not code or len(code) > 100:
        return None
    raw = cache.get_redis().getdel(_handoff_key(code))
    if not raw:
        return None
    found = json.loads(raw)
    return str(found["token"]), str(found["next"])


def csrf_token(session_token: str) -> str:
    """The synchronizer token for one session: an HMAC of it, so it needs no storage and dies with the session."""
    key = get_settings().secret_key.encode()
    return hmac.new(key, b"csrf|" + session_token.encode(), hashlib.sha256).hexdigest()


def csrf_token_matches(session_token: str, presented: str | None) -> bool:
    return bool(session_token and presented) and hmac.compare_digest(csrf_token(session_token), presented or "")


def navigation_from_this_site(sec_fetch_site: str | None, referer: str | None) -> bool:
    """Whether a top-level GET came from one of our own pages (not a link on another site, not a typed address).

    Browsers send Sec-Fetch-Site on every request; where it is missing (old browsers), the Referer must be ours.
    Guards the routes that sign a browser in or out, so another site cannot sign a visitor into the attacker's
    account (login CSRF) or out of their own.
    """
    if sec_fetch_site:
        return sec_fetch_site == "same-origin"
    origin = get_settings().public_url.rstrip("/")
    return bool(referer) and (referer == origin or (referer or "").startswith(origin + "/"))
