"""Vision Playground for a team: `streamlit run serve.py` serves streamlit_app.py and, when
[auth] is configured, refuses every file download and upload to a request that does not carry
the signed-in cookie of someone on the allow-list (pages already show nothing before sign-in;
this covers the file addresses Streamlit serves beside them)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import streamlit as st
from starlette.middleware import Middleware
from starlette.requests import HTTPConnection
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send
from streamlit.auth_util import get_cookie_with_chunks, get_secrets_auth_section
from streamlit.runtime.secrets import secrets_singleton
from streamlit.web.server.server_util import get_cookie_secret
from streamlit.web.server.starlette.starlette_app_utils import decode_signed_value

from vision.team.access import ACCESS_SECTION, AccessError, AccessPolicy, Person, admit

# Where Streamlit serves downloads and media, and takes uploads.
GUARDED_PREFIXES = ("/media/", "/_stcore/upload_file")
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


class SignedInFilesOnly:
    """ASGI middleware: with [auth] configured, file addresses answer 403 to anyone else."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if (
            scope["type"] == "http"
            and path.startswith(GUARDED_PREFIXES)
            and get_secrets_auth_section()
            and not admitted(HTTPConnection(scope))
        ):
            response = PlainTextResponse("Sign in to download this file.", status_code=403)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


app = st.App("streamlit_app.py", middleware=[Middleware(SignedInFilesOnly)])
