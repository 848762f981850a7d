"""Whether a team's sign-in is set up: what says the app serves a team, and what Streamlit's
`[auth]` needs before anyone can sign in. A team app without a sound `[auth]` would run as the
single-user app on the team's key (everyone the admin `local`, one shared history), so it is
refused with one sentence instead."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from vision.errors import HistoryError, SignInSetupError
from vision.history.config import DATABASE_URL_ENV, QUEUE_ENV, database_url

AUTH_SECTION = "auth"
# What st.login() with the default provider reads (Streamlit 1.67, auth_util.validate_auth_
# credentials); the last three may also sit in [auth.default].
AUTH_KEYS = ("redirect_uri", "cookie_secret")
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
# The cookie secret signs the sign-in cookie: a short or example one lets anyone forge it.
MIN_COOKIE_SECRET_LENGTH = 32
SERVE_SIGNAL = "it is started as serve.py"
_TEAM_SECTIONS = (AUTH_SECTION, "access")


def secrets_signals(secrets: Mapping[str, Any]) -> tuple[str, ...]:
    """What in secrets.toml says the app serves a team: [access], or [auth] in any spelling."""
    return tuple(
        f"[{name}] is in secrets.toml"
        for name in secrets
        if isinstance(name, str) and name.strip().lower() in _TEAM_SECTIONS
    )


def environment_signals(environ: Mapping[str, str]) -> tuple[str, ...]:
    """What in the environment says the app serves a team: a PostgreSQL history, or the queue."""
    signals: list[str] = []
    if environ.get(DATABASE_URL_ENV, "").strip():
        try:
            on_postgres = database_url(environ[DATABASE_URL_ENV]).get_backend_name() == "postgresql"
        except HistoryError:
            on_postgres = False  # the store says what is wrong with it when it opens
        if on_postgres:
            signals.append(f"{DATABASE_URL_ENV} names PostgreSQL")
    queue = environ.get(QUEUE_ENV, "").strip()
    if queue and queue != "0":
        signals.append(f"{QUEUE_ENV} is {queue}")
    return tuple(signals)


def _filled(section: Mapping[str, Any], key: str) -> bool:
    value = section.get(key)
    return isinstance(value, str) and bool(value.strip())


def auth_problem(secrets: Mapping[str, Any]) -> str | None:
    """What keeps [auth] from signing anyone in, as a clause; None when it is complete."""
    auth = secrets.get(AUTH_SECTION)
    if auth is None:
        misspelt = [
            name
            for name in secrets
            if isinstance(name, str)
            and name != AUTH_SECTION
            and name.strip().lower() == AUTH_SECTION
        ]
        if misspelt:
            return f"secrets.toml has [{misspelt[0]}] but no [auth] (section names are lower-case)"
        return "secrets.toml has no [auth] section"
    if not isinstance(auth, Mapping):
        return "[auth] in secrets.toml is a value, not a section"
    default = auth.get("default")
    provider = default if isinstance(default, Mapping) else auth
    missing = [key for key in AUTH_KEYS if not _filled(auth, key)]
    missing += [key for key in PROVIDER_KEYS if not _filled(provider, key)]
    if missing:
        return f"[auth] is missing {_listed(missing, 'and')}"
    if len(str(auth["cookie_secret"]).strip()) < MIN_COOKIE_SECRET_LENGTH:
        return (
            f"[auth] cookie_secret is shorter than {MIN_COOKIE_SECRET_LENGTH} characters, so "
            'anyone could forge a sign-in (make one with python3 -c "import secrets; '
            'print(secrets.token_urlsafe(32))")'
        )
    return None


def _listed(names: Sequence[str], conjunction: str = "or") -> str:
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + f" {conjunction} {names[-1]}"


def require_sign_in(secrets: Mapping[str, Any], signals: Sequence[str]) -> None:
    """Raise SignInSetupError when any signal says "team" and [auth] is not complete."""
    if not signals:
        return
    problem = auth_problem(secrets)
    if problem is None:
        return
    reasons = _listed(list(dict.fromkeys(signals)), "and")
    raise SignInSetupError(
        f"This app is set up for a team ({reasons}) but "
        f"cannot sign anyone in: {problem}; fix .streamlit/secrets.toml as docs/team.md "
        "says and start it again."
    )
