"""A real S3 endpoint on 127.0.0.1 (moto's server, see ``s3_server.py``) and fresh buckets."""

from __future__ import annotations

import selectors
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

SERVER = Path(__file__).with_name("s3_server.py")
REGION = "us-east-1"


@dataclass(frozen=True)
class S3Server:
    """A running S3 server: its endpoint, request log, and the AWS_* variables that reach it."""

    endpoint: str
    log: Path

    @property
    def env(self) -> dict[str, str]:
        """The environment variables a lakehouse process needs for this server."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ALLOW_HTTP": "true",
            "AWS_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        }

    def create_bucket(self) -> str:
        """A new, empty bucket with a unique name."""
        name = f"lake-{uuid.uuid4().hex[:12]}"
        client = boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        client.create_bucket(Bucket=name)
        return name

    def refused_commits(self) -> int:
        """How many conditional PUTs the server refused (412) so far: lost commit races."""
        return sum(1 for line in self.log.read_text().splitlines() if '" 412 ' in line)


def _read_port(process: subprocess.Popen[str], timeout: float) -> int:
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            raise TimeoutError(f"{SERVER.name} printed no port within {timeout:.0f} s")
    line = process.stdout.readline()
    if not line.startswith("PORT "):
        raise RuntimeError(f"{SERVER.name} failed to start: {line!r}")
    return int(line.split()[1])


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """moto's S3 server as a subprocess on a free port of 127.0.0.1, stopped at the end."""
    log = tmp_path_factory.mktemp("s3_server") / "requests.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [sys.executable, str(SERVER)], stdout=subprocess.PIPE, stderr=log_file, text=True
        )
    try:
        port = _read_port(process, timeout=60)
        yield S3Server(endpoint=f"http://127.0.0.1:{port}", log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@pytest.fixture
def bucket(s3_server: S3Server) -> str:
    """A fresh bucket on the session's S3 server."""
    return s3_server.create_bucket()
