"""Single sign-on with OpenID Connect: authorization code with PKCE, the ID token checked here, people provisioned
on their first sign-in, their role and teams taken from a groups claim.

The flow, as the doors (helpdesk/api/routes_auth.py) drive it:
1. `begin(next)`: a fresh state, nonce and PKCE verifier are kept in Redis for 10 minutes under the state; the
   browser gets a random binding secret in a cookie (only its hash is kept), so a callback is accepted only from
   the browser that started it (login CSRF: nobody can sign a victim into the attacker's account).
2. `complete(state, code, binding)`: the state is taken (used once), the binding compared, the code exchanged at
   the provider's token endpoint with the verifier, and the ID token verified: signature against the provider's
   JWKS (asymmetric algorithms only), issuer, audience (and `azp` when there are several), expiry, issue time and
   the nonce. Then the person is matched by `<issuer> <subject>` - never by e-mail once linked - or linked by a
   verified e-mail, or created.

Configuration is the OIDC_* environment (helpdesk/core/settings.py); endpoints and keys come from the provider's
discovery document (cached an hour) and JWKS (cached ten minutes, fetched again once for an unknown key).
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import json
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import func
from sqlmodel import Session, select

from helpdesk.core import audit, cache
from helpdesk.core.db import session_scope
from helpdesk.core.errors import NotAuthenticated
from helpdesk.core.settings import get_settings
from helpdesk.identity import auth
from helpdesk.identity.actor import forget_actor, load_actor
from helpdesk.identity.directory import invalidate_directory_caches
from helpdesk.models import Role, Team, TeamMembership, User
from helpdesk.models.base import utcnow

CALLBACK_PATH = "/api/v1/auth/sso/callback"
START_PATH = "/api/v1/auth/sso/start"
STATE_TTL_SECONDS = 600
DISCOVERY_TTL_SECONDS = 3600
JWKS_TTL_SECONDS = 600
HTTP_TIMEOUT_SECONDS = 10.0
CLOCK_LEEWAY_SECONDS = 60
# Only public-key signatures: "none" and HS256 (keyed with the client secret, which we share) are never accepted.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
# An account made or linked by SSO has no password: identity/passwords.py treats "!" hashes as unusable.
NO_PASSWORD = "!sso"
ROLE_RANK = {Role.REQUESTER.value: 0, Role.AGENT.value: 1, Role.MANAGER.value: 2, Role.ADMIN.value: 3}

# What the person sees after a refused sign-in, by a short code the callback puts in the sign-in page's address
# (a code, not text: nobody can make our page show their words); the details go to the audit log only.
MESSAGES = {
    "failed": "Single sign-on did not work. Please try again, or call the service desk on ext. 4357.",
    "expired": "That sign-in took too long or was already used. Please try again.",
    "inactive": "Your account is not active. Please call the service desk on ext. 4357.",
    "no-email": "Your sign-in did not include an e-mail address. Please call the service desk on ext. 4357.",
    "off": "Single sign-on is not configured.",
}


@dataclass(frozen=True)
class Started:
    authorization_url: str
    browser_secret: str  # goes into the binding cookie; only its hash is stored


@dataclass(frozen=True)
class Completed:
    signed_in: auth.SignedIn
    next_path: str


class SsoRefused(NotAuthenticated):
    """A sign-in through the provider was refused; `reason` is for the audit log, `code` names the message."""

    def __init__(self, reason: str, code: str = "failed") -> None:
        super().__init__(MESSAGES[code])
        self.reason, self.code = reason, code


def message_for(code: str) -> str:
    return MESSAGES.get(code, MESSAGES["failed"]) if code else ""


def configured() -> bool:
    settings = get_settings()
    return bool(settings.oidc_issuer and settings.oidc_client_id)


def provider_name() -> str:
    """The name on the sign-in button; empty when SSO is not configured."""
    return get_settings().oidc_provider_name if configured() else ""


def redirect_uri() -> str:
    return get_settings().public_url.rstrip("/") + CALLBACK_PATH


def _issuer() -> str:
    issuer = get_settings().oidc_issuer.rstrip("/")
    parts = urlsplit(issuer)
    loopback = parts.hostname == "localhost"
    with contextlib.suppress(ValueError):  # a host name, not an address
        loopback = loopback or ipaddress.ip_address(parts.hostname or "").is_loopback
    # Tokens and keys fetched over plain http could be swapped on the way; only a provider on this machine may.
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        raise SsoRefused(f"issuer {issuer!r} is not https")
    return issuer


def _fetch_json(url: str) -> dict[str, Any]:
    try:
        response = httpx.get(url, timeout=HTTP_TIMEOUT_SECONDS, follow_redirects=False)
        response.raise_for_status()
        return response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise SsoRefused(f"could not read {url}: {exc}") from exc


def discovery() -> dict[str, Any]:
    """The provider's metadata; its issuer must be the configured one exactly (OpenID Connect Discovery 4.3)."""
    issuer = _issuer()

    def fetch() -> dict[str, Any]:
        document = _fetch_json(issuer + "/.well-known/openid-configuration")
        if str(document.get("issuer", "")).rstrip("/") != issuer:
            raise SsoRefused(f"discovery names issuer {document.get('issuer')!r}, expected {issuer!r}")
        for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not document.get(name):
                raise SsoRefused(f"discovery has no {name}")
        return document

    return cache.cached_json(cache.key("sso", "discovery", hashlib.sha256(issuer.encode()).hexdigest()[:16]),
                             DISCOVERY_TTL_SECONDS, fetch)


