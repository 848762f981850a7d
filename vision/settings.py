"""Where the API lives and the key to use: from the environment first, then the app's
.streamlit/secrets.toml (which the command line reads too)."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from vision.errors import SettingsError
from vision.settings_variables import API_KEY_VARIABLE, BASE_URL_VARIABLE

DEFAULT_BASE_URL = "https://api.intelligence.io.solutions/api/v1"
# Where Streamlit reads secrets when started from the project's folder; the CLI reads it there too.
SECRETS_FILE = Path(".streamlit") / "secrets.toml"
# The key and base URL may sit at the top of secrets.toml or in this section (docs/provider-api.md).
SECRETS_SECTION = "io_intelligence"

# Where a key came from: the environment, secrets.toml, pasted on the page, or the echo's own.
KeySource = Literal["environment", "secrets", "session", "echo"]
KEY_SOURCE_NAMES: dict[KeySource, str] = {
    "environment": f"the environment ({API_KEY_VARIABLE})",
    "secrets": str(SECRETS_FILE),
    "session": "the key pasted on the page",
    "echo": "the local echo backend",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """The API base URL and key; the key never appears in repr."""

    base_url: str = DEFAULT_BASE_URL
    api_key: str = field(default="", repr=False)

    @property
    def has_key(self) -> bool:
        """True when an API key is configured."""
        return bool(self.api_key.strip())

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from IOINTELLIGENCE_API_KEY and IOINTELLIGENCE_BASE_URL (default: io.net)."""
        env = os.environ if environ is None else environ
        base_url = env.get(BASE_URL_VARIABLE, "").strip() or DEFAULT_BASE_URL
        return cls(base_url=base_url.rstrip("/"), api_key=env.get(API_KEY_VARIABLE, "").strip())


def read_secrets(path: Path = SECRETS_FILE, *, must_exist: bool = False) -> dict[str, Any]:
    """The sections of a secrets.toml ({} when there is none, unless it must exist);
    SettingsError when it cannot be read as TOML."""
    if not must_exist and not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc).splitlines()[0]
        # The reason names a line and column, never the file's text (it holds secrets).
        raise SettingsError(
            f"The secrets file {path} cannot be read ({reason}); fix it and run again."
        ) from None


def _secret(secrets: Mapping[str, Any], *path: str) -> str:
    """A string from the secrets, or "" when the entry is absent or not a string."""
    node: Any = secrets
    for part in path:
        if not isinstance(node, Mapping) or part not in node:
            return ""
        node = node[part]
    return node.strip() if isinstance(node, str) else ""


def configured_settings(
    environ: Mapping[str, str], secrets: Mapping[str, Any]
) -> tuple[Settings, KeySource | None]:
    """Base URL and key, each from the environment first, then the secrets (at their top level
    or under [io_intelligence]); where the key came from, or None when there is none."""
    from_env = Settings.from_env(environ)
    base_url = (
        from_env.base_url
        if environ.get(BASE_URL_VARIABLE, "").strip()
        else (
            _secret(secrets, BASE_URL_VARIABLE)
            or _secret(secrets, SECRETS_SECTION, "base_url")
            or DEFAULT_BASE_URL
        ).rstrip("/")
    )
    if from_env.has_key:
        return Settings(base_url=base_url, api_key=from_env.api_key), "environment"
    key = _secret(secrets, API_KEY_VARIABLE) or _secret(secrets, SECRETS_SECTION, "api_key")
    if key:
        return Settings(base_url=base_url, api_key=key), "secrets"
    return Settings(base_url=base_url), None
