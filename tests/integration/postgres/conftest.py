"""A real PostgreSQL server as a local process on 127.0.0.1, for the production Dagster instance.

The server binaries are found like ``scripts/install-postgres.sh`` finds them (PATH, then
``/usr/lib/postgresql/<version>/bin``). PostgreSQL refuses to run as root, so as root the
server runs as the ``postgres`` user through ``runuser``; any other user runs it directly.
Without binaries (or, as root, without a ``postgres`` user) the tests skip, or fail when CI is
set: run ``scripts/install-postgres.sh`` first.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest

PROJECT = Path(__file__).resolve().parents[3]
INSTALL_SCRIPT = PROJECT / "scripts" / "install-postgres.sh"
SERVER_USER = "postgres"


def skip_or_fail(reason: str) -> None:
    """Skip the test locally; under CI a missing prerequisite is a failure."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this fails instead of skipping)")
    pytest.skip(reason)


def find_bindir() -> Path | None:
    """The directory holding ``initdb`` and ``pg_ctl``, or None."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl:
        return Path(initdb).resolve().parent
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: [int(x) if x.isdigit() else 0 for x in p.parent.name.split(".")],
        reverse=True,
    )
    for bindir in versions:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Postgres:
    """A running server and the database and role the Dagster instance uses."""

    port: int
    db: str
    user: str
    password: str
    host: str = "127.0.0.1"

    @property
    def dagster_env(self) -> dict[str, str]:
        """The DAGSTER_PG_* variables ``infra/dagster/dagster.prod.yaml`` reads."""
        return {
            "DAGSTER_PG_HOST": self.host,
            "DAGSTER_PG_PORT": str(self.port),
            "DAGSTER_PG_DB": self.db,
            "DAGSTER_PG_USER": self.user,
            "DAGSTER_PG_PASSWORD": self.password,
        }

    def query(self, sql: str, *params: object) -> list[tuple]:
        """Rows of ``sql``, over TCP with the instance's own credentials."""
        con = psycopg2.connect(
            host=self.host, port=self.port, dbname=self.db, user=self.user, password=self.password
        )
        try:
            with con.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchall()
        finally:
            con.close()


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({done.returncode}): {done.stderr or done.stdout}")


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    """initdb + pg_ctl start in a fresh folder; a ``dagster`` role (password) and database."""
    bindir = find_bindir()
    if bindir is None:
        skip_or_fail(f"PostgreSQL server binaries not found: run {INSTALL_SCRIPT.name}")
    assert bindir is not None
    as_server: list[str] = []
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            skip_or_fail(f"no '{SERVER_USER}' user to run PostgreSQL as (root cannot)")
        if shutil.which("runuser") is None:
            skip_or_fail("runuser is missing: it runs PostgreSQL as 'postgres' when root")
        as_server = ["runuser", "-u", SERVER_USER, "--"]
    # Not under pytest's tmp_path: its parents are private to root, and the server user
    # must reach the folder.
    folder = Path(tempfile.mkdtemp(prefix="lakehouse-pg-"))
    if as_server:
        shutil.chown(folder, user=SERVER_USER, group=SERVER_USER)
    data, port = folder / "data", free_port()
    pg_ctl = [*as_server, str(bindir / "pg_ctl"), "-D", str(data)]
    started = False
    try:
        _run(
            [
                *as_server,
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ],
            "initdb",
        )
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"
        _run([*pg_ctl, "-l", str(folder / "server.log"), "-o", options, "-w", "start"], "start")
        started = True
        server = Postgres(port=port, db="dagster", user="dagster", password="dagster-test-pw")
        admin = psycopg2.connect(host=str(folder), port=port, user="postgres", dbname="postgres")
        try:
            admin.autocommit = True
            with admin.cursor() as cur:
                cur.execute(f"create role {server.user} login password %s", (server.password,))
                cur.execute(f"create database {server.db} owner {server.user}")
        finally:
            admin.close()
        yield server
    finally:
        if started:
            subprocess.run([*pg_ctl, "-m", "fast", "-w", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)
