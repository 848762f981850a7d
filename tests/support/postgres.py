"""A throwaway PostgreSQL server for the store tests, never a mock: Debian's postgresql package
(`make postgres` installs it), a cluster made with initdb in a temporary folder, run as the
non-root `postgres` user (PostgreSQL refuses to run as root) on a free loopback port, with its
socket in that folder, and stopped at the end of the test session.

The store connects as the role `vision` over TCP with a password (scram-sha-256), as a deployed
app would; the fixture itself creates and drops one database per test as the superuser over the
Unix socket.
"""

from __future__ import annotations

import itertools
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import psycopg
import pytest
from psycopg import sql

INSTALL_HINT = "`make postgres` installs Debian's postgresql package"
APP_ROLE = "vision"
_OS_USER = "postgres"
_START_TRIES = 3
_TIMEOUT_S = 120
# A throwaway cluster needs no durability; these make database creation and commits cheap.
_SETTINGS = (
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
    "-c max_connections=200 -c shared_buffers=32MB"
)


class PostgresUnavailable(RuntimeError):
    """PostgreSQL cannot be started here; the message says why and how to get it."""


def without_postgres(exc: PostgresUnavailable, what: str) -> NoReturn:
    """Skip a test that needs PostgreSQL, saying what is skipped; under CI (which installs it)
    fail instead."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{exc} CI installs PostgreSQL, so this fails.")
    pytest.skip(f"{exc} Without it {what}.")


def find_bindir() -> Path | None:
    """The bin folder of the newest installed PostgreSQL (Debian puts each major version under
    /usr/lib/postgresql/N/bin), else the one holding an initdb on PATH."""

    def major(initdb: Path) -> int:
        version = initdb.parent.parent.name
        return int(version) if version.isdigit() else 0

    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=major)
    if found:
        return found[-1].parent
    on_path = shutil.which("initdb")
    return Path(on_path).resolve().parent if on_path else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PostgresServer:
    """A running cluster: its folder, port and socket, and the app role's password."""

    bindir: Path
    root: Path
    port: int
    password: str = field(repr=False)
    as_user: tuple[str, ...]
    _names: itertools.count[int] = field(default_factory=itertools.count, repr=False)

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def sockets(self) -> Path:
        return self.root / "sockets"

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        """A superuser connection over the Unix socket, in autocommit mode."""
        return psycopg.connect(
            host=str(self.sockets), port=self.port, user="postgres", dbname="postgres",
            autocommit=True,
        )  # fmt: skip

    def url(self, database: str, *, password: str | None = None) -> str:
        """The URL a deployment would put in VISION_DATABASE_URL for this database."""
        secret = self.password if password is None else password
        return f"postgresql://{APP_ROLE}:{secret}@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new empty database owned by the app role; its name."""
        name = f"history_{os.getpid()}_{next(self._names)}"
        with self.admin() as admin:
            admin.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(name), sql.Identifier(APP_ROLE)
                )
            )
        return name

    def drop_database(self, name: str) -> None:
        """Drop a database, closing whatever a test left connected to it."""
        with self.admin() as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def _pg_ctl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.data), *args],
            capture_output=True, text=True, timeout=_TIMEOUT_S, check=False,
        )  # fmt: skip

    def stop(self) -> None:
        """Stop the server at once and remove its folder."""
        try:
            self._pg_ctl("-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def _run(command: list[str], what: str) -> None:
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise PostgresUnavailable(f"PostgreSQL's {what} could not run ({exc}).") from None
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise PostgresUnavailable(f"PostgreSQL's {what} failed: {' / '.join(tail)}")


def start_postgres() -> PostgresServer:
    """A new cluster, started and ready for connections, or PostgresUnavailable saying why."""
    bindir = find_bindir()
    if bindir is None:
        raise PostgresUnavailable(
            f"PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); {INSTALL_HINT}."
        )
    as_user: tuple[str, ...] = ()
    owner: pwd.struct_passwd | None = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam(_OS_USER)
        except KeyError:
            raise PostgresUnavailable(
                f"There is no '{_OS_USER}' user to run PostgreSQL as (it refuses to run as "
                f"root); {INSTALL_HINT}, which creates it."
            ) from None
        as_user = ("runuser", "-u", _OS_USER, "--")
    root = Path(tempfile.mkdtemp(prefix="vision-pg-"))
    try:
        return _start_in(root, bindir, as_user, owner)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise


def _start_in(
    root: Path, bindir: Path, as_user: tuple[str, ...], owner: pwd.struct_passwd | None
) -> PostgresServer:
    superuser_password = secrets.token_urlsafe(16)
    password_file = root / "superuser-password"
    password_file.write_text(superuser_password + "\n")
    password_file.chmod(0o600)
    (root / "sockets").mkdir()
    if owner is not None:
        for path in (root, root / "sockets", password_file):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    _run(
        [*as_user, str(bindir / "initdb"), "-D", str(root / "data"), "-U", "postgres",
         "--pwfile", str(password_file), "--auth-local=trust", "--auth-host=scram-sha-256",
         "-E", "UTF8", "--no-locale", "--no-sync"],
        "initdb",
    )  # fmt: skip
    password_file.unlink()
    for _ in range(_START_TRIES):
        server = PostgresServer(
            bindir=bindir,
            root=root,
            port=_free_port(),
            password=secrets.token_urlsafe(16),
            as_user=as_user,
        )
        if _started(server):
            break
    else:
        raise PostgresUnavailable("PostgreSQL did not start: no free loopback port was found.")
    try:
        with server.admin() as admin:
            admin.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(APP_ROLE), sql.Literal(server.password)
                )
            )
    except BaseException:
        server.stop()
        raise
    return server


def _started(server: PostgresServer) -> bool:
    """True once the server accepts connections; False when its port was taken meanwhile."""
    log = server.root / "server.log"
    options = f"-p {server.port} -k {server.sockets} -h 127.0.0.1 {_SETTINGS}"
    done = server._pg_ctl("-l", str(log), "-w", "-t", "60", "-o", options, "start")
    if done.returncode == 0:
        return True
    text = log.read_text(errors="replace") if log.exists() else ""
    if re.search(r"could not bind|Address already in use", text):
        return False  # another program took the port between the probe and the start
    last = (done.stderr or text).strip().splitlines()[-1:] or ["no output"]
    raise PostgresUnavailable(f"PostgreSQL did not start: {last[0]}")
