"""Who a message may act as.

A staff member: only with a correctly signed reply token for that person and that ticket (addresses.py); a From
header alone never makes a message an agent's. A requester: when the From address is vouched for by our own MTA's
Authentication-Results (RFC 8601, read with `authres`) under the configured policy, or with their reply token.
Authentication-Results written by anyone else are ignored: a sender can put any header in their message.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import authres

from helpdesk.core.settings import get_settings
from helpdesk.email.parsing import ParsedMessage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SenderCheck:
    verified: bool
    how: str  # "dmarc", "dkim", "spf", "policy off", or why not


def _aligned(domain: str, from_domain: str) -> bool:
    """Relaxed alignment (RFC 7489): the same organisational domain, approximated as equal or a subdomain."""
    domain, from_domain = domain.lower().strip("."), from_domain.lower().strip(".")
    return bool(domain) and (domain == from_domain or domain.endswith("." + from_domain)
                             or from_domain.endswith("." + domain))


def _trusted_results(parsed: ParsedMessage) -> list[authres.core.AuthenticationResult]:
    trusted_ids = {i.lower() for i in get_settings().email_trusted_authserv_ids}
    results = []
    for value in parsed.all_headers("Authentication-Results"):
        try:
            header = authres.AuthenticationResultsHeader.parse(f"Authentication-Results: {value}")
        except Exception:  # noqa: BLE001 - authres raises its own SyntaxError on malformed headers
            log.info("unreadable Authentication-Results header ignored: %.200s", value)
            continue
        if str(header.authserv_id).lower() in trusted_ids:
            results.extend(header.results)
    return results


def _property(result: authres.core.AuthenticationResult, kind: str, name: str) -> str:
    for prop in result.properties:
        if prop.type == kind and prop.name == name:
            return str(prop.value or "")
    return ""


def check_from(parsed: ParsedMessage) -> SenderCheck:
    settings = get_settings()
    if settings.email_sender_verification == "off":
        return SenderCheck(True, "policy off")
    if not parsed.from_address:
        return SenderCheck(False, "no From address")
    from_domain = parsed.from_address.rsplit("@", 1)[1]
    results = _trusted_results(parsed)
    if not results:
        return SenderCheck(False, "no Authentication-Results from our mail server")
    for result in results:
        if result.method == "dmarc" and result.result == "pass" and _aligned(
                _property(result, "header", "from") or from_domain, from_domain):
            return SenderCheck(True, "dmarc")
    if settings.email_sender_verification == "aligned":
        for result in results:
            if result.method == "dkim" and result.result == "pass" and _aligned(
                    _property(result, "header", "d"), from_domain):
                return SenderCheck(True, "dkim")
            if result.method == "spf" and result.result == "pass" and _aligned(
                    _property(result, "smtp", "mailfrom").rpartition("@")[2], from_domain):
                return SenderCheck(True, "spf")
    return SenderCheck(False, "the sender's domain did not authenticate the From address")
