"""Signed per-ticket, per-person reply addresses: `helpdesk+r<ticket>-<person>-<signature>@example.org`.

Every notification we send puts such an address in Reply-To. A reply that comes back to it proves the sender
received that e-mail as that person about that ticket: the only way a message may act as a staff member.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import getaddresses, parseaddr

from helpdesk.core import signing
from helpdesk.core.settings import get_settings

PURPOSE = "reply"
_TOKEN = re.compile(r"\+r(\d{1,18})-(\d{1,12})-([a-z2-7]{" + str(signing.SIGNATURE_CHARS) + "})@", re.IGNORECASE)


@dataclass(frozen=True)
class ReplyToken:
    ticket_id: int
    user_id: int


def reply_address(ticket_id: int, user_id: int, base: str | None = None) -> str:
    """The plus-address of `base` (default: MAIL_FROM's address) that lets `user_id` answer on `ticket_id`."""
    address = parseaddr(base or get_settings().mail_from)[1] or "helpdesk@localhost"
    local, _, domain = address.partition("@")
    local = local.split("+", 1)[0]
    return f"{local}+r{ticket_id}-{user_id}-{signing.sign(PURPOSE, ticket_id, user_id)}@{domain}"


def find_token(header_values: list[str]) -> ReplyToken | None:
    """The first correctly signed reply token among the recipients; forged or altered ones are ignored."""
    for _name, address in getaddresses(header_values):
        match = _TOKEN.search(address)
        if match and signing.verify(match.group(3), PURPOSE, int(match.group(1)), int(match.group(2))):
            return ReplyToken(int(match.group(1)), int(match.group(2)))
    return None
