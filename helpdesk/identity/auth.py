"""Sign-in, sessions (kept in Redis with expiry) and the login rate limit."""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import anyio
import redis
import redis.asyncio
from sqlalchemy import func
from sqlmodel import Session, select

from helpdesk.core import app_settings, audit, cache
from helpdesk.core.db import session_scope
from helpdesk.core.errors import NotAuthenticated, RateLimited, SignInUnavailable, ValidationFailed
from helpdesk.core.i18n import N_
from helpdesk.core.settings import get_settings
from helpdesk.identity import tokens
from helpdesk.identity.actor import Actor, actor_cache_key, load_actor
from helpdesk.identity.passwords import hash_password, needs_rehash, verify_password
from helpdesk.models import Role, User
from helpdesk.models.base import utcnow


@dataclass(frozen=True)
class SignedIn:
    token: str
    actor: Actor
    expires_in: int


def _session_key(token: str) -> str:
    digest = hashlib.sha256(token.encode()).hexdigest()
    return cache.key("session", digest, "user")


def _user_sessions_key(user_id: int) -> str:
    return cache.key("user", user_id, "sessions")


def _failures_key(scope: str, value: str) -> str:
    return cache.key("ratelimit", "login", scope, hashlib.sha256(value.encode()).hexdigest()[:32])


# Progressive delay: after this many failures for an address (from anywhere), each attempt waits, doubling up to
# the cap. It slows guessing spread over many clients without ever locking the address's owner out.
DELAY_AFTER_FAILURES = 2
FIRST_DELAY_SECONDS = 0.5
MAX_DELAY_SECONDS = 4.0


def _progressive_delay(failures: int) -> float:
    if failures <= DELAY_AFTER_FAILURES:
        return 0.0
    return min(FIRST_DELAY_SECONDS * 2 ** (failures - DELAY_AFTER_FAILURES - 1), MAX_DELAY_SECONDS)


def _limited_keys(email: str, ip_address: str) -> list[tuple[str, str, int]]:
    """The counters that refuse sign-in for the rest of their window: per address *from one client*, and per client.

    Failures for an address from any client only add delay: an attacker elsewhere can slow an admin's sign-in by a
    few seconds but never lock them out, and every lock ends with its window.
    """
    limit = get_settings().login_max_failures
    keys = [("ip", ip_address, limit * 4)]
    if ip_address:
        keys.insert(0, ("email_ip", f"{email}|{ip_address}", limit))
    else:  # no client address known (command line, tests): the address alone is limited, as before
        keys.insert(0, ("email", email, limit))
    return keys


def _check_rate_limit(email: str, ip_address: str) -> float:
    """Raises RateLimited while a limit is reached; otherwise returns how long this attempt should wait."""
    client = cache.get_redis()
    for scope, value, limit in _limited_keys(email, ip_address):
        if not value:
            continue
        failures_key = _failures_key(scope, value)
        failures = int(client.get(failures_key) or 0)
        if failures >= limit:
            retry = max(int(client.ttl(failures_key)), 1)
            raise RateLimited(
                f"Too many failed sign-in attempts. Try again in {max(retry // 60, 1)} minute(s).", retry
            )
    return _progressive_delay(int(client.get(_failures_key("email", email)) or 0))


def _record_failure(email: str, ip_address: str) -> None:
    window = get_settings().login_window_seconds
    pipe = cache.get_redis().pipeline()
    for scope, value in (("email", email), ("email_ip", f"{email}|{ip_address}" if ip_address else ""),
                         ("ip", ip_address)):
        if value:
            failures_key = _failures_key(scope, value)
            # SET NX + INCR starts the window at the first failure and keeps its TTL on later ones; it works on
            # Redis 6.2 (the embedded default), where EXPIRE ... NX does not exist.
            pipe.set(failures_key, 0, ex=window, nx=True)
            pipe.incr(failures_key)
    pipe.execute()


def login(email: str, password: str, ip_address: str = "") -> SignedIn:
    email = (email or "").strip().lower()
    errors = {}
    if not email:
        errors["email"] = N_("Enter your e-mail address.")
    if not password:
        errors["password"] = N_("Enter your password.")
    if errors:
        raise ValidationFailed(errors)
    delay = _check_rate_limit(email, ip_address)
    if delay:
        time.sleep(delay)
    with session_scope() as session:
        user = session.exec(select(User).where(func.lower(User.email) == email)).first()
        # The hash is checked even for an unknown address (against a dummy), so timing does not tell them apart.
        accepted = verify_password(user.password_hash if user else None, password) and user is not None \
            and user.is_active and not user.is_service_account
        if accepted and user.role != Role.REQUESTER and app_settings.value(session, "sso_only_staff"):
            # Staff sign in through single sign-on only; the same answer as a wrong password tells nothing.
            accepted = False
        if accepted:
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            user.last_login_at = utcnow()
            session.add(user)
            audit.record(session, "auth.login", actor_id=user.id, entity_type="user", entity_id=str(user.id),
                         ip_address=ip_address)
            user_id = user.id
        else:
            # Recorded in a transaction that commits: the refusal below must not roll it back.
            audit.record(session, "auth.login_failed", actor_id=None, entity_type="user", entity_id=email,
                         ip_address=ip_address)
    if not accepted:
        _record_failure(email, ip_address)
        raise NotAuthenticated(N_("That e-mail and password do not match an active account."))
    cache.get_redis().delete(_failures_key("email", email), _failures_key("email_ip", f"{email}|{ip_address}"))
    with session_scope() as session:
        actor = load_actor(session, user_id)
    return SignedIn(start_session(user_id), actor, get_settings().session_ttl_seconds)


