"""A small OpenID Connect provider for tests, built from authlib's server components, speaking real HTTP.

    python -m tests.oidc_provider --port 0 --key key.pem --config provider.json

Endpoints: discovery (`/.well-known/openid-configuration`), `/authorize` (authorization code with PKCE; it
approves the configured test person at once, as a provider would after they signed in), `/token` (client secret
by Basic or POST, code verifier checked) and `/jwks`. ID tokens are RS256, signed with the key in `--key`.

Tests steer it over HTTP: `POST /test/user` sets who signs in next (sub, email, name, groups, email_verified);
`POST /test/redirect-uri` registers another callback address of the client;
`POST /test/next-id-token` makes the next token response carry the given ID token instead of the one it made (a
forged one); `GET /test/requests` lists the token requests it served. It prints `listening on <port>` when ready.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

# authlib refuses plain http unless told; the provider only ever listens on 127.0.0.1 in tests.
os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")

from authlib.oauth2.rfc6749 import (  # noqa: E402
    AuthorizationServer,
    ClientMixin,
    OAuth2Error,
    OAuth2Payload,
    OAuth2Request,
)
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant  # noqa: E402
from authlib.oauth2.rfc6750 import BearerTokenGenerator  # noqa: E402
from authlib.oauth2.rfc7636 import CodeChallenge  # noqa: E402
from authlib.oidc.core import UserInfo  # noqa: E402
from authlib.oidc.core.grants import OpenIDCode  # noqa: E402
from authlib.oidc.core.models import AuthorizationCodeMixin  # noqa: E402
from joserfc.jwk import RSAKey  # noqa: E402

KEY_ID = "test-key-1"


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uris: list[str]

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        return scope

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return client_secret == self.client_secret

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class Code(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    user: dict[str, Any]
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time


class Payload(OAuth2Payload):
    def __init__(self, values: dict[str, str]) -> None:
        self._values = values

    @property
    def data(self) -> dict[str, str]:
        return self._values

    @property
    def datalist(self) -> dict[str, list[str]]:
        return {k: [v] for k, v in self._values.items()}


class Request(OAuth2Request):
    def __init__(self, method: str, uri: str, headers: dict[str, str], query: dict[str, str],
                 form: dict[str, str]) -> None:
        super().__init__(method, uri, headers=headers)
        self._query, self._form = query, form
        self.payload = Payload(query | form)

    @property
    def args(self) -> dict[str, str]:
        return self._query

    @property
    def form(self) -> dict[str, str]:
        return self._form


class Provider:
    """The provider's state: its key, its one client, the person who signs in next, codes in flight."""

    def __init__(self, issuer: str, key_pem: bytes, client: Client, user: dict[str, Any]) -> None:
        self.issuer, self.client, self.user = issuer, client, user
        self.key = RSAKey.import_key(key_pem, {"kid": KEY_ID, "use": "sig", "alg": "RS256"})
        self.codes: dict[str, Code] = {}
        self.next_id_token: str | None = None
        self.token_requests: list[dict[str, str]] = []
        self.lock = threading.Lock()
        self.server = self._authorization_server()

    def _authorization_server(self) -> AuthorizationServer:
        provider = self

        class Server(AuthorizationServer):
            def query_client(self, client_id: str) -> Client | None:
                return provider.client if client_id == provider.client.client_id else None

            def save_token(self, token: dict, request: OAuth2Request) -> None:
                pass

            def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401
                pass

            def create_oauth2_request(self, request: Request) -> Request:
                return request

            def handle_response(self, status: int, body: Any, headers: list) -> tuple:  # noqa: ANN401
                return status, body, headers

        class CodeGrant(AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code: str, request: Request) -> None:
                data = request.payload.data
                with provider.lock:
                    provider.codes[code] = Code(code, request.client.client_id, data.get("redirect_uri", ""),
                                                request.scope or data.get("scope", ""), data.get("nonce"),
                                                data.get("code_challenge"), data.get("code_challenge_method"),
                                                dict(request.user))

            def query_authorization_code(self, code: str, client: Client) -> Code | None:
                found = provider.codes.get(code)
                return found if found and found.client_id == client.client_id else None

            def delete_authorization_code(self, authorization_code: Code) -> None:
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code: Code) -> dict[str, Any]:
                return authorization_code.user

        class OpenID(OpenIDCode):
            def resolve_client_private_key(self, client: Client) -> RSAKey:
                return provider.key

            def get_client_algorithm(self, client: Client) -> str:
                return "RS256"

            def get_encode_header(self, client: Client) -> dict[str, str]:
                return {"alg": "RS256", "kid": KEY_ID}

            def get_client_claims(self, client: Client) -> dict[str, Any]:
                return {"iss": provider.issuer, "aud": client.client_id, "exp": int(time.time()) + 600}

            def exists_nonce(self, nonce: str, request: Request) -> bool:
                return False

            def generate_user_info(self, user: dict[str, Any], scope: str) -> UserInfo:
                return UserInfo(**user)

        server = Server(scopes_supported=["openid", "email", "profile", "groups"])
        server.register_token_generator("default", BearerTokenGenerator(
            lambda **_: base64.urlsafe_b64encode(os.urandom(24)).decode()))
        server.register_grant(CodeGrant, [CodeChallenge(required=True), OpenID(require_nonce=True)])
        return server

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile", "groups"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "email", "email_verified", "name",
                                 "groups"],
        }

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.key.as_dict(private=False)]}

    def authorize(self, request: Request) -> tuple:
        # A real provider would sign the person in and ask for consent here; the test person is approved at once.
        user = dict(self.user)
        try:
            grant = self.server.get_consent_grant(request=request, end_user=user)
        except OAuth2Error as error:
            return error.status_code, dict(error.get_body()), error.get_headers()
        return self.server.create_authorization_response(request, grant_user=user, grant=grant)

    def token(self, request: Request) -> tuple:
        self.token_requests.append({k: v for k, v in request.form.items() if k != "client_secret"})
        status, body, headers = self.server.create_token_response(request)
        with self.lock:
            forged, self.next_id_token = self.next_id_token, None
        if status == 200 and forged is not None:
            body = dict(body, id_token=forged)
        return status, body, headers


