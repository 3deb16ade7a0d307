"""A small, fully known organisation for tests."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from helpdesk.core.db import session_scope
from helpdesk.identity.actor import Actor, load_actor
from helpdesk.identity.passwords import hash_password
from helpdesk.models import Category, Team, TeamMembership, User
from helpdesk.tickets.validation import TicketDraft

PASSWORD = "correct horse battery"


@lru_cache
def password_hash() -> str:
    """argon2 is deliberately slow; the test organisation shares one hash."""
    return hash_password(PASSWORD)


@dataclass
class Org:
    hardware_team: int
    access_team: int
    hardware: int
    laptops: int
    access: int
    alice: int  # requester
    bob: int  # requester
    hank: int  # hardware agent
    ada: int  # access agent
    mona: int  # manager
    root: int  # admin

    def actor(self, user_id: int) -> Actor:
        with session_scope() as session:
            return load_actor(session, user_id)


def build_org() -> Org:
    with session_scope() as session:
        hardware_team, access_team = Team(name="Hardware"), Team(name="Access")
        session.add_all([hardware_team, access_team])
        session.flush()
        hardware = Category(name="Hardware", default_team_id=hardware_team.id)
        access = Category(name="Access", default_team_id=access_team.id)
        session.add_all([hardware, access])
        session.flush()
        laptops = Category(name="Laptops", parent_id=hardware.id, default_team_id=hardware_team.id)
        session.add(laptops)
        session.flush()

        def user(email: str, name: str, role: str) -> int:
            account = User(email=email, full_name=name, password_hash=password_hash(), role=role)
            session.add(account)
            session.flush()
            return account.id

        ids = dict(
            alice=user("alice@example.org", "Alice Requester", "requester"),
            bob=user("bob@example.org", "Bob Requester", "requester"),
            hank=user("hank@example.org", "Hank Hardware", "agent"),
            ada=user("ada@example.org", "Ada Access", "agent"),
            mona=user("mona@example.org", "Mona Manager", "manager"),
            root=user("root@example.org", "Root Admin", "admin"),
        )
        session.add(TeamMembership(team_id=hardware_team.id, user_id=ids["hank"]))
        session.add(TeamMembership(team_id=access_team.id, user_id=ids["ada"]))
        return Org(hardware_team=hardware_team.id, access_team=access_team.id, hardware=hardware.id,
                   laptops=laptops.id, access=access.id, **ids)


def draft(title: str = "Laptop screen flickers", category_id: int | None = None, priority: str = "medium",
          description: str = "The screen flickers every few seconds since Monday.") -> TicketDraft:
    return TicketDraft(title=title, description=description, priority=priority, category_id=category_id)


def add_agent(team_id: int, email: str, name: str, *, available: bool = True, active: bool = True) -> int:
    """Another agent on a team (joins after the existing members, so round-robin order is predictable)."""
    with session_scope() as session:
        agent = User(email=email, full_name=name, password_hash=password_hash(), role="agent",
                     is_available=available, is_active=active)
        session.add(agent)
        session.flush()
        session.add(TeamMembership(team_id=team_id, user_id=agent.id))
        return agent.id


def reset_sla_config() -> int:
    """Puts back the SLA configuration migration 0002 seeds (the default calendar and one policy per priority).

    Truncating teams between tests cascades to sla_policies, so SLA tests call this; returns the calendar id.
    """
    from datetime import time

    from sqlalchemy import text

    from helpdesk.core import cache
    from helpdesk.models import BusinessCalendarConfig, SlaPolicy
    from helpdesk.sla import engine as sla

    with session_scope() as session:
        session.execute(text("DELETE FROM sla_policies"))
        session.execute(text("DELETE FROM business_calendars"))
        calendar = BusinessCalendarConfig(name="Standard office hours", timezone="Asia/Karachi",
                                          working_days=[0, 1, 2, 3, 4], opens=time(9), closes=time(17),
                                          holiday_country="PK", extra_holidays=[], is_default=True)
        session.add(calendar)
        session.flush()
        for priority, target in sla.DEFAULT_TARGETS.items():
            session.add(SlaPolicy(name=f"{priority.capitalize()} (default)", priority=priority.value,
                                  first_response_minutes=int(target.first_response.total_seconds() // 60),
                                  resolution_minutes=int(target.resolution.total_seconds() // 60),
                                  calendar_id=calendar.id))
        calendar_id = calendar.id
    cache.invalidate(sla.config_cache_key())
    return calendar_id
