"""The test identity provider (tests/oidc_provider.py) as a process, and what tests need around it: its settings
for the app, who signs in next, and ID tokens forged with its own key or another."""

from __future__ import annotations

import json
import secrets
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jwt
from joserfc.jwk import RSAKey

from helpdesk.runtime.embedded import free_port
from tests.oidc_provider import KEY_ID
from tests.processes import http_ok, running

CLIENT_ID = "helpdesk-test"
PROVIDER_NAME = "Test IdP"
# What the groups claim means to the app under test (tests/factories.py has teams Hardware and Access).
ROLE_MAP = {"it-agents": "agent", "it-managers": "manager", "it-admins": "admin"}
TEAM_MAP = {"it-hardware": "Hardware", "it-access": "Access"}


def new_rsa_pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


@dataclass
class TestProvider:
    __test__ = False  # not a test class, whatever its name

    issuer: str
    client_secret: str
    key_pem: bytes
    config_path: Path

    def app_env(self) -> dict[str, str]:
        """The OIDC_* settings that point the app at this provider."""
        return {
            "OIDC_ISSUER": self.issuer,
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": self.client_secret,
            "OIDC_SCOPES": "openid email profile groups",
            "OIDC_PROVIDER_NAME": PROVIDER_NAME,
            "OIDC_ROLE_MAP": json.dumps(ROLE_MAP),
            "OIDC_TEAM_MAP": json.dumps(TEAM_MAP),
        }

    def _post(self, path: str, body: dict[str, Any]) -> None:
        request = urllib.request.Request(self.issuer + path, data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=5):
            pass

    def sign_in_next(self, sub: str, email: str, name: str, groups: list[str] | None = None, *,
                     email_verified: bool = True) -> None:
        """Who the provider approves from now on (as if they had signed in there)."""
        user = {"sub": sub, "email": email, "name": name, "email_verified": email_verified}
        if groups is not None:
            user["groups"] = groups
        self._post("/test/user", user)

    def allow_redirect_uri(self, uri: str) -> None:
        """Registers another callback address of the client (each web server under test has its own port)."""
        self._post("/test/redirect-uri", {"uri": uri})

    def answer_next_with(self, id_token: str) -> None:
        """The next token response carries this ID token instead of the provider's own."""
        self._post("/test/next-id-token", {"id_token": id_token})

    def forge(self, claims: dict[str, Any], *, key_pem: bytes | None = None) -> str:
        """An RS256 ID token over `claims` (defaults filled in), signed with the provider's key unless told."""
        now = int(time.time())
        full = {"iss": self.issuer, "aud": CLIENT_ID, "sub": "forged-subject", "iat": now, "exp": now + 300,
                "email": "mallory@example.org", "email_verified": True, "name": "Mallory"} | claims
        key = RSAKey.import_key(key_pem or self.key_pem, {"kid": KEY_ID})
        return jwt.encode({"alg": "RS256", "kid": KEY_ID}, full, key)


@contextmanager
def test_provider(folder: Path, redirect_uris: list[str]) -> Iterator[TestProvider]:
    """The provider process on a free port, trusting `redirect_uris`; stopped on exit."""
    port = free_port(9400)
    key_path, config_path = folder / "idp-key.pem", folder / "idp.json"
    key_pem = new_rsa_pem()
    key_path.write_bytes(key_pem)
    secret = secrets.token_urlsafe(24)
    config_path.write_text(json.dumps({
        "client_id": CLIENT_ID, "client_secret": secret, "redirect_uris": redirect_uris,
        "user": {"sub": "nobody", "email": "nobody@example.org", "name": "Nobody", "email_verified": True},
    }))
    issuer = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "tests.oidc_provider", "--port", str(port), "--key", str(key_path),
               "--config", str(config_path)]
    with running(command, {}, folder / "idp.log",
                 lambda: http_ok(issuer + "/.well-known/openid-configuration"), timeout=30):
        yield TestProvider(issuer, secret, key_pem, config_path)
