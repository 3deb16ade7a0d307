"""E-mail to IT staff about their work: assigned to you, a new ticket in your team, the requester replied, SLA at
risk, a mention in an internal note. Each kind can be switched off per person (`preferences`, the page "E-mail
notifications").

The handlers react to the tickets and SLA contexts' domain events by writing outbox jobs in the same transaction;
the job builds the mail when it runs, so a preference switched off in between is respected.
"""

from __future__ import annotations

import re

from sqlalchemy import func
from sqlmodel import Session, select

from helpdesk.core import i18n, jobs
from helpdesk.core.errors import DomainError
from helpdesk.core.i18n import N_
from helpdesk.core.mailer import OutgoingMail
from helpdesk.core.settings import get_settings
from helpdesk.email.preferences import wants
from helpdesk.identity.actor import load_actor
from helpdesk.models import Comment, NotificationPreference, Role, TeamMembership, Ticket, User
from helpdesk.sla.events import SlaStateChanged
from helpdesk.tickets import following, notifications, tickets
from helpdesk.tickets.events import CommentAdded, TicketCreated, TicketFieldsChanged

TASK = "email.agent_notification"
# English msgids, each said in the recipient's language when the mail is built.
_HEADLINES = {
    "assigned": N_("This ticket is now assigned to you."),
    "team_new_ticket": N_("A new ticket arrived in your team's queue."),
    "requester_replied": N_("The requester replied."),
    "sla_at_risk": N_("This ticket is at risk of missing its resolution target."),
    "mention": N_("{author} mentioned you in an internal note."),
    "following": N_("A ticket you follow changed."),
}
_MENTION = re.compile(r"(?<![\w.@])@([A-Za-z0-9][A-Za-z0-9._%+-]{0,63}(?:@[A-Za-z0-9.-]+\.[A-Za-z]{2,})?)")
PREFERENCES_PATH = "/settings/notifications"


# ---------------------------------------------------------------- the mail


def agent_mail(session: Session, kind: str, ticket_id: int, recipient_id: int,
               comment_id: int | None = None) -> OutgoingMail | None:
    """The notification, or None when the person opted out, left, or the ticket went away."""
    ticket = session.get(Ticket, ticket_id)
    recipient = session.get(User, recipient_id)
    if (ticket is None or ticket.deleted_at is not None or recipient is None or not recipient.is_active
            or recipient.role == Role.REQUESTER or not wants(session, recipient_id, kind)):
        return None
    comment = session.get(Comment, comment_id) if comment_id else None
    if not _may_read(session, recipient_id, ticket, comment):
        return None
    author = session.get(User, comment.author_id) if comment else None
    requester = session.get(User, ticket.requester_id)
    language = recipient.language
    headline = i18n.translate_format(language, _HEADLINES[kind],
                                     author=author.full_name if author else i18n.translate(language, "Someone"))
    priority = notifications.PRIORITY_LABELS.get(ticket.priority, ticket.priority.title())
    body, html = notifications.render(
        "agent_notification", language, recipient_name=recipient.full_name, headline=headline, ticket=ticket,
        priority_label=i18n.translate(language, priority),
        requester_name=requester.full_name if requester else "", excerpt=(comment.body[:1500] if comment else ""),
        ticket_url=notifications.ticket_url(ticket),
        preferences_url=get_settings().public_url.rstrip("/") + PREFERENCES_PATH,
        organisation=get_settings().organisation_name)
    subject = f"[#{ticket.number}] " + i18n.translate_format(language, "{headline}: {title}",
                                                             headline=headline.rstrip(".۔"), title=ticket.title)
    return OutgoingMail([recipient.email], subject, body,
                        html=html, ticket_id=ticket.id, recipient_id=recipient.id)


def _may_read(session: Session, recipient_id: int, ticket: Ticket, comment: Comment | None) -> bool:
    """The reading rule as it stands when the mail is built: a ticket that moved away, or an internal note the person
    may not see, is not mailed to them."""
    try:
        reader = load_actor(session, recipient_id)
    except DomainError:
        return False
    if not tickets.can_read(reader, ticket):
        return False
    return comment is None or not comment.is_internal or tickets.sees_internal_notes(reader, ticket)


