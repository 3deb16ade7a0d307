"""Which e-mails a ticket change sends, to whom, with what text: a plain-text and an HTML part from Jinja2 templates
(the HTML ones autoescaped, so a ticket title or reply can never inject markup), in the recipient's language:
the templates' `{% trans %}` blocks and `gettext()` calls are looked up in the catalogs (helpdesk/core/i18n.py).
Threading headers, reply addresses and the record of what was sent are added by the e-mail channel when the job
sends (helpdesk/email)."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlmodel import Session, select

from helpdesk.core import app_settings, i18n, jobs
from helpdesk.core.i18n import N_
from helpdesk.core.mailer import OutgoingMail
from helpdesk.core.settings import get_settings
from helpdesk.models import Category, Comment, Role, Team, Ticket, User
from helpdesk.tickets import tickets
from helpdesk.tickets.events import CommentAdded, TicketCreated, TicketsMerged

# The priority's name in the acknowledgement, as the pages name it (English msgids).
PRIORITY_LABELS = {"low": N_("Low"), "medium": N_("Medium"), "high": N_("High"), "critical": N_("Critical")}

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "email"


def _with_i18n(env: Environment) -> Environment:
    """Adds `{% trans %}` (whitespace inside collapsed). The translations are not installed on the shared environment
    but passed with each render (`_language_context`): Jinja looks `gettext` up in the render's context first, so
    two e-mails in two languages can render at once."""
    env.add_extension("jinja2.ext.i18n")
    env.policies["ext.i18n.trimmed"] = True
    env.install_null_translations()
    return env


@lru_cache
def template_env() -> Environment:
    """Plain-text templates: nothing to escape in text/plain."""
    return _with_i18n(Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, autoescape=False))


@lru_cache
def html_env() -> Environment:
    return _with_i18n(Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined,
                                  autoescape=select_autoescape(default=True, default_for_string=True)))


def _language_context(language: str) -> dict[str, object]:
    def gettext(message: str) -> str:
        return i18n.translate(language, message)

    def ngettext(singular: str, plural: str, count: int) -> str:
        return i18n.translate(language, singular if count == 1 else plural)

    return {"gettext": gettext, "ngettext": ngettext, "language": i18n.normalise(language),
            "text_direction": "rtl" if i18n.is_rtl(language) else "ltr"}


def render(name: str, language: str = i18n.DEFAULT_LANGUAGE, **context: object) -> tuple[str, str]:
    """The text and HTML parts of template `name` (`name.txt`, `name.html`) in `language`."""
    context = {**context, **_language_context(language)}
    return (template_env().get_template(f"{name}.txt").render(**context),
            html_env().get_template(f"{name}.html").render(**context))


def ticket_url(ticket: Ticket) -> str:
    return _ticket_url(ticket)


def _ticket_url(ticket: Ticket) -> str:
    return f"{get_settings().public_url.rstrip('/')}/tickets/{ticket.id}"


def _local_time(moment: datetime | None, language: str = i18n.DEFAULT_LANGUAGE) -> str:
    if moment is None:
        return i18n.translate(language, "soon")
    zone = app_settings.value(None, "timezone")
    return f"{i18n.format_moment(moment, language, zone, weekday=True)} {zone}"


def ticket_acknowledgement(session: Session, ticket_id: int) -> OutgoingMail | None:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or ticket.deleted_at is not None:
        return None
    requester = session.get(User, ticket.requester_id)
    category = session.get(Category, ticket.category_id) if ticket.category_id else None
    language = requester.language
    body, html = render(
        "ticket_acknowledgement",
        language,
        requester_name=requester.full_name,
        ticket=ticket,
        priority_label=i18n.translate(language, PRIORITY_LABELS.get(ticket.priority, ticket.priority.title())),
        category=category.name if category else None,
        first_response_due=_local_time(ticket.sla_first_response_due, language),
        ticket_url=_ticket_url(ticket),
        organisation=app_settings.value(None, "organisation_name"),
    )
    subject = f"[#{ticket.number}] " + i18n.translate_format(language, "We received your request: {title}",
                                                             title=ticket.title)
    return OutgoingMail([requester.email], subject, body, html=html, ticket_id=ticket.id, recipient_id=requester.id)


def comment_notifications(session: Session, comment_id: int) -> list[tuple[int, OutgoingMail]]:
    """A public reply, one e-mail per recipient as (recipient id, mail).

    From IT: to the requester and to the followers (requesters of duplicates merged into the ticket). From the
    requester or a follower: to the assignee.
    """
    comment = session.get(Comment, comment_id)
    if comment is None or comment.is_internal:
        return []
    ticket = session.get(Ticket, comment.ticket_id)
    author = session.get(User, comment.author_id)
    follower_ids = set(tickets.follower_ids(session, ticket.id))
    if comment.author_id == ticket.requester_id or comment.author_id in follower_ids:
        recipient_ids = [ticket.assignee_id] if ticket.assignee_id else []
    else:
        recipient_ids = [ticket.requester_id, *sorted(follower_ids)]
    mails = []
    for recipient_id in dict.fromkeys(recipient_ids):
        recipient = session.get(User, recipient_id)
        if recipient is None or not recipient.is_active or recipient.id == author.id:
            continue
        body, html = render(
            "comment_notification",
            recipient.language,
            recipient_name=recipient.full_name,
            author_name=author.full_name if author.role == Role.REQUESTER else f"{author.full_name} (IT)",
            ticket=ticket,
            body=comment.body,
            ticket_url=_ticket_url(ticket),
            organisation=app_settings.value(None, "organisation_name"),
        )
        mails.append((recipient.id, OutgoingMail([recipient.email], f"Re: [#{ticket.number}] {ticket.title}", body,
                                                 html=html, ticket_id=ticket.id, recipient_id=recipient.id)))
    return mails


def ticket_merged(session: Session, duplicate_id: int, target_id: int) -> OutgoingMail | None:
    """Tells the duplicate's requester where their request continues (nothing if either ticket went away)."""
    duplicate = session.get(Ticket, duplicate_id)
    target = session.get(Ticket, target_id)
    if duplicate is None or target is None or duplicate.deleted_at is not None or target.deleted_at is not None:
        return None
    requester = session.get(User, duplicate.requester_id)
    if requester is None or not requester.is_active:
        return None
    body, html = render(
        "ticket_merged",
        requester.language,
        requester_name=requester.full_name,
        duplicate=duplicate,
        target=target,
        target_url=_ticket_url(target),
        organisation=app_settings.value(None, "organisation_name"),
    )
    # The target's number leads the subject: it is the ticket to look for from now on.
    subject = f"[#{target.number}] " + i18n.translate_format(
        requester.language, "Your request #{number} continues here: {title}", number=duplicate.number,
        title=target.title)
    return OutgoingMail([requester.email], subject, body, html=html, ticket_id=target.id, recipient_id=requester.id)


