"""The client's address (and whether it came over HTTPS) behind trusted reverse proxies (setting TRUSTED_PROXIES).

X-Forwarded-For is believed only when the direct peer is a trusted proxy, and then read from the right: each
trusted proxy appended the address it received from, so the first address from the right that is not a trusted
proxy is the client. A client cannot forge its way past this: whatever it writes into the header stands left of
the addresses our proxies append.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from helpdesk.core.settings import get_settings


@lru_cache(maxsize=8)
def _networks(configured: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in configured if item.strip())


def _trusted(address: str, networks: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(peer: str, forwarded_for: str | None) -> str:
    networks = _networks(tuple(get_settings().trusted_proxies))
    if not networks or not forwarded_for or not _trusted(peer, networks):
        return peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # garbage in the header: fall back to what we know
    return peer


def served_over_https(scheme: str, peer: str, forwarded_proto: str | None) -> bool:
    """Whether the browser reached us over HTTPS: PUBLIC_URL says so, the connection itself is TLS, or a trusted
    proxy (TRUSTED_PROXIES) says so in X-Forwarded-Proto. A client's own X-Forwarded-Proto counts for nothing.

    Decides the cookies' Secure flag and whether answers carry Strict-Transport-Security.
    """
    if get_settings().public_url.lower().startswith("https://") or scheme in ("https", "wss"):
        return True
    networks = _networks(tuple(get_settings().trusted_proxies))
    if not forwarded_proto or not networks or not _trusted(peer, networks):
        return False
    # Each proxy appends what it saw: the last value is what the proxy next to us received.
    return forwarded_proto.split(",")[-1].strip().lower() == "https"
