"""Vision Playground for a team: `streamlit run serve.py` serves streamlit_app.py, refuses to
start unless [auth] can sign people in, and refuses every file download and upload, and the
server's metrics, to a request that does not carry the signed-in cookie of someone on the
allow-list (pages already show nothing before sign-in; this covers the addresses Streamlit
serves beside them).

It listens where it is told (`--server.address`): the image's command says 0.0.0.0; without
it, .streamlit/config.toml keeps it on loopback."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from typing import Any

import streamlit as st
from starlette.middleware import Middleware
from starlette.requests import HTTPConnection
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send
from streamlit import config
from streamlit.auth_util import get_cookie_with_chunks
from streamlit.runtime.secrets import secrets_singleton
from streamlit.web.server.server_util import get_cookie_secret
from streamlit.web.server.starlette.starlette_app_utils import decode_signed_value

from vision.errors import AccessError, SignInSetupError
from vision.team.access import ACCESS_SECTION, AccessPolicy, Person, admit
from vision.team.setup import SERVE_SIGNAL, environment_signals, require_sign_in, secrets_signals

# Where Streamlit serves downloads and media, takes uploads, and tells its sessions and caches.
GUARDED_PREFIXES = ("/media/", "/_stcore/upload_file", "/_stcore/metrics")
REFUSAL = "Sign in to the app first: this address answers only people signed in to it."
_USER_COOKIE = "_streamlit_user"


def _claims(connection: HTTPConnection) -> dict[str, Any] | None:
    secret = get_cookie_secret()

    def one(name: str) -> bytes | None:
        value = connection.cookies.get(name)
        return None if value is None else decode_signed_value(secret, name, value.encode("latin-1"))

    raw = get_cookie_with_chunks(one, _USER_COOKIE)
    if raw is None:
        return None
    try:
        claims = json.loads(raw)
    except ValueError:
        return None
    return claims if isinstance(claims, dict) and claims.get("is_logged_in") else None


def admitted(connection: HTTPConnection) -> bool:
    """True when the request carries a valid sign-in cookie of someone the allow-list admits."""
    claims = _claims(connection)
    if claims is None:
        return False
    section = (
        secrets_singleton.get(ACCESS_SECTION) if secrets_singleton.load_if_toml_exists() else None
    )
    try:
        policy = AccessPolicy.from_section(section if isinstance(section, Mapping) else None)
    except AccessError:
        return False
    return isinstance(admit(claims, policy), Person)


def guarded(path: str) -> bool:
    """True for the addresses only signed-in people may use (under server.baseUrlPath too)."""
    base = str(config.get_option("server.baseUrlPath") or "").strip("/")
    if base and path.startswith(f"/{base}/"):
        path = path[len(base) + 1 :]
    return path.startswith(GUARDED_PREFIXES)


class SignedInFilesOnly:
    """ASGI middleware: file, upload and metrics addresses answer 403 to anyone not admitted."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] == "http" and guarded(path) and not admitted(HTTPConnection(scope)):
            response = PlainTextResponse(REFUSAL, status_code=403)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _refuse_without_sign_in() -> None:
    """Exit with the sentence (status 1) unless [auth] can sign people in: serve.py is the
    team's app, and without sign-in it would serve the team's key to anyone."""
    secrets = secrets_singleton.to_dict() if secrets_singleton.load_if_toml_exists() else {}
    signals = (*secrets_signals(secrets), *environment_signals(os.environ), SERVE_SIGNAL)
    try:
        require_sign_in(secrets, signals)
    except SignInSetupError as err:
        sys.stderr.write(f"{err}\n")
        sys.stderr.flush()
        raise SystemExit(1) from None


_refuse_without_sign_in()
app = st.App("streamlit_app.py", middleware=[Middleware(SignedInFilesOnly)])