def start_session(user_id: int) -> str:
    token = secrets.token_urlsafe(32)
    settings = get_settings()
    ttl = min(settings.session_ttl_seconds, settings.session_max_age_seconds)
    client = cache.get_redis()
    pipe = client.pipeline()
    now = utcnow()
    # "ends" is the absolute end (epoch seconds): the lookup script never slides the expiry past it.
    pipe.set(_session_key(token), json.dumps({"user_id": user_id, "created_at": now.isoformat(),
                                              "ends": int(now.timestamp()) + settings.session_max_age_seconds}),
             ex=ttl)
    pipe.sadd(_user_sessions_key(user_id), _session_key(token))
    pipe.expire(_user_sessions_key(user_id), ttl)
    pipe.execute()
    return token


# One round trip per request: read the session, slide its expiry, and fetch the cached actor of its user.
_SESSION_LOOKUP = """
local raw = redis.call('GET', KEYS[1])
if not raw then return false end
local ttl = tonumber(ARGV[1])
local ends = tonumber(string.match(raw, '"ends": *(%d+)') or '0')
if ends > 0 then
  local left = ends - tonumber(ARGV[3])
  if left <= 0 then
    redis.call('DEL', KEYS[1])
    return false
  end
  if left < ttl then ttl = left end
end
redis.call('EXPIRE', KEYS[1], ttl)
local user_id = string.match(raw, '"user_id": *(%d+)')
local actor = redis.call('GET', (string.gsub(ARGV[2], '{user_id}', user_id)))
return {raw, actor or ''}
"""


@lru_cache(maxsize=8)
def _session_lookup_script(client: redis.Redis | redis.asyncio.Redis) -> Any:
    # EVALSHA with the script's digest; redis-py (sync or asyncio) loads it again after a Redis restart.
    return client.register_script(_SESSION_LOOKUP)


def _session_lookup_call(token: str | None) -> tuple[list[str], list[str | int]]:
    """The lookup script's keys and arguments for `token`."""
    if not token:
        raise NotAuthenticated()
    settings = get_settings()
    return [_session_key(token)], [settings.session_ttl_seconds, actor_cache_key("{user_id}"),
                                   int(utcnow().timestamp())]


def _session_found(found: list[str] | None) -> tuple[int, str | None]:
    if not found:
        raise NotAuthenticated(N_("Your session has expired. Please sign in again."))
    raw, actor = found
    return int(json.loads(raw)["user_id"]), actor or None


def _lookup_session(token: str | None) -> tuple[int, str | None]:
    """(user id, cached actor JSON or None) for a live session token; refreshes the session's expiry (sliding)."""
    keys, args = _session_lookup_call(token)
    try:
        found = _session_lookup_script(cache.get_redis())(keys=keys, args=args)
    except redis.RedisError as exc:
        raise SignInUnavailable() from exc
    return _session_found(found)


async def lookup_session_async(token: str | None) -> tuple[int, str | None]:
    """`_lookup_session` in the event loop (the REST API's session check, which would otherwise cost a thread)."""
    keys, args = _session_lookup_call(token)
    try:
        found = await _session_lookup_script(cache.get_async_redis())(keys=keys, args=args)
    except redis.RedisError as exc:
        raise SignInUnavailable() from exc
    return _session_found(found)




def user_id_for_token(token: str | None) -> int:
    """The user behind a session token; refreshes the session's expiry (sliding)."""
    return _lookup_session(token)[0]


def actor_for_token(session: Session, token: str | None, *, allow_api_tokens: bool = False) -> Actor:
    """The actor behind a sign-in session token, or (for the REST API only) an API token with its scopes."""
    if tokens.is_api_token(token):
        if not allow_api_tokens:
            raise NotAuthenticated("Please sign in.")
        return tokens.actor_for_api_token(session, token)
    user_id, cached_actor = _lookup_session(token)
    return load_actor(session, user_id, cached=cached_actor)


async def actor_for_api_request(session: Session, token: str | None) -> Actor:
    """`actor_for_token(..., allow_api_tokens=True)` from the event loop, for the REST API.

    A sign-in session whose person is cached (the common case) costs one Redis round trip and no worker thread;
    API tokens and a cold actor cache read the database in a worker thread."""
    if tokens.is_api_token(token):
        return await anyio.to_thread.run_sync(tokens.actor_for_api_token, session, token)
    user_id, cached_actor = await lookup_session_async(token)
    if cached_actor is not None:
        return load_actor(session, user_id, cached=cached_actor)  # decodes the cached entry: no I/O
    return await anyio.to_thread.run_sync(load_actor, session, user_id)


def logout(token: str | None) -> None:
    if not token:
        return
    client = cache.get_redis()
    raw = client.get(_session_key(token))
    client.delete(_session_key(token))
    if raw:
        client.srem(_user_sessions_key(json.loads(raw)["user_id"]), _session_key(token))


def end_all_sessions(user_id: int) -> None:
    """Used when an account is deactivated or its password changes."""
    client = cache.get_redis()
    keys = client.smembers(_user_sessions_key(user_id))
    if keys:
        client.delete(*keys)
    client.delete(_user_sessions_key(user_id))
