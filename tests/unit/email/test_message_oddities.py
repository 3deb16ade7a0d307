"""A corpus of real-world mail oddities: each is read without an exception and gives what a person would expect."""

from __future__ import annotations

import time

import pytest

from helpdesk.email import addresses, content, noise
from helpdesk.email.parsing import parse

UNKNOWN_CHARSET = (b"From: Ana <ana@example.org>\r\nSubject: Caf\xe9 printer\r\nContent-Type: text/plain; "
                   b"charset=x-no-such-charset\r\n\r\nLa imprimadora no funciona \xe9\r\n")
BROKEN_ENCODED_WORD = (b"From: =?utf-8?B?not base64!?= <bo@example.org>\r\nSubject: =?utf-8?Q?Broken=ZZword?=\r\n"
                       b"Message-ID: <a@b>\r\n\r\nbody\r\n")
HTML_ONLY = (b"From: c@example.org\r\nSubject: HTML\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
             b"<html><head><style>p{color:red}</style><script>alert(1)</script></head><body><p>Screen is "
             b"<b>black</b></p><img src=x onerror=alert(2)></body></html>\r\n")
LATIN1_HEADERS = (b"From: =?iso-8859-1?Q?J=F6rg_M=FCller?= <joerg@example.org>\r\n"
                  b"Subject: =?iso-8859-1?Q?Dr=FCcker_kaputt?=\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
                  b"Content-Transfer-Encoding: quoted-printable\r\n\r\nDer Dr=FCcker druckt nicht.\r\n")
NO_FROM_NO_ID = b"Subject: who am I\r\n\r\nno sender at all\r\n"
FORWARDED = (b"From: d@example.org\r\nSubject: Fwd: phishing?\r\nMIME-Version: 1.0\r\n"
             b'Content-Type: multipart/mixed; boundary="x"\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\n'
             b"Is this real?\r\n--x\r\nContent-Type: message/rfc822\r\n\r\nFrom: bank@evil.example\r\n"
             b"Subject: Verify\r\n\r\nClick here\r\n--x--\r\n")
INLINE_IMAGE = (b"From: e@example.org\r\nSubject: screenshot\r\nMIME-Version: 1.0\r\n"
                b'Content-Type: multipart/related; boundary="r"\r\n\r\n--r\r\nContent-Type: text/html\r\n\r\n'
                b'<p>See <img src="cid:img1"></p>\r\n--r\r\nContent-Type: image/png\r\nContent-ID: <img1>\r\n'
                b"Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--r--\r\n")
CRLF_IN_SUBJECT = b"From: f@example.org\r\nSubject: line one\r\n line two\r\n\r\nfolded subject\r\n"


def test_unknown_charsets_and_broken_headers_are_read_not_raised() -> None:
    parsed = parse(UNKNOWN_CHARSET)
    assert parsed.from_address == "ana@example.org" and "imprimadora no funciona" in parsed.text
    broken = parse(BROKEN_ENCODED_WORD)
    assert broken.from_address == "bo@example.org" and broken.subject and broken.message_id == "<a@b>"
    latin = parse(LATIN1_HEADERS)
    assert (latin.from_name, latin.subject) == ("Jörg Müller", "Drücker kaputt")
    assert latin.text == "Der Drücker druckt nicht."


def test_html_mail_becomes_safe_text() -> None:
    text = parse(HTML_ONLY).text
    assert text == "Screen is black"


def test_missing_headers_get_a_digest_key_and_no_sender() -> None:
    parsed = parse(NO_FROM_NO_ID)
    assert parsed.from_address == "" and parsed.dedupe_key.startswith("sha256:")
    assert parse(NO_FROM_NO_ID).dedupe_key == parsed.dedupe_key


def test_forwarded_messages_and_inline_images_are_files() -> None:
    forwarded = parse(FORWARDED)
    assert forwarded.text == "Is this real?"
    assert [(a.filename, a.content_type) for a in forwarded.attachments] == [("forwarded-message.eml",
                                                                              "message/rfc822")]
    inline = parse(INLINE_IMAGE)
    assert [(a.filename, a.inline) for a in inline.attachments] == [("inline.png", True)]


def test_header_values_never_keep_line_breaks() -> None:
    assert parse(CRLF_IN_SUBJECT).subject == "line one line two"


@pytest.mark.parametrize("body, expected", [
    ("Yes.\n\nOn Tue, 3 Mar 2026 at 10:00, IT <it@example.org> wrote:\n> Still broken?", "Yes."),
    ("Done!\n\nBest regards,\nAlice\n\n-----Original Message-----\nFrom: IT\n\nold", "Done!"),
    ("Works now\n\nSent from my iPhone", "Works now"),
    ("Danke!\n\nAm 03.03.2026 um 10:00 schrieb IT <it@example.org>:\n> Geht es?", "Danke!"),
])
def test_quoted_history_and_signatures_are_stripped(body: str, expected: str) -> None:
    assert content.latest_reply(body) == expected


@pytest.mark.parametrize("hostile", [
    "On " * 300_000, ("On x wrote:\n" * 100_000), ("> " * 50_000 + "\n") * 20, "x\n-- \n" * 100_000,
    "a" * 1_000_000,
])
def test_stripping_stays_fast_on_hostile_input(hostile: str) -> None:
    started = time.perf_counter()
    content.latest_reply(hostile)
    assert time.perf_counter() - started < 3.0


def test_reply_tokens_are_bound_to_ticket_and_person() -> None:
    address = addresses.reply_address(42, 7, base="it@example.org")
    assert addresses.find_token([f"IT <{address}>"]) == addresses.ReplyToken(42, 7)
    assert addresses.find_token([address.upper()]) == addresses.ReplyToken(42, 7)  # MTAs may change case
    assert addresses.find_token([address.replace("+r42-7-", "+r43-7-")]) is None
    assert addresses.find_token([address.replace("+r42-7-", "+r42-8-")]) is None
    assert addresses.find_token(["it+r42-7-aaaaaaaaaaaaaaaaaaaa@example.org"]) is None


def test_automatic_mail_is_recognised() -> None:
    def mail(headers: str, subject: str = "hello") -> bytes:
        return f"From: a@example.org\r\nSubject: {subject}\r\n{headers}\r\nbody\r\n".encode()

    assert noise.automatic_reason(parse(mail("Auto-Submitted: auto-replied\r\n")))
    assert not noise.automatic_reason(parse(mail("Auto-Submitted: no\r\n")))
    assert noise.automatic_reason(parse(mail("Precedence: junk\r\n")))
    assert noise.automatic_reason(parse(mail("X-Auto-Response-Suppress: All\r\n", "Automatic reply: hi")))
    assert not noise.automatic_reason(parse(mail("X-Auto-Response-Suppress: All\r\n", "My laptop")))
    assert noise.never_answer(parse(mail("X-Auto-Response-Suppress: All\r\n", "My laptop")))
    assert noise.never_answer(parse(mail("Return-Path: <>\r\n")))
