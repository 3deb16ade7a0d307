"""Who is asking: the one object every permission check looks at."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from sqlmodel import Session, select

from helpdesk.core import cache
from helpdesk.core.errors import NotAuthenticated
from helpdesk.identity import policy
from helpdesk.models import TeamMembership, User

ACTOR_CACHE_TTL_SECONDS = 15 * 60  # spec 4.3.3: user permissions, 15 minutes


@dataclass(frozen=True)
class Actor:
    user_id: int
    role: str
    full_name: str
    email: str
    team_ids: tuple[int, ...] = field(default_factory=tuple)
    # What an API token lets this actor do (helpdesk/identity/tokens.py); None for a signed-in person, who may do
    # all their role allows.
    scopes: tuple[str, ...] | None = None
    # The language the person chose ('en' or 'ur'); pages and e-mails speak it (helpdesk/core/i18n.py).
    language: str = "en"

    # The role questions are answered once, in helpdesk.identity.policy.
    @property
    def is_requester(self) -> bool:
        return not policy.is_it_staff(self)

    @property
    def is_staff(self) -> bool:
        """Agents and admins work tickets; managers only read them."""
        return policy.works_tickets(self)

    @property
    def can_read_all(self) -> bool:
        return policy.reads_every_ticket(self)

    @property
    def sees_internal_notes(self) -> bool:
        return policy.is_it_staff(self)

    def to_dict(self) -> dict:
        return asdict(self)


def actor_cache_key(user_id: int) -> str:
    return cache.key("user", user_id, "actor")


def load_actor(session: Session, user_id: int, *, cached: str | None = None) -> Actor:
    """The actor for an active user (cached in Redis, invalidated on role/team change).

    `cached` is the cache entry when the caller already fetched it (the session check does, in the same round trip).
    """
    if cached is not None:
        return _actor_from(json.loads(cached), user_id)

    def compute() -> dict | None:
        user = session.get(User, user_id)
        if user is None or not user.is_active:
            return None
        team_ids = session.exec(select(TeamMembership.team_id).where(TeamMembership.user_id == user_id)).all()
        return Actor(user.id, user.role, user.full_name, user.email, tuple(sorted(team_ids)),
                     language=user.language).to_dict()

    return _actor_from(cache.cached_json(actor_cache_key(user_id), ACTOR_CACHE_TTL_SECONDS, compute), user_id)


def _actor_from(data: dict | None, user_id: int) -> Actor:
    if data is None:
        cache.invalidate(actor_cache_key(user_id))
        raise NotAuthenticated("Your account is not active.")
    data["team_ids"] = tuple(data["team_ids"])
    data.pop("scopes", None)  # scopes belong to a token, never to the cached person
    return Actor(**data)


def forget_actor(user_id: int) -> None:
    cache.invalidate(actor_cache_key(user_id))
