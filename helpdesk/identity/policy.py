"""Who may do what, by role: the named predicates every context's permission checks use.

Checks about one ticket (may this person read it, work it) live in helpdesk/tickets/tickets.py and build on these;
this module answers the questions that depend on the role alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from helpdesk.models import Role

if TYPE_CHECKING:  # Actor's own role properties are these predicates
    from helpdesk.identity.actor import Actor


def is_admin(actor: Actor | None) -> bool:
    """Admins configure the helpdesk: people, SLA policies, shared canned responses, AI models, schedules."""
    return actor is not None and actor.role == Role.ADMIN


def works_tickets(actor: Actor) -> bool:
    """Agents and admins change tickets; managers read them only."""
    return actor.role in (Role.AGENT, Role.ADMIN)


def is_read_only_staff(actor: Actor) -> bool:
    """Managers read every ticket and report but change no ticket."""
    return actor.role == Role.MANAGER


def reads_every_ticket(actor: Actor) -> bool:
    return actor.role in (Role.MANAGER, Role.ADMIN)


def reads_reports(actor: Actor) -> bool:
    """Managers and admins read reports and exports."""
    return actor.role in (Role.MANAGER, Role.ADMIN)


def is_it_staff(actor: Actor) -> bool:
    """Everyone in IT (agents, managers, admins): sees internal notes, drafts, the staff side of the KB."""
    return actor.role != Role.REQUESTER


def has_scope(actor: Actor, scope: str) -> bool:
    """An API token acts only within its scopes; a signed-in person is not limited by scopes."""
    return actor.scopes is None or scope in actor.scopes


def manages_api_tokens_of(actor: Actor, owner_id: int, owner_is_service_account: bool) -> bool:
    """Everyone manages their own personal tokens; only admins manage service accounts' tokens."""
    if actor.scopes is not None:  # a token never mints or revokes tokens
        return False
    return is_admin(actor) if owner_is_service_account else actor.user_id == owner_id or is_admin(actor)
