"""All tables, imported here so `SQLModel.metadata` (and Alembic) sees every one."""

from helpdesk.models.ops import AuditLog, IdempotencyKey, OutboxJob
from helpdesk.models.ticket import (
    OPEN_STATUSES,
    Attachment,
    Category,
    Comment,
    Priority,
    Status,
    Ticket,
    TicketEvent,
)
from helpdesk.models.user import Role, Team, TeamMembership, User

__all__ = [
    "OPEN_STATUSES",
    "Attachment",
    "AuditLog",
    "Category",
    "Comment",
    "IdempotencyKey",
    "OutboxJob",
    "Priority",
    "Role",
    "Status",
    "Team",
    "TeamMembership",
    "Ticket",
    "TicketEvent",
    "User",
]
