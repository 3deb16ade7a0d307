"""POST /api/v1/auth/login returns a bearer token; logout ends it. GET /api/v1/auth/sso/start and /sso/callback
are the browser's single sign-on round trip through the identity provider (helpdesk/identity/sso.py).

The pages' session cookie is written here and nowhere else (helpdesk/identity/browser_sessions.py): by the SSO
callback, and by GET /handoff, where the sign-in page sends the browser with a single-use code after checking the
password. GET /signed-out forgets it after the sign-out handler ended the session. GET /csrf gives a page signed in
by the cookie the token its REST writes must send.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel

from helpdesk.api.deps import SESSION_COOKIE, CurrentActor, DbSession, bearer_token, client_ip, cookie_is_secure
from helpdesk.api.one_hop import OneHopRoute
from helpdesk.api.schemas import ErrorOut, LoginRequest, LoginResponse, UserChanges, UserOut
from helpdesk.core.settings import get_settings
from helpdesk.identity import auth, browser_sessions, preferences, sso
from helpdesk.identity.actor import Actor
from helpdesk.routes import HOME_FOR_ROLE, LOGIN

router = APIRouter(route_class=OneHopRoute, prefix="/api/v1/auth", tags=["auth"])


def user_out(actor: Actor) -> UserOut:
    return UserOut(id=actor.user_id, full_name=actor.full_name, email=actor.email, role=actor.role,
                   team_ids=list(actor.team_ids), language=actor.language)


@router.post("/login", response_model=LoginResponse, responses={401: {"model": ErrorOut}, 429: {"model": ErrorOut}})
def login(body: LoginRequest, request: Request) -> LoginResponse:
    signed_in = auth.login(body.email, body.password, client_ip(request))
    return LoginResponse(access_token=signed_in.token, expires_in=signed_in.expires_in,
                         user=user_out(signed_in.actor))


@router.post("/logout", status_code=204)
def logout(request: Request, response: Response, actor: CurrentActor) -> None:
    auth.logout(bearer_token(request))
    if request.cookies.get(SESSION_COOKIE):
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                               secure=cookie_is_secure(request))


@router.get("/me", response_model=UserOut)
def me(actor: CurrentActor) -> UserOut:
    return user_out(actor)


@router.patch("/me", response_model=UserOut,
              responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 422: {"model": ErrorOut}})
def update_me(body: UserChanges, session: DbSession, actor: CurrentActor) -> UserOut:
    """Changes the signed-in person's own preferences: their language ('en' or 'ur')."""
    language = preferences.set_language(session, actor, body.language)
    return user_out(replace(actor, language=language))


class CsrfOut(BaseModel):
    csrf_token: str
    header: str = browser_sessions.CSRF_HEADER


@router.get("/csrf", response_model=CsrfOut, responses={401: {"model": ErrorOut}})
def csrf(request: Request, actor: CurrentActor) -> CsrfOut:
    """The token a page signed in by the session cookie sends in X-CSRF-Token with its REST writes (another site
    cannot read this answer). Bearer-token clients need none: without a session cookie the token is empty."""
    session_token = request.cookies.get(SESSION_COOKIE, "")
    return CsrfOut(csrf_token=browser_sessions.csrf_token(session_token) if session_token else "")


def set_session_cookie(response: Response, request: Request, token: str, max_age: int) -> None:
    """The only place the pages' session cookie is written: HttpOnly, SameSite=Lax, Secure over HTTPS."""
    response.set_cookie(SESSION_COOKIE, token, max_age=max_age, path="/", httponly=True, samesite="lax",
                        secure=cookie_is_secure(request))


@router.get("/handoff", include_in_schema=False)
def handoff(request: Request, code: str = "") -> RedirectResponse:
    """Exchanges the sign-in page's single-use code for the session cookie, then goes where the person was going.

    Only a navigation from one of our own pages may redeem a code: another site linking here with a code of the
    attacker's own account would otherwise sign the visitor into it."""
    if not browser_sessions.navigation_from_this_site(request.headers.get("sec-fetch-site"),
                                                      request.headers.get("referer")):
        return RedirectResponse(f"{LOGIN}?{urlencode({'signin': 'elsewhere'})}", status_code=303)
    redeemed = browser_sessions.redeem_handoff(code)
    if redeemed is None:
        return RedirectResponse(f"{LOGIN}?{urlencode({'signin': 'expired'})}", status_code=303)
    token, next_path = redeemed
    response = RedirectResponse(next_path, status_code=303)
    set_session_cookie(response, request, token, get_settings().session_ttl_seconds)
    return response


@router.get("/signed-out", include_in_schema=False)
def signed_out(request: Request) -> RedirectResponse:
    """Where the sign-out handler (which already ended the session) sends the browser: forgets the cookie."""
    response = RedirectResponse(LOGIN, status_code=303)
    if browser_sessions.navigation_from_this_site(request.headers.get("sec-fetch-site"),
                                                  request.headers.get("referer")):
        auth.logout(request.cookies.get(SESSION_COOKIE))
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                               secure=cookie_is_secure(request))
    return response


# Ties a callback to the browser that started the sign-in; HttpOnly (no page script needs it), sent only to the
# SSO routes, and SameSite=Lax still sends it on the provider's top-level redirect back to us.
BINDING_COOKIE = "hd_sso"
BINDING_PATH = "/api/v1/auth/sso"


def _back_to_sign_in(code: str) -> RedirectResponse:
    response = RedirectResponse(f"{LOGIN}?{urlencode({'sso_error': code})}", status_code=303)
    response.delete_cookie(BINDING_COOKIE, path=BINDING_PATH)
    return response


@router.get("/sso/start", include_in_schema=False)
def sso_start(request: Request, next: str = "") -> RedirectResponse:  # noqa: A002 (the query parameter's name)
    try:
        started = sso.begin(next)
    except sso.SsoRefused as refused:
        return _back_to_sign_in(refused.code)
    response = RedirectResponse(started.authorization_url, status_code=303)
    response.set_cookie(BINDING_COOKIE, started.browser_secret, max_age=sso.STATE_TTL_SECONDS, path=BINDING_PATH,
                        httponly=True, samesite="lax", secure=cookie_is_secure(request))
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
    set_session_cookie(response, request, signed_in.token, signed_in.expires_in)
    response.delete_cookie(BINDING_COOKIE, path=BINDING_PATH)
    return response
