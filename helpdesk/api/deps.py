"""What every API route needs: a database session and the authenticated actor."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import anyio
from fastapi import Depends, Request
from sqlmodel import Session

from helpdesk.core import replica
from helpdesk.core.client_ip import client_address
from helpdesk.core.db import write_engine
from helpdesk.core.errors import PermissionDenied
from helpdesk.identity import auth, policy
from helpdesk.identity.actor import Actor

SESSION_COOKIE = "hd_session"


async def db_session() -> AsyncIterator[Session]:
    """The request's writer session: committed when the route succeeds, rolled back when it raises.

    Opening a session does no I/O, so it happens in the event loop; only finishing it (COMMIT or ROLLBACK, and the
    after-commit hooks) takes a worker thread - one thread hop instead of the two a sync generator costs. The finish
    is shielded from cancellation so a client that disconnects never leaves a connection checked out.
    """
    session = Session(write_engine(), expire_on_commit=False)
    try:
        yield session
    except BaseException:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(_rollback_and_close, session)
        raise
    with anyio.CancelScope(shield=True):
        await anyio.to_thread.run_sync(_commit_and_close, session)


def _commit_and_close(session: Session) -> None:
    try:
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _rollback_and_close(session: Session) -> None:
    try:
        session.rollback()
    finally:
        session.close()


# "function" scope: the transaction commits before the response goes out, so a client never sees a success that
# did not commit.
DbSession = Annotated[Session, Depends(db_session, scope="function")]


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    # Browser downloads (attachments) carry the portal's session cookie instead.
    return request.cookies.get(SESSION_COOKIE)


def required_scope(method: str, path: str) -> str | None:
    """The API-token scope a route needs; None: no API token may call it (admin routes, anything unlisted)."""
    path = path.removeprefix("/api/v1")
    if path.startswith("/auth/"):
        return "any"
    if path.startswith("/reports") or path == "/ai/metrics":
        return "reports:read"
    if path.startswith(("/tickets", "/attachments", "/kb", "/me/", "/tags", "/views", "/macros")):
        return "tickets:read" if method in ("GET", "HEAD") else "tickets:write"
    return None


def current_actor(request: Request, session: DbSession) -> Actor:
    actor = auth.actor_for_token(session, bearer_token(request), allow_api_tokens=True)
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


async def read_session(actor: CurrentActor) -> AsyncIterator[Session]:
    """A read-only session for lists, counts, reports and search: on the read replica when one is configured and
    can be trusted for this person (helpdesk/core/replica.py), else on the primary. Without a replica this costs
    nothing extra: no thread hop, no Redis call."""
    if replica.configured():
        engine = await anyio.to_thread.run_sync(replica.engine_for, actor.user_id)
    else:
        engine = write_engine()
    session = Session(engine)
    try:
        yield session
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(_rollback_and_close, session)


ReadSession = Annotated[Session, Depends(read_session, scope="function")]
