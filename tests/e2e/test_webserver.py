"""The Dagster webserver serves the lakehouse's asset graph (landing → bronze → silver)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from lakehouse.sources import load_sources

PROJECT = Path(__file__).resolve().parents[2]
QUERY = "{ assetNodes { assetKey { path } dependencyKeys { path } groupName } }"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def webserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    home = tmp_path_factory.mktemp("dagster_home")
    (home / "dagster.yaml").write_text((PROJECT / "infra/dagster/dagster.dev.yaml").read_text())
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "LAKEHOUSE_ROOT": str(home / "lake"),
        "LAKEHOUSE_LANDING": str(home / "landing"),
    }
    port = _free_port()
    webserver_bin = Path(sys.executable).parent / "dagster-webserver"
    process = subprocess.Popen(
        [str(webserver_bin), "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                nodes = _graphql(port, QUERY)["data"]["assetNodes"]
                if nodes:
                    break
            except (OSError, KeyError, TypeError):
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                stderr = process.stderr.read().decode() if process.stderr else ""
                pytest.fail(f"webserver did not serve the asset graph:\n{stderr[-3000:]}")
            time.sleep(0.5)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.e2e
def test_asset_graph_has_every_layer_and_edge(webserver: int) -> None:
    nodes = _graphql(webserver, QUERY)["data"]["assetNodes"]
    deps = {
        "/".join(n["assetKey"]["path"]): {"/".join(d["path"]) for d in n["dependencyKeys"]}
        for n in nodes
    }
    groups = {"/".join(n["assetKey"]["path"]): n["groupName"] for n in nodes}
    for spec in load_sources():
        assert deps[f"bronze/{spec.name}"] == {f"landing/{spec.name}"}
        assert deps[f"silver/{spec.name}"] == {f"bronze/{spec.name}"}
        assert groups[f"landing/{spec.name}"] == "landing"
        assert groups[f"bronze/{spec.name}"] == "bronze"
        assert groups[f"silver/{spec.name}"] == "silver"
