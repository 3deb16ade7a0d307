"""What every API route needs: a database session and the authenticated actor."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from typing import Annotated

import anyio
from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlmodel import Session

from helpdesk.api.one_hop import REQUEST_WRITER, finish_session, has_work_left
from helpdesk.core import replica
from helpdesk.core.client_ip import client_address, served_over_https
from helpdesk.core.db import autocommit, write_engine
from helpdesk.core.errors import PermissionDenied
from helpdesk.identity import auth, browser_sessions, policy
from helpdesk.identity.actor import Actor

SESSION_COOKIE = browser_sessions.SESSION_COOKIE


async def db_session() -> AsyncIterator[Session]:
    """The request's writer session: committed when the route succeeds, rolled back when it raises.

    Opening a session does no I/O, so it happens in the event loop. Sync routes finish it in their own worker
    thread (api/one_hop.py); what is left here - a route that never used it, or an async route - is finished here,
    in a worker thread only when it needs the database. The finish is shielded from cancellation so a client that
    disconnects never leaves a connection checked out.
    """
    session = Session(write_engine(), expire_on_commit=False, info={REQUEST_WRITER: True})
    try:
        yield session
    except BaseException:
        await _finish(session, commit=False)
        raise
    await _finish(session, commit=True)


async def _finish(session: Session, *, commit: bool) -> None:
    if not has_work_left(session):
        session.close()
        return
    with anyio.CancelScope(shield=True):
        await anyio.to_thread.run_sync(functools.partial(finish_session, session, commit=commit))


# "function" scope: the transaction commits before the response goes out, so a client never sees a success that
# did not commit.
DbSession = Annotated[Session, Depends(db_session, scope="function")]


def bearer_token(request: Request) -> str | None:
    """The Authorization bearer token, else the session cookie (browser downloads: attachments, exports). A write
    that only the cookie signs never gets here without its CSRF token (helpdesk/api/web_security.py)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get(SESSION_COOKIE)


def cookie_is_secure(request: Request) -> bool:
    """Secure cookies when the browser reached us over HTTPS (PUBLIC_URL, TLS, or a trusted proxy's word)."""
    return served_over_https(request.url.scheme, request.client.host if request.client else "",
                             request.headers.get("x-forwarded-proto"))


def required_scope(method: str, path: str) -> str | None:
    """The API-token scope a route needs; None: no API token may call it (admin routes, anything unlisted)."""
    path = path.removeprefix("/api/v1")
    if path.startswith("/auth/"):
        return "any"
    if path.startswith("/reports") or path == "/ai/metrics":
        return "reports:read"
    if path.startswith(("/tickets", "/attachments", "/kb", "/me/", "/tags", "/views", "/macros", "/people")):
        return "tickets:read" if method in ("GET", "HEAD") else "tickets:write"
    return None


async def current_actor(request: Request, session: DbSession) -> Actor:
    # Served in the event loop (one Redis round trip), not in a worker thread: see auth.actor_for_api_request.
    actor = await auth.actor_for_api_request(session, bearer_token(request))
    if actor.scopes is not None:
        scope = required_scope(request.method, request.url.path)
        if scope is None or (scope != "any" and not policy.has_scope(actor, scope)):
            raise PermissionDenied(f"This API token lacks the scope this request needs ({scope or 'not for tokens'}).")
    replica.writing_as(session, actor.user_id)  # what this request writes, this person then reads from the primary
    return actor


def client_ip(request: Request) -> str:
    """The client's address, through trusted proxies' X-Forwarded-For (core/client_ip.py)."""
    return client_address(request.client.host if request.client else "", request.headers.get("x-forwarded-for"))


CurrentActor = Annotated[Actor, Depends(current_actor)]


async def _engine_for_reading(actor: Actor) -> Engine:
    if replica.configured():
        return await anyio.to_thread.run_sync(replica.engine_for, actor.user_id)
    return write_engine()


async def read_session(actor: CurrentActor) -> AsyncIterator[Session]:
    """A read-only session for lists, counts, reports and search: on the read replica when one is configured and
    can be trusted for this person (helpdesk/core/replica.py), else on the primary. Without a replica this costs
    nothing extra: no thread hop, no Redis call."""
    session = Session(await _engine_for_reading(actor), info={REQUEST_WRITER: False})
    try:
        yield session
    finally:
        await _finish(session, commit=False)


ReadSession = Annotated[Session, Depends(read_session, scope="function")]


async def statement_read_session(actor: CurrentActor) -> AsyncIterator[Session]:
    """Like read_session, but every statement is its own transaction (no BEGIN, no ROLLBACK: two round trips
    fewer). For reads whose statements need no common snapshot - a ticket page, a list page - and that set no
    transaction-local settings (KB search does: it keeps ReadSession)."""
    session = Session(autocommit(await _engine_for_reading(actor)), info={REQUEST_WRITER: False})
    try:
        yield session
    finally:
        await _finish(session, commit=False)


StatementReadSession = Annotated[Session, Depends(statement_read_session, scope="function")]
