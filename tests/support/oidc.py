"""A small OpenID Connect provider on loopback for the sign-in tests, written here the way
Streamlit's own end-to-end tests do it: a discovery document, an authorize page where the tester
types who they are, a token endpoint that returns an RS256-signed ID token (its `aud` the client
id, the `nonce` of the authorize request, PKCE checked), the JWKS to verify it, and userinfo.

It signs in whoever is typed: deciding who may enter is the app's job (its allow-list). Like a
real provider it says `email_verified: true` of an address, unless a test makes it vouch for
one less (`email_verified`).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "vision-playground"
TOKEN_LIFETIME_S = 3600


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    nonce: str | None
    email: str
    code_challenge: str | None


@dataclass
class OIDCProvider:
    """The provider: start() serves it on a free 127.0.0.1 port; stop() ends it."""

    client_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24), repr=False)
    # Who the provider knows, by e-mail: their stable subject and name. Others get a subject
    # made from their address.
    people: dict[str, tuple[str, str]] = field(default_factory=dict)
    # What the ID token says in email_verified for these addresses (others: true); None leaves
    # the claim out, as Microsoft Entra ID does.
    email_verified: dict[str, object] = field(default_factory=dict)
    sign_ins: list[str] = field(default_factory=list)
    _grants: dict[str, _Grant] = field(default_factory=dict, repr=False)
    _key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, private=True))
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def issuer(self) -> str:
        assert self._server is not None, "start() the provider first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def subject(self, email: str) -> str:
        known = self.people.get(email.lower())
        return (
            known[0] if known else "sub-" + hashlib.sha256(email.lower().encode()).hexdigest()[:16]
        )

    def start(self) -> OIDCProvider:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                provider._get(self)

            def do_POST(self) -> None:
                provider._post(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> OIDCProvider:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # The endpoints.

    def _metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
        }

    def _get(self, request: BaseHTTPRequestHandler) -> None:
        url = urlsplit(request.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        if url.path == "/.well-known/openid-configuration":
            _json(request, 200, self._metadata())
        elif url.path == "/jwks":
            _json(request, 200, {"keys": [self._public_jwk()]})
        elif url.path == "/authorize":
            self._authorize_page(request, query)
        else:
            _json(request, 404, {"error": "not_found"})

    def _post(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(request.rfile.read(length).decode()).items()}
        path = urlsplit(request.path).path
        if path == "/authorize":
            self._authorize(request, form)
        elif path == "/token":
            self._token(request, form)
        else:
            _json(request, 404, {"error": "not_found"})

    def _public_jwk(self) -> dict[str, Any]:
        public = self._key.as_dict(private=False)
        return {**public, "kid": "test-key", "use": "sig", "alg": "RS256"}

    def _authorize_page(self, request: BaseHTTPRequestHandler, query: dict[str, str]) -> None:
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
            _json(request, 400, {"error": "invalid_request"})
            return
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in query.items()
        )
        page = (
            "<!doctype html><title>Test provider</title><h1>Test provider</h1>"
            f'<form method="post" action="/authorize">{hidden}'
            '<label>E-mail <input name="login" type="email" required></label>'
            "<button>Continue</button></form>"
        )
        body = page.encode()
        request.send_response(200)
        request.send_header("Content-Type", "text/html; charset=utf-8")
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    def _authorize(self, request: BaseHTTPRequestHandler, form: dict[str, str]) -> None:
        code = secrets.token_urlsafe(16)
        self._grants[code] = _Grant(
            client_id=form.get("client_id", ""),
            redirect_uri=form.get("redirect_uri", ""),
            nonce=form.get("nonce"),
            email=form.get("login", ""),
            code_challenge=form.get("code_challenge"),
        )
        target = form["redirect_uri"] + "?" + urlencode({"code": code, "state": form["state"]})
        request.send_response(302)
        request.send_header("Location", target)
        request.send_header("Content-Length", "0")
        request.end_headers()

    def _client_ok(self, request: BaseHTTPRequestHandler, form: dict[str, str]) -> bool:
        basic = request.headers.get("Authorization", "")
        if basic.startswith("Basic "):
            client, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
        else:
            client, secret = form.get("client_id", ""), form.get("client_secret", "")
        return client == CLIENT_ID and secrets.compare_digest(secret, self.client_secret)

    def _token(self, request: BaseHTTPRequestHandler, form: dict[str, str]) -> None:
        grant = self._grants.pop(form.get("code", ""), None)
        if not self._client_ok(request, form):
            _json(request, 401, {"error": "invalid_client"})
            return
        if grant is None or grant.redirect_uri != form.get("redirect_uri"):
            _json(request, 400, {"error": "invalid_grant"})
            return
        if grant.code_challenge is not None:
            verifier = form.get("code_verifier", "")
            digest = hashlib.sha256(verifier.encode()).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant.code_challenge:
                _json(request, 400, {"error": "invalid_grant"})
                return
        email = grant.email
        now = int(time.time())
        known = self.people.get(email.lower())
        claims = {
            "iss": self.issuer,
            "sub": self.subject(email),
            "aud": grant.client_id,
            "iat": now,
            "exp": now + TOKEN_LIFETIME_S,
            "email": email,
            "email_verified": self.email_verified.get(email.lower(), True),
            "name": known[1] if known else email.split("@")[0].title(),
        }
        if claims["email_verified"] is None:
            del claims["email_verified"]
        if grant.nonce:
            claims["nonce"] = grant.nonce
        id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, self._key)
        self.sign_ins.append(email)
        _json(
            request,
            200,
            {
                "access_token": secrets.token_urlsafe(16),
                "token_type": "Bearer",
                "expires_in": TOKEN_LIFETIME_S,
                "id_token": id_token,
            },
        )


def _json(request: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    request.send_response(status)
    request.send_header("Content-Type", "application/json")
    request.send_header("Cache-Control", "no-store")
    request.send_header("Content-Length", str(len(data)))
    request.end_headers()
    request.wfile.write(data)
