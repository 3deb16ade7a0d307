"""What the tickets context announces (through helpdesk.core.events) for other contexts to react to.

Each event carries the rows as they are inside the publishing transaction; handlers must not keep them beyond it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from helpdesk.identity.actor import Actor
from helpdesk.models import Comment, Ticket


@dataclass(frozen=True)
class TicketCreated:
    ticket: Ticket
    actor: Actor


@dataclass(frozen=True)
class TicketFieldsChanged:
    """A person changed fields of a ticket; `changed` maps columns to (old, new)."""

    ticket: Ticket
    actor: Actor
    changed: Mapping[str, tuple[Any, Any]]
    now: datetime


@dataclass(frozen=True)
class CommentAdded:
    ticket: Ticket
    comment: Comment
    internal: bool


@dataclass(frozen=True)
class TicketsMerged:
    duplicate: Ticket
    target: Ticket


@dataclass(frozen=True)
class TicketTouched:
    """Anything about the ticket changed (`kind`: created, changed, reply, note, merged, sla, ...): every page
    showing it, and every cached count, must be refreshed after the commit."""

    ticket: Ticket
    kind: str


@dataclass(frozen=True)
class PersonCopiedIn:
    """`user_id` was CC'd on the ticket by `actor`: they may now read it and get its public updates."""

    ticket: Ticket
    actor: Actor
    user_id: int
