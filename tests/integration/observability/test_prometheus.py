"""A real Prometheus scrapes ``lakehouse metrics serve`` and answers queries with the known
figures of the demo history; promtool accepts the alert rules.

Debian's ``prometheus`` package is installed when missing (as root or with passwordless sudo,
like scripts/install-postgres.sh); the tests skip only where there is no apt-get.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.integration.observability.conftest import OpsLake

PROJECT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
RULES = PROJECT / "infra" / "observability" / "alerts.yml"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _install_prometheus() -> None:
    """apt-get install prometheus, as root or with passwordless sudo; fail with the command
    to run otherwise. Skips only without apt-get."""
    if shutil.which("apt-get") is None:
        pytest.skip("prometheus is missing and this machine has no apt-get to install it")
    sudo: list[str] = []
    if os.geteuid() != 0:
        if shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"]).returncode == 0:
            sudo = ["sudo", "-n"]
        else:
            pytest.fail(
                "prometheus is missing and installing it needs root: "
                "run 'sudo apt-get install -y prometheus'"
            )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "prometheus"],
    ):
        done = subprocess.run(
            [*sudo, *command], env=env, capture_output=True, text=True, timeout=900
        )
        if done.returncode != 0:
            pytest.fail(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")


@pytest.fixture(scope="module")
def prometheus_bin() -> Path:
    """Debian's prometheus binary (installed if missing); promtool sits beside it."""
    if shutil.which("prometheus") is None or shutil.which("promtool") is None:
        _install_prometheus()
    found = shutil.which("prometheus")
    assert found, "the prometheus package installed no prometheus binary on PATH"
    return Path(found)


def _get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def exporter(ops_lake: OpsLake, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """``lakehouse metrics serve`` over the demo lakehouse on a free port."""
    port = _free_port()
    env = {
        **os.environ,
        "LAKEHOUSE_ROOT": ops_lake.settings.root,
        "LAKEHOUSE_LANDING": ops_lake.settings.landing,
    }
    log = tmp_path_factory.mktemp("exporter") / "exporter.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                str(BIN / "lakehouse"),
                "metrics",
                "serve",
                "--port",
                str(port),
                "--window-days",
                "36500",
            ],
            cwd=PROJECT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"exporter did not start:\n{log.read_text()[-3000:]}")
                time.sleep(0.3)
        yield port
    finally:
        _stop(process)


def test_the_exporter_serves_the_known_figures(exporter: int) -> None:
    text = urllib.request.urlopen(f"http://127.0.0.1:{exporter}/metrics", timeout=10).read()
    lines = set(text.decode().splitlines())
    assert 'lakehouse_dora_deployments{window="36500d"} 5.0' in lines
    assert 'lakehouse_dora_change_failure_ratio{window="36500d"} 0.4' in lines
    assert 'lakehouse_dora_time_to_restore_median_minutes{window="36500d"} 481.5' in lines
    assert 'lakehouse_asset_duration_regressions{asset="silver/orders"} 1.0' in lines
    assert 'lakehouse_asset_check_failures{asset="silver/orders",check="volume"} 1.0' in lines


def test_prometheus_scrapes_the_exporter_and_answers_a_query(
    prometheus_bin: Path, exporter: int, tmp_path: Path
) -> None:
    port = _free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global: {scrape_interval: 1s}\n"
        "scrape_configs:\n"
        f"  - job_name: lakehouse\n    static_configs: [{{targets: ['127.0.0.1:{exporter}']}}]\n"
    )
    process = subprocess.Popen(
        [
            str(prometheus_bin),
            f"--config.file={config}",
            f"--storage.tsdb.path={tmp_path / 'db'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "prometheus.log").open("wb"),
    )
    query = urllib.parse.urlencode(
        {"query": 'lakehouse_sla_attainment_ratio{asset="silver/orders"}'}
    )
    try:
        deadline, result = time.monotonic() + 90, []
        while not result:
            with contextlib.suppress(OSError):
                result = _get_json(f"http://127.0.0.1:{port}/api/v1/query?{query}")["data"][
                    "result"
                ]
            if process.poll() is not None or (not result and time.monotonic() > deadline):
                log = (tmp_path / "prometheus.log").read_text()[-3000:]
                pytest.fail(f"prometheus returned no lakehouse metric:\n{log}")
            time.sleep(0.5)
        assert result[0]["metric"]["job"] == "lakehouse"
        assert float(result[0]["value"][1]) == pytest.approx(19 / 21)
    finally:
        _stop(process)


def test_promtool_accepts_the_alert_rules(prometheus_bin: Path) -> None:
    promtool = prometheus_bin.with_name("promtool")
    done = subprocess.run(
        [str(promtool), "check", "rules", str(RULES)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS: 5 rules found" in done.stdout
