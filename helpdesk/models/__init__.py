"""All tables, imported here so `SQLModel.metadata` (and Alembic) sees every one."""

from helpdesk.models.ai import AiFeedback, AiPrediction
from helpdesk.models.canned import CannedResponse
from helpdesk.models.kb import (
    ArticleStatus,
    DeflectionOutcome,
    KbArticle,
    KbArticleRevision,
    KbCategory,
    KbDeflection,
    KbVote,
)
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
    TicketFollower,
    TicketLink,
)
from helpdesk.models.user import AssignmentMode, Role, Team, TeamMembership, User

__all__ = [
    "OPEN_STATUSES",
    "AiFeedback",
    "AiPrediction",
    "ArticleStatus",
    "AssignmentMode",
    "Attachment",
    "AuditLog",
    "BusinessCalendarConfig",
    "CannedResponse",
    "Category",
    "Comment",
    "DeflectionOutcome",
    "IdempotencyKey",
    "KbArticle",
    "KbArticleRevision",
    "KbCategory",
    "KbDeflection",
    "KbVote",
    "OutboxJob",
    "Priority",
    "Role",
    "SlaPolicy",
    "Status",
    "Team",
    "TeamMembership",
    "Ticket",
    "TicketEvent",
    "TicketFollower",
    "TicketLink",
    "User",
]
