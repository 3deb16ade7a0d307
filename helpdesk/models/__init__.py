"""All tables, imported here so `SQLModel.metadata` (and Alembic) sees every one."""

from helpdesk.models.ops import AuditLog, IdempotencyKey, OutboxJob
from helpdesk.models.sla import BusinessCalendarConfig, SlaPolicy
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
from helpdesk.models.user import AssignmentMode, Role, Team, TeamMembership, User

__all__ = [
    "OPEN_STATUSES",
    "AssignmentMode",
    "Attachment",
    "AuditLog",
    "BusinessCalendarConfig",
    "Category",
    "Comment",
    "IdempotencyKey",
    "OutboxJob",
    "Priority",
    "Role",
    "SlaPolicy",
    "Status",
    "Team",
    "TeamMembership",
    "Ticket",
    "TicketEvent",
    "User",
]
