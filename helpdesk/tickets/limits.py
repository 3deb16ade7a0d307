"""How much one person may add, and how fast: per-person hourly rate limits on filing tickets, writing comments
and uploading files, and the attachment quotas (all files on one ticket; what one person uploads in 24 hours).

The numbers are settings (helpdesk/core/app_settings.py: an administrator's value, else the environment's
default). Every door that creates on someone's behalf calls `check_rate` before the work - the REST routes and the
pages' handlers - so a flood answers 429 with Retry-After (REST) or a message on the page, and changes nothing.
Staff count like everyone else: the limits are far above what a person types, and an administrator raises them
for an integration's service account. E-mail intake keeps its own per-sender limit (helpdesk/email/noise.py).
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from sqlalchemy import func
from sqlmodel import Session, select

from helpdesk.core import app_settings, rate_limit
from helpdesk.core.errors import TooLarge
from helpdesk.core.i18n import NF_
from helpdesk.identity.actor import Actor
from helpdesk.models import Attachment
from helpdesk.models.base import utcnow

HOUR_SECONDS = 3600
MB = 1024 * 1024


class Action(StrEnum):
    TICKET = "ticket"
    COMMENT = "comment"
    UPLOAD = "upload"


_SETTING = {Action.TICKET: "rate_limit_tickets_per_hour", Action.COMMENT: "rate_limit_comments_per_hour",
            Action.UPLOAD: "rate_limit_uploads_per_hour"}
_WHAT = {Action.TICKET: "new tickets", Action.COMMENT: "comments", Action.UPLOAD: "files uploaded"}


def check_rate(session: Session | None, actor: Actor, action: Action, amount: int = 1) -> None:
    """Counts `amount` actions of this person; RateLimited when that goes past their hourly limit."""
    if amount <= 0:
        return
    limit = int(app_settings.value(session, _SETTING[action]))
    rate_limit.hit(action.value, actor.user_id, limit, HOUR_SECONDS, what=_WHAT[action], amount=amount)


def _mb(size: int) -> str:
    return f"{size / MB:.1f}".rstrip("0").rstrip(".")


def check_quota(session: Session, actor: Actor, ticket_id: int, incoming_bytes: int) -> None:
    """TooLarge when `incoming_bytes` more would pass the ticket's quota or the person's 24-hour quota."""
    values = app_settings.current(session)
    ticket_quota = int(values["attachment_ticket_quota_mb"]) * MB
    on_ticket = session.exec(select(func.coalesce(func.sum(Attachment.size_bytes), 0))
                             .where(Attachment.ticket_id == ticket_id)).one()
    if on_ticket + incoming_bytes > ticket_quota:
        raise TooLarge({"attachments": NF_("This ticket already holds {used} MB of files; a ticket holds at most "
                                           "{limit} MB.", used=_mb(on_ticket), limit=_mb(ticket_quota))})
    daily_quota = int(values["attachment_daily_quota_mb"]) * MB
    today = session.exec(select(func.coalesce(func.sum(Attachment.size_bytes), 0))
                         .where(Attachment.uploaded_by_id == actor.user_id,
                                Attachment.created_at > utcnow() - timedelta(days=1))).one()
    if today + incoming_bytes > daily_quota:
        raise TooLarge({"attachments": NF_("You have uploaded {used} MB in the last 24 hours; the limit is {limit} "
                                           "MB a day. Please try again later.", used=_mb(today),
                                           limit=_mb(daily_quota))})
