"""Tags: the IT team's own labels on tickets ("vpn", "printer-jam"), to find and group tickets in the queue.

Names are normalised once (validation.tag_name), so every spelling of a tag is one row. Agents working a ticket add
and remove its tags; every IT person may read them and ask for suggestions; requesters never see them. Each change
is in the ticket's history and the audit log, and is announced like any other change to the ticket, so every open
queue shows it at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, select

from helpdesk.core import audit, bounds
from helpdesk.core.errors import PermissionDenied, ValidationFailed
from helpdesk.core.i18n import NF_
from helpdesk.identity import policy
from helpdesk.identity.actor import Actor
from helpdesk.models import Tag, Ticket, TicketEvent, TicketTag
from helpdesk.models.base import utcnow
from helpdesk.tickets import tickets
from helpdesk.tickets.validation import MAX_TAGS_PER_TICKET, tag_name

MAX_SUGGESTIONS = 50


def _normalised(names: list[str]) -> list[str]:
    clean: list[str] = []
    for raw in names:
        try:
            name = tag_name(raw)
        except ValueError as exc:
            # The validator's own sentence stays a Message when it is one, so it is translated with the rest.
            problem = exc.args[0] if exc.args else str(exc)
            raise ValidationFailed({"tags": NF_("“{tag}”: {problem}", tag=str(raw)[:40], problem=problem)}) from None
        if name not in clean:
            clean.append(name)
    return clean


def _ticket_to_tag(session: Session, actor: Actor, ticket_id: int) -> Ticket:
    ticket = tickets.get_for(session, actor, ticket_id, lock=True)
    if not tickets.can_work(actor, ticket):
        raise PermissionDenied("Only agents working this ticket can change its tags.")
    return ticket


def _tag_ids(session: Session, actor: Actor, names: list[str]) -> dict[str, int]:
    """The ids of these tags, creating the ones nobody used before (two agents creating one at once is fine)."""
    session.execute(insert(Tag).values([{"name": n, "created_by_id": actor.user_id, "created_at": utcnow()}
                                        for n in names]).on_conflict_do_nothing(index_elements=["name"]))
    return dict(session.exec(select(Tag.name, Tag.id).where(Tag.name.in_(names))).all())


def _announce(session: Session, actor: Actor, ticket: Ticket, kind: str, names: list[str], now: datetime) -> None:
    for name in names:
        session.add(TicketEvent(ticket_id=ticket.id, actor_id=actor.user_id, kind=kind, field="tags",
                                new_value=name if kind == "tag_added" else None,
                                old_value=name if kind == "tag_removed" else None, created_at=now))
    ticket.updated_at = now
    session.add(ticket)
    audit.record(session, "ticket.tags_add" if kind == "tag_added" else "ticket.tags_remove",
                 actor_id=actor.user_id, entity_type="ticket", entity_id=str(ticket.id), details={"tags": names})
    tickets.mark_changed(session, ticket, "tags")


def add_tags(session: Session, actor: Actor, ticket_id: int, names: list[str], *,
             now: datetime | None = None) -> list[str]:
    """Adds the tags the ticket lacks; returns the ones that were new on it (empty: it had them all)."""
    clean = _normalised(names)
    if not clean:
        raise ValidationFailed({"tags": "Write a tag first."})
    ticket = _ticket_to_tag(session, actor, ticket_id)
    current = set(tickets.tag_names(session, ticket.id))
    new = [n for n in clean if n not in current]
    if not new:
        return []
    if len(current) + len(new) > MAX_TAGS_PER_TICKET:
        raise ValidationFailed({"tags": NF_("A ticket has at most {count} tags.", count=MAX_TAGS_PER_TICKET)})
    now = now or utcnow()
    ids = _tag_ids(session, actor, new)
    session.execute(insert(TicketTag).values([{"ticket_id": ticket.id, "tag_id": ids[n], "added_by_id": actor.user_id,
                                               "created_at": now} for n in new]).on_conflict_do_nothing())
    _announce(session, actor, ticket, "tag_added", new, now)
    return new


def remove_tags(session: Session, actor: Actor, ticket_id: int, names: list[str], *,
                now: datetime | None = None) -> list[str]:
    """Removes these tags from the ticket; returns the ones it had (empty: none of them was on it)."""
    clean = _normalised(names)
    ticket = _ticket_to_tag(session, actor, ticket_id)
    rows = session.exec(select(TicketTag, Tag.name).join(Tag, Tag.id == TicketTag.tag_id)
                        .where(TicketTag.ticket_id == ticket.id, Tag.name.in_(clean))).all()
    if not rows:
        return []
    for link, _name in rows:
        session.delete(link)
    removed = sorted(name for _link, name in rows)
    _announce(session, actor, ticket, "tag_removed", removed, now or utcnow())
    return removed


def list_for_ticket(session: Session, actor: Actor, ticket_id: int) -> list[str]:
    ticket = tickets.get_for(session, actor, ticket_id)
    if not tickets.sees_internal_notes(actor, ticket):
        raise PermissionDenied("Only the IT team can see a ticket's tags.")
    return tickets.tag_names(session, ticket.id)


def suggest(session: Session, actor: Actor, prefix: str = "", *, limit: int = 20) -> list[dict[str, Any]]:
    """Tags in use, the most used first, optionally those starting with (or containing) `prefix`."""
    if not policy.is_it_staff(actor):
        raise PermissionDenied("Only the IT team uses tags.")
    limit = max(1, min(limit, MAX_SUGGESTIONS))
    uses = func.count(TicketTag.ticket_id)
    query = (select(Tag.name, uses.label("uses")).join(TicketTag, TicketTag.tag_id == Tag.id, isouter=True)
             .group_by(Tag.id, Tag.name))
    text = "-".join(bounds.searchable(prefix).strip().lower().split())[:40]
    if text:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Tag.name.ilike(f"%{escaped}%"))
        # Tags that start with what was typed come before those that merely contain it.
        query = query.order_by(Tag.name.ilike(f"{escaped}%").desc(), uses.desc(), Tag.name)
    else:
        query = query.having(uses > 0).order_by(uses.desc(), Tag.name)
    return [{"name": name, "uses": count} for name, count in session.exec(query.limit(limit)).all()]


def bulk_add(session: Session, actor: Actor, ticket_ids: list[int], names: list[str]) -> tickets.BulkResult:
    """Adds the tags to each ticket under the rules of `add_tags` (see tickets.run_bulk)."""
    clean = _normalised(names)
    if not clean:
        raise ValidationFailed({"tags": "Write a tag first."})
    now = utcnow()
    return tickets.run_bulk(session, actor, ticket_ids, lambda ticket_id: bool(add_tags(session, actor, ticket_id,
                                                                                          clean, now=now)),
                            action="ticket.bulk_tags_add", details={"tags": clean})
