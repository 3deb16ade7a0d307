"""POST /api/v1/auth/login returns a bearer token; logout ends it. GET /api/v1/auth/sso/start and /sso/callback
are the browser's single sign-on round trip through the identity provider (helpdesk/identity/sso.py)."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from helpdesk.api.deps import SESSION_COOKIE, CurrentActor, bearer_token, client_ip
from helpdesk.api.schemas import ErrorOut, LoginRequest, LoginResponse, UserOut
from helpdesk.core.settings import get_settings
from helpdesk.identity import auth, sso
from helpdesk.identity.actor import Actor
from helpdesk.routes import HOME_FOR_ROLE, LOGIN

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


# Ties a callback to the browser that started the sign-in; HttpOnly (no page script needs it), sent only to the
# SSO routes, and SameSite=Lax still sends it on the provider's top-level redirect back to us.
BINDING_COOKIE = "hd_sso"
BINDING_PATH = "/api/v1/auth/sso"


def _secure() -> bool:
    return get_settings().public_url.startswith("https://")


def _back_to_sign_in(code: str) -> RedirectResponse:
    response = RedirectResponse(f"{LOGIN}?{urlencode({'sso_error': code})}", status_code=303)
    response.delete_cookie(BINDING_COOKIE, path=BINDING_PATH)
    return response


@router.get("/sso/start", include_in_schema=False)
def sso_start(next: str = "") -> RedirectResponse:  # noqa: A002 (the query parameter's name)
    try:
        started = sso.begin(next)
    except sso.SsoRefused as refused:
        return _back_to_sign_in(refused.code)
    response = RedirectResponse(started.authorization_url, status_code=303)
    response.set_cookie(BINDING_COOKIE, started.browser_secret, max_age=sso.STATE_TTL_SECONDS, path=BINDING_PATH,
                        httponly=True, samesite="lax", secure=_secure())
    return response


@router.get("/sso/callback", include_in_schema=False)
def sso_callback(request: Request, state: str = "", code: str = "", error: str = "") -> RedirectResponse:
    if error:  # the person cancelled at the provider, or it refused them
        return _back_to_sign_in("failed")
    try:
        completed = sso.complete(state=state, code=code, browser_secret=request.cookies.get(BINDING_COOKIE, ""),
                                 ip_address=client_ip(request))
    except sso.SsoRefused as refused:
        return _back_to_sign_in(refused.code)
    signed_in = completed.signed_in
    response = RedirectResponse(completed.next_path or HOME_FOR_ROLE[signed_in.actor.role], status_code=303)
    # The pages' session cookie (state/session.py): the page script reads it, so it cannot be HttpOnly.
    response.set_cookie(SESSION_COOKIE, signed_in.token, max_age=signed_in.expires_in, path="/", samesite="lax",
                        secure=_secure())
    response.delete_cookie(BINDING_COOKIE, path=BINDING_PATH)
    return response