def comment_mails(session: Session, comment_id: int) -> list[tuple[int, OutgoingMail]]:
    """The public-reply e-mails, less those to people who switched that kind off: the assignee hearing from the
    requester ("requester replied"), or the requester and the people copied in hearing from IT ("reply on my
    request"; an agent who filed a request of their own is its requester here)."""
    mails = notifications.comment_notifications(session, comment_id)
    kept = []
    for recipient_id, mail in mails:
        ticket = session.get(Ticket, mail.ticket_id) if mail.ticket_id else None
        recipient = session.get(User, recipient_id)
        works_it = (ticket is not None and recipient is not None and recipient.role != Role.REQUESTER
                    and recipient_id == ticket.assignee_id and recipient_id != ticket.requester_id)
        if not wants(session, recipient_id, "requester_replied" if works_it else "request_reply"):
            continue
        kept.append((recipient_id, mail))
    return kept


# ---------------------------------------------------------------- reactions to domain events


def _queue(session: Session, kind: str, ticket: Ticket, recipient_id: int | None, ref: str,
           comment_id: int | None = None) -> None:
    if recipient_id is None:
        return
    jobs.enqueue(session, TASK, "email", {"kind": kind, "ticket_id": ticket.id, "recipient_id": recipient_id,
                                          "comment_id": comment_id, "ref": ref})


def on_ticket_created(session: Session, event: TicketCreated) -> None:
    ticket = event.ticket
    if ticket.assignee_id is not None and ticket.assignee_id != event.actor.user_id:
        _queue(session, "assigned", ticket, ticket.assignee_id, "created")
    if ticket.team_id is not None:
        # Only the members who asked for it (the preference is read again when the mail is built).
        members = session.exec(
            select(TeamMembership.user_id)
            .join(NotificationPreference, (NotificationPreference.user_id == TeamMembership.user_id)
                  & (NotificationPreference.kind == "team_new_ticket"))
            .where(TeamMembership.team_id == ticket.team_id, NotificationPreference.enabled)).all()
        for user_id in members:
            if user_id not in (ticket.assignee_id, event.actor.user_id):
                _queue(session, "team_new_ticket", ticket, user_id, "created")


def on_fields_changed(session: Session, event: TicketFieldsChanged) -> None:
    new_assignee = None
    if "assignee_id" in event.changed:
        new_assignee = event.changed["assignee_id"][1]
        if new_assignee is not None and new_assignee != event.actor.user_id:
            _queue(session, "assigned", event.ticket, new_assignee, f"assigned-{event.now.timestamp():.0f}")
    if {"status", "assignee_id"} & set(event.changed):
        for user_id in following.watcher_ids(session, event.ticket.id):
            if user_id not in (event.actor.user_id, new_assignee):
                _queue(session, "following", event.ticket, user_id, f"following-{event.now.timestamp():.0f}")


def on_sla_flagged(session: Session, event: SlaStateChanged) -> None:
    if event.flag == "sla_at_risk" and event.ticket.assignee_id is not None:
        _queue(session, "sla_at_risk", event.ticket, event.ticket.assignee_id, "at-risk")


def on_comment_added(session: Session, event: CommentAdded) -> None:
    """Mentions in internal notes: `@hank` (the part of the address before @) or `@hank@example.org`; and every
    reply or note to the people following the ticket (unless mentioned: one mail is enough)."""
    mentioned: list[int] = []
    if event.internal:
        mentioned = mentioned_staff(session, event.comment.body)
        for user_id in mentioned:
            if user_id != event.comment.author_id:
                _queue(session, "mention", event.ticket, user_id, f"mention-{event.comment.id}", event.comment.id)
    for user_id in following.watcher_ids(session, event.ticket.id):
        if user_id != event.comment.author_id and user_id not in mentioned:
            _queue(session, "following", event.ticket, user_id, f"following-{event.comment.id}", event.comment.id)


def mentioned_staff(session: Session, body: str) -> list[int]:
    handles = {m.lower().rstrip(".") for m in _MENTION.findall(body)}
    if not handles:
        return []
    full = [h for h in handles if "@" in h]
    local = [h for h in handles if "@" not in h]
    staff = (Role.AGENT.value, Role.ADMIN.value, Role.MANAGER.value)
    query = select(User.id).where(User.is_active, User.role.in_(staff),
                                  func.lower(User.email).in_(full)
                                  | func.split_part(func.lower(User.email), "@", 1).in_(local))
    return sorted(set(session.exec(query).all()))