def _jwks(metadata: dict[str, Any], *, fresh: bool = False) -> KeySet:
    key = cache.key("sso", "jwks", hashlib.sha256(metadata["jwks_uri"].encode()).hexdigest()[:16])
    if fresh:
        cache.invalidate(key)
    try:
        return KeySet.import_key_set(cache.cached_json(key, JWKS_TTL_SECONDS,
                                                       lambda: _fetch_json(metadata["jwks_uri"])))
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise SsoRefused(f"unusable JWKS: {exc}") from exc


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _state_key(state: str) -> str:
    return cache.key("sso", "state", _hash(state))


def _client(metadata: dict[str, Any]) -> OAuth2Client:
    settings = get_settings()
    methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    auth_method = "client_secret_basic" if "client_secret_basic" in methods else "client_secret_post"
    return OAuth2Client(client_id=settings.oidc_client_id,
                        client_secret=settings.oidc_client_secret.get_secret_value(),
                        scope=settings.oidc_scopes, redirect_uri=redirect_uri(), code_challenge_method="S256",
                        token_endpoint_auth_method=auth_method, timeout=HTTP_TIMEOUT_SECONDS)


def safe_next(target: str) -> str:
    """Only a path on this site; anything else (another host, //evil, the sign-in page) goes home."""
    target = str(target or "")
    # Browsers drop tabs and newlines from URLs and read a backslash as a slash: "/\t/evil" and "/\\evil" are "//evil".
    if (not target.startswith("/") or target.startswith("//") or target.startswith("/login") or "\\" in target
            or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in target)):
        return ""
    return target[:500]


def begin(next_path: str = "") -> Started:
    if not configured():
        raise SsoRefused("not configured", "off")
    metadata = discovery()
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(48)
    browser_secret = secrets.token_urlsafe(32)
    cache.get_redis().set(_state_key(state), json.dumps({
        "nonce": nonce, "verifier": verifier, "next": safe_next(next_path), "binding": _hash(browser_secret),
    }), ex=STATE_TTL_SECONDS)
    with _client(metadata) as client:
        url, _ = client.create_authorization_url(metadata["authorization_endpoint"], state=state,
                                                 code_verifier=verifier, nonce=nonce)
    return Started(url, browser_secret)


