"""All tables, imported here so `SQLModel.metadata` (and Alembic) sees every one."""

from helpdesk.models.access import ApiToken, AppSetting, PasswordReset
from helpdesk.models.agent_tools import Macro, SavedView, Tag, TicketTag
from helpdesk.models.ai import (
    AiAutoApplyState,
    AiFeedback,
    AiJudgement,
    AiOrgExample,
    AiPrediction,
    AutoApplyMode,
)
from helpdesk.models.ai_registry import AiModelVersion, AiTrainingRun
from helpdesk.models.canned import CannedResponse
from helpdesk.models.email import (
    CsatRating,
    EmailRecord,
    EmailSuppression,
    Mailbox,
    NotificationPreference,
)
from helpdesk.models.kb import (
    ArticleStatus,
    DeflectionOutcome,
    KbArticle,
    KbArticleRevision,
    KbAttachment,
    KbCategory,
    KbDeflection,
    KbVote,
)
from helpdesk.models.llm import LlmCall, LlmPurpose
from helpdesk.models.ops import AuditLog, IdempotencyKey, OutboxJob
from helpdesk.models.reports import (
    DailyAgentMetrics,
    DailyMetrics,
    ExportStatus,
    ReportExport,
    ReportSchedule,
    ReportSubscription,
    RollupState,
    ScheduleKind,
)
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
    "AiAutoApplyState",
    "AiFeedback",
    "AiJudgement",
    "AiOrgExample",
    "AutoApplyMode",
    "AiModelVersion",
    "AiPrediction",
    "AiTrainingRun",
    "ApiToken",
    "AppSetting",
    "ArticleStatus",
    "AssignmentMode",
    "Attachment",
    "AuditLog",
    "BusinessCalendarConfig",
    "CannedResponse",
    "DailyAgentMetrics",
    "DailyMetrics",
    "ExportStatus",
    "Category",
    "Comment",
    "CsatRating",
    "DeflectionOutcome",
    "EmailRecord",
    "EmailSuppression",
    "IdempotencyKey",
    "KbArticle",
    "KbArticleRevision",
    "KbAttachment",
    "KbCategory",
    "KbDeflection",
    "KbVote",
    "LlmCall",
    "LlmPurpose",
    "Macro",
    "Mailbox",
    "NotificationPreference",
    "OutboxJob",
    "PasswordReset",
    "Priority",
    "ReportExport",
    "ReportSchedule",
    "ReportSubscription",
    "SavedView",
    "RollupState",
    "ScheduleKind",
    "Role",
    "SlaPolicy",
    "Tag",
    "Status",
    "Team",
    "TeamMembership",
    "Ticket",
    "TicketEvent",
    "TicketFollower",
    "TicketLink",
    "TicketTag",
    "User",
]
