"""API tokens over REST: a signed-in person's own tokens, and (admins) service accounts and their tokens.

No API token may call these routes (deps.required_scope lists none for them): a leaked token cannot mint others.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from helpdesk.api.deps import CurrentActor, DbSession
from helpdesk.api.one_hop import OneHopRoute
from helpdesk.api.schemas import ErrorOut
from helpdesk.core.bounds import SINGLE_LINE, Id, Int32, Name
from helpdesk.identity import tokens

router = APIRouter(route_class=OneHopRoute, prefix="/api/v1", tags=["api tokens"])
ERRORS = {401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut}, 422: {"model": ErrorOut}}


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, SINGLE_LINE, StringConstraints(max_length=120)]
    scopes: list[Name] = Field(max_length=20)
    expires_in_days: Int32 | None = None


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class NewTokenOut(TokenOut):
    token: str  # shown this once; only its hash is kept


class ServiceAccountRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, SINGLE_LINE, StringConstraints(max_length=120)]
    role: Name = "agent"


class ServiceAccountOut(BaseModel):
    id: int
    name: str
    role: str
    active: bool
    tokens: int


def _new_token(session: DbSession, actor: CurrentActor, body: TokenRequest, user_id: int | None) -> NewTokenOut:
    row, secret = tokens.create_token(session, actor, name=body.name, scopes=body.scopes, user_id=user_id,
                                      expires_in_days=body.expires_in_days)
    listed = next(t for t in tokens.list_tokens(session, actor, row.user_id) if t["id"] == row.id)
    return NewTokenOut(token=secret, **listed)


@router.get("/tokens", response_model=list[TokenOut], responses=ERRORS)
def my_tokens(session: DbSession, actor: CurrentActor) -> list[TokenOut]:
    return [TokenOut(**t) for t in tokens.list_tokens(session, actor)]


@router.post("/tokens", status_code=201, response_model=NewTokenOut, responses=ERRORS)
def create_my_token(body: TokenRequest, session: DbSession, actor: CurrentActor) -> NewTokenOut:
    return _new_token(session, actor, body, None)


@router.delete("/tokens/{token_id}", status_code=204, responses=ERRORS)
def revoke(token_id: Id, session: DbSession, actor: CurrentActor) -> None:
    tokens.revoke_token(session, actor, token_id)


@router.get("/admin/service-accounts", response_model=list[ServiceAccountOut], responses=ERRORS)
def service_accounts(session: DbSession, actor: CurrentActor) -> list[ServiceAccountOut]:
    return [ServiceAccountOut(**row) for row in tokens.list_service_accounts(session, actor)]


@router.post("/admin/service-accounts", status_code=201, response_model=ServiceAccountOut, responses=ERRORS)
def create_service_account(body: ServiceAccountRequest, session: DbSession, actor: CurrentActor) -> ServiceAccountOut:
    user = tokens.create_service_account(session, actor, name=body.name, role=body.role)
    return ServiceAccountOut(id=user.id, name=user.full_name, role=user.role, active=user.is_active, tokens=0)


@router.post("/admin/service-accounts/{user_id}/tokens", status_code=201, response_model=NewTokenOut,
             responses=ERRORS)
def create_service_token(user_id: Id, body: TokenRequest, session: DbSession, actor: CurrentActor) -> NewTokenOut:
    return _new_token(session, actor, body, user_id)
