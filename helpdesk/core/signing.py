"""Short signed tokens (HMAC-SHA256 under SECRET_KEY) for links and reply addresses that act for someone.

Each token is bound to a purpose and to the values it vouches for, so a token for one ticket or person is worthless
for another. The signature is base32 in lower case: e-mail local parts are often lower-cased on the way, and
base32 survives that (base64 would not).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from helpdesk.core.settings import get_settings

SIGNATURE_CHARS = 20  # 100 bits: far beyond guessing, short enough for a 64-character local part


def sign(purpose: str, *values: object) -> str:
    message = "\x1f".join([purpose, *(str(v) for v in values)]).encode()
    digest = hmac.new(get_settings().secret_key.encode(), message, hashlib.sha256).digest()
    return base64.b32encode(digest).decode().rstrip("=").lower()[:SIGNATURE_CHARS]


def verify(signature: str, purpose: str, *values: object) -> bool:
    return hmac.compare_digest(signature.lower().encode(), sign(purpose, *values).encode())
