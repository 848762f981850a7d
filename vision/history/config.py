"""Where the history lives and what it may keep: the store's configuration, read from the
environment once, with every problem said as a sentence that never shows a password."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from vision.errors import HistoryError

HISTORY_PATH_ENV = "VISION_HISTORY_PATH"
DATABASE_URL_ENV = "VISION_DATABASE_URL"
# "1" on PostgreSQL: the store also holds the batch queue that `vision worker` processes drain.
QUEUE_ENV = "VISION_BATCH_QUEUE"
MAX_IMAGE_BYTES_ENV = "VISION_MAX_STORED_IMAGE_BYTES"
MAX_WORKSPACE_BYTES_ENV = "VISION_MAX_WORKSPACE_IMAGE_BYTES"
POOL_SIZE_ENV = "VISION_DATABASE_POOL_SIZE"
CONNECT_TIMEOUT_ENV = "VISION_DATABASE_CONNECT_TIMEOUT"

# The workspace of the single-user app; a signed-in person's workspace is their own id.
LOCAL_WORKSPACE = "local"
MAX_WORKSPACE_LENGTH = 255

# The largest file intake reads (vision.images.intake.MAX_SOURCE_BYTES): by default every
# original the app accepted is kept, as before workspaces had limits.
DEFAULT_MAX_IMAGE_BYTES = 100 * 1024 * 1024
# Another process (the CLI next to the app) may hold SQLite's write lock for a moment.
DEFAULT_BUSY_TIMEOUT_MS = 5000
DEFAULT_POOL_SIZE = 5
DEFAULT_CONNECT_TIMEOUT_S = 10

_POSTGRES_SCHEMES = {"postgresql", "postgres", "postgresql+psycopg"}
_SQLITE_SCHEMES = {"sqlite", "sqlite+pysqlite"}


def default_history_path(environ: Mapping[str, str] | None = None) -> Path:
    """$VISION_HISTORY_PATH, else the XDG data directory's vision-playground/history.sqlite3."""
    env = os.environ if environ is None else environ
    if env.get(HISTORY_PATH_ENV):
        return Path(env[HISTORY_PATH_ENV]).expanduser()
    data_home = env.get("XDG_DATA_HOME") or str(Path("~/.local/share").expanduser())
    return Path(data_home) / "vision-playground" / "history.sqlite3"


def check_workspace(workspace: str) -> str:
    """The workspace name as given, or HistoryError when it cannot name one."""
    if not isinstance(workspace, str) or not workspace.strip():
        raise HistoryError("A history workspace needs a name (the signed-in person's id).")
    if len(workspace) > MAX_WORKSPACE_LENGTH:
        raise HistoryError(
            f"A history workspace name has at most {MAX_WORKSPACE_LENGTH} characters; "
            f"this one has {len(workspace)}."
        )
    return workspace


def _whole_number(env: Mapping[str, str], name: str, default: int, *, least: int) -> int:
    raw = env.get(name, "").strip().replace("_", "")
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = least - 1
    if value < least:
        raise HistoryError(
            f"{name} must be a whole number of at least {least}; it is {env[name]!r}."
        )
    return value


@dataclass(frozen=True, slots=True, kw_only=True)
class StoreLimits:
    """What the store keeps: an original over max_image_bytes is not kept (the run says so),
    nor one that would take a workspace's kept originals over max_workspace_bytes (None: no
    limit). A limit of 0 keeps no originals at all."""

    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES
    max_workspace_bytes: int | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> StoreLimits:
        """Limits from VISION_MAX_STORED_IMAGE_BYTES and VISION_MAX_WORKSPACE_IMAGE_BYTES."""
        env = os.environ if environ is None else environ
        return cls(
            max_image_bytes=_whole_number(
                env, MAX_IMAGE_BYTES_ENV, DEFAULT_MAX_IMAGE_BYTES, least=0
            ),
            max_workspace_bytes=(
                _whole_number(env, MAX_WORKSPACE_BYTES_ENV, 0, least=0)
                if env.get(MAX_WORKSPACE_BYTES_ENV, "").strip()
                else None
            ),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ConnectionSettings:
    """How the store connects: PostgreSQL keeps pool_size connections open (as many again in a
    burst) and gives up connecting after connect_timeout_s; SQLite waits busy_timeout_ms for
    another writer."""

    pool_size: int = DEFAULT_POOL_SIZE
    connect_timeout_s: int = DEFAULT_CONNECT_TIMEOUT_S
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ConnectionSettings:
        """Settings from VISION_DATABASE_POOL_SIZE and VISION_DATABASE_CONNECT_TIMEOUT."""
        env = os.environ if environ is None else environ
        return cls(
            pool_size=_whole_number(env, POOL_SIZE_ENV, DEFAULT_POOL_SIZE, least=1),
            connect_timeout_s=_whole_number(
                env, CONNECT_TIMEOUT_ENV, DEFAULT_CONNECT_TIMEOUT_S, least=1
            ),
        )


def safe_url(url: URL) -> str:
    """The URL as it may be shown or logged: the password, if any, as ***."""
    return url.render_as_string(hide_password=True)


def scrub(text: str, url: URL) -> str:
    """Text with the URL's password replaced by *** wherever it appears."""
    return text.replace(url.password, "***") if url.password else text


def database_url(value: str) -> URL:
    """A SQLAlchemy URL for postgresql://, postgres://, postgresql+psycopg:// or sqlite:///PATH;
    anything else is a HistoryError that names the accepted forms (and not the password)."""
    try:
        url = make_url(value.strip())
    except ArgumentError:
        raise HistoryError(
            f"{DATABASE_URL_ENV} is not a database URL; use postgresql://USER:PASSWORD@HOST/DB "
            "or sqlite:///PATH."
        ) from None
    if url.drivername in _POSTGRES_SCHEMES:
        return url.set(drivername="postgresql+psycopg")
    if url.drivername in _SQLITE_SCHEMES and url.database and url.database != ":memory:":
        return url.set(drivername="sqlite+pysqlite")
    raise HistoryError(
        f"{DATABASE_URL_ENV} must start with postgresql:// (PostgreSQL through psycopg 3) or "
        f"sqlite:/// followed by a file path; it is {safe_url(url)}."
    )


def sqlite_url(path: Path) -> URL:
    """The URL of a SQLite file."""
    return URL.create("sqlite+pysqlite", database=str(path))


def resolve_url(path: str | Path | None, environ: Mapping[str, str] | None = None) -> URL:
    """The history's database: an explicit path's file, else $VISION_DATABASE_URL, else the
    default SQLite file (default_history_path)."""
    env = os.environ if environ is None else environ
    if path is not None:
        return sqlite_url(Path(path))
    if env.get(DATABASE_URL_ENV, "").strip():
        return database_url(env[DATABASE_URL_ENV])
    return sqlite_url(default_history_path(env))
