"""What every API route needs: a database session and the authenticated actor."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from helpdesk.core.db import session_scope
from helpdesk.identity import auth
from helpdesk.identity.actor import Actor

SESSION_COOKIE = "hd_session"


def db_session() -> Iterator[Session]:
    with session_scope() as session:
        yield session


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    # Browser downloads (attachments) carry the portal's session cookie instead.
    return request.cookies.get(SESSION_COOKIE)


def current_actor(request: Request, session: Annotated[Session, Depends(db_session)]) -> Actor:
    return auth.actor_for_token(session, bearer_token(request))


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


DbSession = Annotated[Session, Depends(db_session)]
CurrentActor = Annotated[Actor, Depends(current_actor)]