def verify_id_token(id_token: str, nonce: str, metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ID token's claims, once its signature, issuer, audience, times and nonce all check out."""
    metadata = metadata or discovery()
    settings = get_settings()
    allowed = [a for a in metadata.get("id_token_signing_alg_values_supported") or ["RS256"] if a in ALGORITHMS]
    try:
        try:
            token = jwt.decode(id_token, _jwks(metadata), algorithms=allowed)
        except (JoseError, ValueError):
            # The provider may have rotated its keys since we cached them: one fresh look, never more.
            token = jwt.decode(id_token, _jwks(metadata, fresh=True), algorithms=allowed)
        registry = jwt.JWTClaimsRegistry(
            leeway=CLOCK_LEEWAY_SECONDS,
            iss={"essential": True, "value": metadata["issuer"]},
            aud={"essential": True, "value": settings.oidc_client_id},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        registry.validate(token.claims)
    except (JoseError, ValueError) as exc:
        raise SsoRefused(f"ID token refused: {exc.__class__.__name__}: {exc}") from exc
    claims = dict(token.claims)
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != settings.oidc_client_id:
        raise SsoRefused("ID token for several audiences without us as its authorized party")
    return claims


def complete(*, state: str, code: str, browser_secret: str, ip_address: str = "") -> Completed:
    """Finishes the sign-in the provider sent the browser back from; raises SsoRefused when anything is off."""
    try:
        if not configured():
            raise SsoRefused("not configured", "off")
        raw = cache.get_redis().getdel(_state_key(state)) if state else None
        if not raw:
            raise SsoRefused("unknown or used state", "expired")
        started = json.loads(raw)
        if not browser_secret or not secrets.compare_digest(started["binding"], _hash(browser_secret)):
            raise SsoRefused("state from another browser")
        if not code:
            raise SsoRefused("no code")
        metadata = discovery()
        try:
            with _client(metadata) as client:
                tokens = client.fetch_token(metadata["token_endpoint"], code=code,
                                            code_verifier=started["verifier"])
        except Exception as exc:  # noqa: BLE001 (authlib raises its own errors and httpx's; all mean "refused")
            raise SsoRefused(f"token endpoint: {exc}") from exc
        if not tokens.get("id_token"):
            raise SsoRefused("no ID token in the token response")
        claims = verify_id_token(tokens["id_token"], started["nonce"], metadata)
        signed_in = sign_in_with_claims(claims, ip_address)
    except SsoRefused as refused:
        with session_scope() as session:
            audit.record(session, "auth.sso_failed", actor_id=None, entity_type="user", entity_id="",
                         details={"reason": refused.reason[:500]}, ip_address=ip_address)
        raise
    return Completed(signed_in, started["next"])


# ---------------------------------------------------------------- people from claims


def _groups(claims: dict[str, Any]) -> list[str]:
    value = claims.get(get_settings().oidc_groups_claim)
    if isinstance(value, str):
        return [value]
    return [str(g) for g in value] if isinstance(value, list) else []


def _maps_groups(claims: dict[str, Any]) -> bool:
    """Whether this token says which groups the person is in (a provider may leave the claim out)."""
    return get_settings().oidc_groups_claim in claims


def mapped_role(claims: dict[str, Any]) -> str:
    """The highest role any of the person's groups maps to; the default role when none does."""
    settings = get_settings()
    roles = [settings.oidc_role_map[g] for g in _groups(claims) if settings.oidc_role_map.get(g) in ROLE_RANK]
    return max(roles, key=ROLE_RANK.__getitem__) if roles else settings.oidc_default_role


def _mapped_team_ids(session: Session, claims: dict[str, Any]) -> tuple[set[int], set[int]]:
    """(teams the person's groups name, every team the mapping can name): only the latter are changed by SSO."""
    team_map = get_settings().oidc_team_map
    if not team_map or not _maps_groups(claims):
        return set(), set()
    names = {n.lower() for n in team_map.values()}
    by_name = {t.name.lower(): t.id for t in session.exec(select(Team).where(func.lower(Team.name).in_(names)))}
    wanted = {by_name[team_map[g].lower()] for g in _groups(claims) if team_map.get(g, "").lower() in by_name}
    return wanted, set(by_name.values())


def _sync_teams(session: Session, user_id: int, claims: dict[str, Any]) -> dict[str, list[int]]:
    wanted, managed = _mapped_team_ids(session, claims)
    current = set(session.exec(select(TeamMembership.team_id).where(TeamMembership.user_id == user_id)).all())
    # Teams the mapping never names are the administrators' business: SSO leaves them alone.
    add, remove = wanted - current, (current & managed) - wanted
    for team_id in add:
        session.add(TeamMembership(team_id=team_id, user_id=user_id))
    for membership in session.exec(select(TeamMembership).where(TeamMembership.user_id == user_id,
                                                                TeamMembership.team_id.in_(remove))).all():
        session.delete(membership)
    return {"added": sorted(add), "removed": sorted(remove)} if add or remove else {}


def _claim_text(claims: dict[str, Any], name: str, limit: int) -> str:
    return str(claims.get(name) or "").strip()[:limit]


def sign_in_with_claims(claims: dict[str, Any], ip_address: str = "") -> auth.SignedIn:
    """Signs in the person a verified ID token names, creating or linking their account first."""
    subject = f"{claims['iss']} {claims['sub']}"
    if len(subject) > 400:
        raise SsoRefused("subject too long")
    email = _claim_text(claims, "email", 254).lower()
    name = _claim_text(claims, "name", 120) or email.split("@")[0]
    role = mapped_role(claims)
    with session_scope() as session:
        user = session.exec(select(User).where(User.sso_subject == subject)).first()
        created = False
        if user is None:
            if "@" not in email:
                raise SsoRefused("no e-mail claim", "no-email")
            user = session.exec(select(User).where(func.lower(User.email) == email)).first()
            if user is not None:
                # Linking an existing account by e-mail only when the provider vouches for the address: otherwise
                # anyone who can set that address at the provider would take the account over.
                if claims.get("email_verified") is not True:
                    raise SsoRefused("e-mail not verified for an existing account")
                if user.sso_subject is not None:
                    raise SsoRefused("account linked to another identity")
                user.sso_subject = subject
            else:
                user = User(email=email, full_name=name, password_hash=NO_PASSWORD, role=role, sso_subject=subject)
                created = True
        if not user.is_active or user.is_service_account:
            raise SsoRefused("account inactive", "inactive")
        changes: dict[str, Any] = {}
        if not created:
            # The provider's groups decide the role only when a role mapping exists and the token lists groups;
            # otherwise the role an administrator gave stays (an empty mapping must not demote every admin).
            if get_settings().oidc_role_map and _maps_groups(claims) and user.role != role:
                changes["role"] = {"from": user.role, "to": role}
                user.role = role
            # The provider is where people change their address; follow it unless another account has it.
            if email and "@" in email and email != user.email.lower() and session.exec(
                    select(User.id).where(func.lower(User.email) == email, User.id != user.id)).first() is None:
                changes["email"] = {"from": user.email, "to": email}
                user.email = email
        user.last_login_at = utcnow()
        session.add(user)
        session.flush()
        teams = _sync_teams(session, user.id, claims)
        if teams:
            changes["teams"] = teams
        if created:
            audit.record(session, "user.create", actor_id=user.id, entity_type="user", entity_id=str(user.id),
                         details={"email": email, "role": role, "via": "sso"}, ip_address=ip_address)
        elif changes:
            audit.record(session, "user.update", actor_id=user.id, entity_type="user", entity_id=str(user.id),
                         details=changes | {"via": "sso"}, ip_address=ip_address)
        audit.record(session, "auth.login", actor_id=user.id, entity_type="user", entity_id=str(user.id),
                     details={"via": "sso"}, ip_address=ip_address)
        user_id = user.id
    if created or changes:
        forget_actor(user_id)
        invalidate_directory_caches()
    with session_scope() as session:
        actor = load_actor(session, user_id)
    return auth.SignedIn(auth.start_session(user_id), actor, get_settings().session_ttl_seconds)
