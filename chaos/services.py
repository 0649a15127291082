"""The servers a chaos series breaks: an S3 server, PostgreSQL, a Dagster daemon, a small disk.

The S3 server is the test suite's (moto, ``tests/integration/s3/s3_server.py``) on a fixed
port of 127.0.0.1. moto keeps its objects in memory, so it runs with moto's request recorder
on: after a kill, a new server on the same port replays the recording and holds every object
written before the kill (a request recorded just before the kill is applied although its
client saw an error, which real S3 can do too). PostgreSQL is a throwaway cluster started like
``tests/integration/postgres`` starts one (as the ``postgres`` user when root).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
S3_SERVER = REPO / "tests" / "integration" / "s3" / "s3_server.py"
DAEMON = str(Path(sys.executable).parent / "dagster-daemon")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class S3:
    """moto's S3 server with its request recording, restartable on the same port."""

    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[str] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ALLOW_HTTP": "true",
            "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        }

    def start(self, replay: bool = False) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "MOTO_ENABLE_RECORDING": "True",
            "MOTO_RECORDER_FILEPATH": str(self.folder / "recording.jsonl"),
        }
        with (self.folder / "server.log").open("a") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(S3_SERVER), str(self.port)],
                env=env,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"the S3 server did not start: {line!r}")
        if replay:
            url = f"{self.endpoint}/moto-api/recorder/replay-recording"
            request = urllib.request.Request(url, data=b"", method="POST")
            with urllib.request.urlopen(request, timeout=600) as answer:
                answer.read()

    def client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def bucket(self, name: str) -> None:
        client = self.client()
        with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
            client.create_bucket(Bucket=name)

    def restart_recording(self, bucket: str) -> None:
        """Forget the recording so far, then record ``bucket``'s creation again: a replay after
        a kill then rebuilds only what was written since (one iteration, not the series)."""
        url = f"{self.endpoint}/moto-api/recorder/reset-recording"
        with urllib.request.urlopen(urllib.request.Request(url, data=b"", method="POST")) as r:
            r.read()
        self.bucket(bucket)

    def clear(self, bucket: str, prefix: str) -> None:
        """Delete every object under ``prefix``."""
        client = self.client()
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
            if keys:
                client.delete_objects(Bucket=bucket, Delete={"Objects": keys})

    def signal(self, signum: int) -> None:
        assert self.process is not None
        self.process.send_signal(signum)

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def find_pg_bindir() -> Path | None:
    """The directory of ``initdb`` and ``pg_ctl`` (PATH, then /usr/lib/postgresql/*/bin)."""
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).resolve().parent
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), reverse=True)
    return found[0].parent if found else None


@dataclass
class Postgres:
    """A throwaway PostgreSQL cluster with a ``dagster`` database, restartable."""

    bindir: Path
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="chaos-pg-")))
    port: int = field(default_factory=free_port)

    @property
    def as_server(self) -> list[str]:
        return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @property
    def env(self) -> dict[str, str]:
        return {
            "DAGSTER_PG_HOST": "127.0.0.1",
            "DAGSTER_PG_PORT": str(self.port),
            "DAGSTER_PG_DB": "dagster",
            "DAGSTER_PG_USER": "dagster",
            "DAGSTER_PG_PASSWORD": "chaos-pw",
        }

    def _ctl(self, *args: str) -> None:
        data = str(self.folder / "data")
        command = [*self.as_server, str(self.bindir / "pg_ctl"), "-D", data, *args]
        # Not captured: the server would inherit the pipes and keep them open.
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, timeout=120)

    def start(self) -> None:
        if self.as_server:
            shutil.chown(self.folder, user="postgres", group="postgres")
        initdb = [str(self.bindir / "initdb"), "-D", str(self.folder / "data"), "-U", "postgres"]
        initdb += ["--auth-local=trust", "--auth-host=trust", "--no-sync", "-E", "UTF8"]
        subprocess.run([*self.as_server, *initdb], check=True, capture_output=True, timeout=120)
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        self._ctl("-l", str(self.folder / "server.log"), "-o", options, "-w", "start")
        psql = [*self.as_server, str(self.bindir / "psql"), "-h", str(self.folder)]
        psql += ["-p", str(self.port), "-U", "postgres", "-d", "postgres", "-c"]
        for sql in ("create role dagster login password 'chaos-pw'", "create database dagster"):
            subprocess.run([*psql, sql], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(
            [*psql, "alter database dagster owner to dagster"],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def instance_yaml(self) -> str:
        """The production instance (PostgreSQL), without its ECS launcher, pointed here."""
        config = yaml.safe_load((REPO / "infra" / "dagster" / "dagster.prod.yaml").read_text())
        config.pop("run_launcher", None)
        env = self.env
        here = {
            "hostname": env["DAGSTER_PG_HOST"],
            "port": int(env["DAGSTER_PG_PORT"]),
            "db_name": env["DAGSTER_PG_DB"],
            "username": env["DAGSTER_PG_USER"],
            "password": env["DAGSTER_PG_PASSWORD"],
            "scheme": "postgresql+psycopg2",
        }
        storages = [v for v in config.values() if isinstance(v, dict) and "config" in v]
        for storage in (s for s in storages if "postgres_db" in (s["config"] or {})):
            storage["config"] = {**storage["config"], "postgres_db": here}
        if not any(s["config"].get("postgres_db") is here for s in storages):
            raise ValueError("dagster.prod.yaml names no PostgreSQL storage to point here")
        return yaml.safe_dump(config)

    def restart(self) -> None:
        self._ctl("-l", str(self.folder / "server.log"), "-m", "fast", "-w", "restart")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError):
            self._ctl("-m", "fast", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass
class Daemon:
    """``dagster-daemon run`` on a lake's instance, sensors of the lakehouse off."""

    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "dagster-daemon"),
                    "run",
                    "-w",
                    str(REPO / "workspace.yaml"),
                ],
                cwd=REPO,
                env={**self.env, "LAKEHOUSE_SENSORS": "off"},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


class SmallDisk:
    """A tmpfs mounted over a folder (root only), filled on demand and freed again."""

    def __init__(self, path: Path, megabytes: int) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "chaos", str(path)], check=True
        )
        self.filler = path / ".chaos-filler"

    def fill(self) -> None:
        """Write zeros until the file system is full."""
        with self.filler.open("wb") as out:
            block = b"\0" * (1 << 20)
            with contextlib.suppress(OSError):
                while True:
                    out.write(block)
                    out.flush()

    def free(self) -> None:
        self.filler.unlink(missing_ok=True)

    def unmount(self) -> None:
        for _ in range(20):
            if subprocess.run(["umount", str(self.path)], capture_output=True).returncode == 0:
                return
            time.sleep(0.5)
        subprocess.run(["umount", "-l", str(self.path)], check=False)
