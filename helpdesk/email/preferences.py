"""Which notification e-mails a person gets: one switch per kind, kept per person (`notification_preferences`; no
row means the kind's default).

Everyone has the switches about their own requests (the acknowledgement, IT's replies, the resolution with its
rating link, a merge); IT staff also have those about their work (assigned to me, a new ticket in my team, the
requester replied, SLA at risk, mentions, tickets I follow). The choice is read when each mail is built, so a
switch turned off after the change but before the job ran is still honoured. Only e-mail is switched off: the
notification centre (the bell) keeps showing everything.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from helpdesk.core.errors import ValidationFailed
from helpdesk.core.mailer import OutgoingMail
from helpdesk.identity import policy
from helpdesk.identity.actor import Actor
from helpdesk.models import NotificationPreference

# About one's own requests (everyone files them, IT staff included).
REQUEST_KINDS: dict[str, str] = {
    "request_received": "We received my request (the confirmation with its ticket number)",
    "request_reply": "IT replies on my request, or on a request I am copied in on",
    "request_resolved": "My request is resolved (with a one-click rating)",
    "request_merged": "My request is merged into another ticket",
}
# About IT staff's work.
WORK_KINDS: dict[str, str] = {
    "assigned": "A ticket is assigned to me",
    "team_new_ticket": "A new ticket arrives in my team's queue",
    "requester_replied": "The requester replies on a ticket assigned to me",
    "sla_at_risk": "A ticket assigned to me is at risk of missing its SLA",
    "mention": "Someone mentions me in an internal note",
    "following": "A ticket I follow gets a reply, a note, or a new status or assignee",
}
KINDS: dict[str, str] = REQUEST_KINDS | WORK_KINDS
# Every kind is on until a person turns it off, except news of every new ticket in the team's queue: in a busy team
# that is most of the day's mail, so it is for those who ask for it.
OFF_BY_DEFAULT = frozenset({"team_new_ticket"})


def kinds_for(actor: Actor) -> dict[str, str]:
    """The switches this person has: requesters only those about their requests."""
    return KINDS if policy.is_it_staff(actor) else REQUEST_KINDS


def preferences(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """The person's own switches, each with its group ("requests" or "work") and whether it is on."""
    chosen = {p.kind: p.enabled for p in session.exec(
        select(NotificationPreference).where(NotificationPreference.user_id == actor.user_id)).all()}
    return [{"kind": kind, "label": label, "group": "requests" if kind in REQUEST_KINDS else "work",
             "enabled": chosen.get(kind, kind not in OFF_BY_DEFAULT)}
            for kind, label in kinds_for(actor).items()]


def set_preference(session: Session, actor: Actor, kind: str, enabled: bool) -> None:
    """Turns one of the person's own switches on or off (a kind they do not have is refused)."""
    if kind not in kinds_for(actor):
        raise ValidationFailed({"kind": "Choose a kind of notification from the list."})
    row = session.get(NotificationPreference, (actor.user_id, kind))
    if row is None:
        row = NotificationPreference(user_id=actor.user_id, kind=kind, enabled=enabled)
    row.enabled = bool(enabled)
    session.add(row)


def set_preferences(session: Session, actor: Actor, choices: dict[str, bool]) -> list[dict[str, Any]]:
    """Several switches at once (all or nothing: one unknown kind changes none); returns them all as they now are."""
    unknown = [kind for kind in choices if kind not in kinds_for(actor)]
    if unknown:
        raise ValidationFailed({"kind": f"Not a kind of notification you can choose: {unknown[0][:40]}."})
    for kind, enabled in choices.items():
        set_preference(session, actor, kind, enabled)
    session.flush()
    return preferences(session, actor)


def wants(session: Session, user_id: int, kind: str) -> bool:
    row = session.get(NotificationPreference, (user_id, kind))
    return kind not in OFF_BY_DEFAULT if row is None else row.enabled


def if_wanted(session: Session, kind: str, mail: OutgoingMail | None) -> OutgoingMail | None:
    """The mail, or None when its recipient switched this kind off."""
    if mail is None or mail.recipient_id is None:
        return mail
    return mail if wants(session, mail.recipient_id, kind) else None