_CLOCK_LABELS = {"first_response": N_("first-response"), "resolution": N_("resolution")}
_STATUS_LABELS = {"new": N_("New"), "open": N_("Open"), "in_progress": N_("In progress"),
                  "waiting_on_customer": N_("Waiting on customer"), "resolved": N_("Resolved"), "closed": N_("Closed")}


def sla_escalation(session: Session, ticket_id: int, lead_id: int, clock: str) -> OutgoingMail | None:
    """A breached SLA, told to the lead of the ticket's team (nothing if the lead left or the ticket went away)."""
    ticket = session.get(Ticket, ticket_id)
    lead = session.get(User, lead_id)
    if ticket is None or ticket.deleted_at is not None or lead is None or not lead.is_active:
        return None
    team = session.get(Team, ticket.team_id) if ticket.team_id else None
    requester = session.get(User, ticket.requester_id)
    assignee = session.get(User, ticket.assignee_id) if ticket.assignee_id else None
    due = ticket.sla_first_response_due if clock == "first_response" else ticket.sla_resolution_due
    language = lead.language
    clock_label = i18n.translate(language, _CLOCK_LABELS.get(clock, clock))
    body, html = render(
        "sla_escalation",
        language,
        lead_name=lead.full_name,
        ticket=ticket,
        team_name=team.name if team else i18n.translate(language, "no team"),
        clock_label=clock_label,
        priority_label=i18n.translate(language, PRIORITY_LABELS.get(ticket.priority, ticket.priority.title())),
        status_label=i18n.translate(language, _STATUS_LABELS.get(ticket.status, ticket.status.replace("_", " "))),
        assignee_name=assignee.full_name if assignee else None,
        requester_name=requester.full_name if requester else "",
        due=_local_time(due, language),
        ticket_url=_ticket_url(ticket),
        organisation=app_settings.value(None, "organisation_name"),
    )
    subject = f"[#{ticket.number}] " + i18n.translate_format(language, "SLA breached ({clock}): {title}",
                                                             clock=clock_label, title=ticket.title)
    return OutgoingMail([lead.email], subject, body,
                        html=html, ticket_id=ticket.id, recipient_id=lead.id)


def staff_emails(session: Session) -> list[str]:
    return list(session.exec(select(User.email).where(User.role.in_([Role.AGENT.value, Role.ADMIN.value]))).all())


# ---------------------------------------------------------------- reactions to ticket events (outbox jobs)


def queue_acknowledgement(session: Session, event: TicketCreated) -> None:
    jobs.enqueue(session, "email.ticket_acknowledgement", "email", {"ticket_id": event.ticket.id})


def queue_comment_notification(session: Session, event: CommentAdded) -> None:
    if not event.internal:  # internal notes stay inside IT
        jobs.enqueue(session, "email.comment_notification", "email", {"comment_id": event.comment.id})


def queue_merge_notice(session: Session, event: TicketsMerged) -> None:
    jobs.enqueue(session, "email.ticket_merged", "email",
                 {"duplicate_id": event.duplicate.id, "target_id": event.target.id})
