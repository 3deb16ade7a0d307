"""POST /api/v1/auth/login returns a bearer token; logout ends it."""

from __future__ import annotations

from fastapi import APIRouter, Request

from helpdesk.api.deps import CurrentActor, bearer_token, client_ip
from helpdesk.api.schemas import ErrorOut, LoginRequest, LoginResponse, UserOut
from helpdesk.identity import auth
from helpdesk.identity.actor import Actor

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


def user_out(actor: Actor) -> UserOut:
    return UserOut(id=actor.user_id, full_name=actor.full_name, email=actor.email, role=actor.role,
                   team_ids=list(actor.team_ids))


@router.post("/login", response_model=LoginResponse, responses={401: {"model": ErrorOut}, 429: {"model": ErrorOut}})
def login(body: LoginRequest, request: Request) -> LoginResponse:
    signed_in = auth.login(body.email, body.password, client_ip(request))
    return LoginResponse(access_token=signed_in.token, expires_in=signed_in.expires_in,
                         user=user_out(signed_in.actor))


@router.post("/logout", status_code=204)
def logout(request: Request, actor: CurrentActor) -> None:
    auth.logout(bearer_token(request))


@router.get("/me", response_model=UserOut)
def me(actor: CurrentActor) -> UserOut:
    return user_out(actor)
