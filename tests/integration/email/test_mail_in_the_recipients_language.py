"""E-mails speak the recipient's language (issue #18): an Urdu requester's acknowledgement, reply notice and rating
request arrive in Urdu, right to left; an English requester's stay English."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.header import decode_header, make_header

from helpdesk.core import mailer
from helpdesk.core.db import session_scope
from helpdesk.identity import preferences
from helpdesk.tickets import conversation, tickets
from helpdesk.tickets.validation import CommentDraft, TicketChanges
from tests.factories import Org, draft
from tests.processes import mail_text


def subject(message) -> str:  # noqa: ANN001
    """The subject as the reader sees it: non-ASCII subjects travel as RFC 2047 encoded words, folded over lines."""
    return str(make_header(decode_header(message["Subject"] or "")))


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
    ack = inbox.wait_for(lambda m: f"[#{number}]" in subject(m) and "alice" in m["To"])
    assert subject(ack) == f"[#{number}] ہمیں آپ کی درخواست موصول ہو گئی: پرنٹر کام نہیں کر رہا"
    text = mail_text(ack)
    assert "السلام علیکم Alice Requester،" in text
    assert "ہمیں آپ کی درخواست موصول ہو گئی ہے اور اب یہ ہماری قطار میں ہے۔" in text
    assert '<html lang="ur" dir="rtl">' in html_part(ack)

    with session_scope() as session:
        conversation.add_comment(session, org.actor(org.hank), ticket_id,
                                 CommentDraft(body="Which printer is it?", internal=False))
    reply = inbox.wait_for(lambda m: subject(m).startswith(f"Re: [#{number}]") and "alice" in m["To"])
    assert "Hank Hardware (IT) نے ٹکٹ" in mail_text(reply) and "Which printer is it?" in mail_text(reply)

    with session_scope() as session:
        tickets.update_ticket(session, org.actor(org.hank), ticket_id,
                              TicketChanges(assignee_id=org.hank, status="resolved"))
    rating = inbox.wait_for(lambda m: subject(m).startswith(f"[#{number}] حل ہو گیا"))
    assert "ہماری کارکردگی کیسی رہی؟" in mail_text(rating)


def test_an_english_requester_keeps_english_mail(org: Org, celery_worker, inbox) -> None:  # noqa: ANN001
    with session_scope() as session:
        number = tickets.create_ticket(session, org.actor(org.bob), draft(category_id=org.laptops)).number
    ack = inbox.wait_for(lambda m: f"[#{number}]" in m["Subject"] and "bob" in m["To"])
    assert "We received your request" in ack["Subject"]
    assert "Hello Bob Requester," in mail_text(ack) and '<html lang="en" dir="ltr">' in html_part(ack)


def test_a_long_urdu_subject_keeps_every_space_through_smtp(inbox) -> None:  # noqa: ANN001
    """Regression: a subject long enough to fold over several lines lost the space at each fold ("نہیںکر")."""
    title = ("دفتر کی دوسری منزل پر پرنٹر کام نہیں کر رہا اور وائی فائی بھی بار بار بند ہو جاتا ہے، "
             "براہ کرم جلد از جلد کسی کو بھیجیں")
    original = f"[#1042] ہمیں آپ کی درخواست موصول ہو گئی: {title}"
    mailer.send(mailer.OutgoingMail(["alice@example.org"], original, "متن"), message_id_seed="long-urdu-subject")
    received = inbox.wait_for(lambda m: "alice@example.org" in m["To"])
    assert len(str(received["Subject"]).splitlines()) > 2  # it did fold, where the space used to go missing
    assert subject(received) == original
    # A mail client reading it with the modern parser sees the same.
    assert str(message_from_bytes(received.as_bytes(), policy=policy.default)["Subject"]) == original


def test_an_urdu_agent_gets_urdu_work_mail(org: Org, celery_worker, inbox) -> None:  # noqa: ANN001
    """Agent e-mails (assigned to you) speak the agent's language too, subject and body; the requester's words and
    the ticket's title stay as they were written."""
    with session_scope() as session:
        preferences.set_language(session, org.actor(org.hank), "ur")
    with session_scope() as session:
        ticket = tickets.create_ticket(session, org.actor(org.alice), draft(title="Dock does not charge the laptop",
                                                                           category_id=org.laptops))
        number = ticket.number
        tickets.update_ticket(session, org.actor(org.root), ticket.id, TicketChanges(assignee_id=org.hank))
    mail = inbox.wait_for(lambda m: "hank@example.org" in m["To"] and f"[#{number}]" in subject(m))
    assert subject(mail) == f"[#{number}] یہ ٹکٹ اب آپ کو تفویض کر دیا گیا ہے: Dock does not charge the laptop"
    text = mail_text(mail)
    assert "السلام علیکم Hank Hardware،" in text and "ترجیح: " in text and "درخواست گزار: Alice Requester" in text
    assert "یہ آپ کو اپنی اطلاعات کی ترتیبات کی وجہ سے مل رہا ہے" in text
    assert '<html lang="ur" dir="rtl">' in html_part(mail)