def serve(provider: Provider, port: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # noqa: ANN401
            pass

        def _send(self, status: int, body: Any, headers: list | None = None) -> None:  # noqa: ANN401
            as_text = body if isinstance(body, str | bytes) else json.dumps(body)
            raw = as_text if isinstance(as_text, bytes) else as_text.encode()
            self.send_response(status)
            names = {name.lower() for name, _ in headers or []}
            for name, value in headers or []:
                self.send_header(name, value)
            if "content-type" not in names and raw:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def _request(self, form: dict[str, str]) -> Request:
            parts = urlsplit(self.path)
            return Request(self.command, f"{provider.issuer}{self.path}", dict(self.headers.items()),
                           dict(parse_qsl(parts.query)), form)

        def do_GET(self) -> None:  # noqa: N802
            path = urlsplit(self.path).path
            if path == "/.well-known/openid-configuration":
                self._send(200, provider.discovery())
            elif path == "/jwks":
                self._send(200, provider.jwks())
            elif path == "/authorize":
                self._send(*provider.authorize(self._request({})))
            elif path == "/test/requests":
                self._send(200, provider.token_requests)
            else:
                self._send(404, {"error": "not_found"})

        def do_POST(self) -> None:  # noqa: N802
            path = urlsplit(self.path).path
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0)).decode()
            if path == "/token":
                self._send(*provider.token(self._request(dict(parse_qsl(raw)))))
            elif path == "/test/user":
                provider.user = json.loads(raw)
                self._send(204, b"")
            elif path == "/test/redirect-uri":
                provider.client.redirect_uris.append(json.loads(raw)["uri"])
                self._send(204, b"")
            elif path == "/test/next-id-token":
                provider.next_id_token = json.loads(raw)["id_token"]
                self._send(204, b"")
            else:
                self._send(404, {"error": "not_found"})

    httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    return httpd


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--key", required=True, help="RSA private key (PEM) that signs ID tokens")
    parser.add_argument("--config", required=True, help="JSON: client_id, client_secret, redirect_uris, user")
    args = parser.parse_args()
    config = json.loads(open(args.config).read())  # noqa: SIM115, PTH123
    key_pem = open(args.key, "rb").read()  # noqa: SIM115, PTH123
    issuer = f"http://127.0.0.1:{args.port}"
    provider = Provider(issuer, key_pem, Client(config["client_id"], config["client_secret"],
                                                config["redirect_uris"]), config["user"])
    httpd = serve(provider, args.port)
    print(f"listening on {args.port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        httpd.serve_forever()
    sys.exit(0)


if __name__ == "__main__":
    main()
