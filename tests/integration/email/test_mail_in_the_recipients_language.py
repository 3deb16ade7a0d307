"""E-mails speak the recipient's language (issue #18): an Urdu requester's acknowledgement, reply notice and rating
request arrive in Urdu, right to left; an English requester's stay English."""

from __future__ import annotations

from email.header import decode_header, make_header

from helpdesk.core.db import session_scope
from helpdesk.identity import preferences
from helpdesk.tickets import conversation, tickets
from helpdesk.tickets.validation import CommentDraft, TicketChanges
from tests.factories import Org, draft
from tests.processes import mail_text


def subject(message) -> str:  # noqa: ANN001
    """The subject as the reader sees it (non-ASCII subjects travel as RFC 2047 encoded words), without its
    spaces: Python 3.11's header folding puts the space at a fold between two encoded words, where RFC 2047 says
    to drop it, so one space per fold goes missing on the way (a known CPython folding bug, not ours to test)."""
    return "".join(str(make_header(decode_header(message["Subject"] or ""))).split())


def unspaced(text: str) -> str:
    return "".join(text.split())


def html_part(message) -> str:  # noqa: ANN001
    part = next(p for p in message.walk() if p.get_content_type() == "text/html")
    return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")


def test_an_urdu_requester_gets_urdu_mail(org: Org, celery_worker, inbox) -> None:  # noqa: ANN001
    with session_scope() as session:
        preferences.set_language(session, org.actor(org.alice), "ur")
    with session_scope() as session:
        ticket = tickets.create_ticket(session, org.actor(org.alice), draft(title="پرنٹر کام نہیں کر رہا",
                                                                           category_id=org.laptops))
        ticket_id, number = ticket.id, ticket.number
    ack = inbox.wait_for(lambda m: f"[#{number}]" in m["Subject"] and "alice" in m["To"])
    assert subject(ack) == unspaced(f"[#{number}] ہمیں آپ کی درخواست موصول ہو گئی: پرنٹر کام نہیں کر رہا")
    text = mail_text(ack)
    assert "السلام علیکم Alice Requester،" in text
    assert "ہمیں آپ کی درخواست موصول ہو گئی ہے اور اب یہ ہماری قطار میں ہے۔" in text
    assert '<html lang="ur" dir="rtl">' in html_part(ack)

    with session_scope() as session:
        conversation.add_comment(session, org.actor(org.hank), ticket_id,
                                 CommentDraft(body="Which printer is it?", internal=False))
    reply = inbox.wait_for(lambda m: subject(m).startswith(f"Re:[#{number}]") and "alice" in m["To"])
    assert "Hank Hardware (IT) نے ٹکٹ" in mail_text(reply) and "Which printer is it?" in mail_text(reply)

    with session_scope() as session:
        tickets.update_ticket(session, org.actor(org.hank), ticket_id,
                              TicketChanges(assignee_id=org.hank, status="resolved"))
    rating = inbox.wait_for(lambda m: subject(m).startswith(unspaced(f"[#{number}] حل ہو گیا")))
    assert "ہماری کارکردگی کیسی رہی؟" in mail_text(rating)


def test_an_english_requester_keeps_english_mail(org: Org, celery_worker, inbox) -> None:  # noqa: ANN001
    with session_scope() as session:
        number = tickets.create_ticket(session, org.actor(org.bob), draft(category_id=org.laptops)).number
    ack = inbox.wait_for(lambda m: f"[#{number}]" in m["Subject"] and "bob" in m["To"])
    assert "We received your request" in ack["Subject"]
    assert "Hello Bob Requester," in mail_text(ack) and '<html lang="en" dir="ltr">' in html_part(ack)
