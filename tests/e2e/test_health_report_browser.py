"""Debian Chromium opens ``lakehouse report``'s page of the demo history, offline, and every
chart renders with data; the DORA tiles and the failures table show the known figures.

Install the browser with ``scripts/install-browser.sh``; without it the test skips locally and
fails under CI (``CI`` set), like tests/e2e/test_ui_browser.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import dagster as dg
import pytest
from playwright.sync_api import sync_playwright

from lakehouse.definitions import build_definitions
from lakehouse.observability.defs import OPS_JOB
from lakehouse.observability.demo import write_demo_history
from lakehouse.observability.report import CHART_IDS
from lakehouse.settings import load_settings

PROJECT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
TRACES_JS = """(id) => {
  const div = document.getElementById(id);
  return div && div.data ? div.data.map((t) => (t.y || []).length) : null;
}"""

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists() and not os.environ.get("CI"),
        reason=f"{CHROMIUM} is missing: install it with `sudo scripts/install-browser.sh`",
    ),
]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of the demo history, written by the ``lakehouse report`` command."""
    tmp = tmp_path_factory.mktemp("report")
    env = {"LAKEHOUSE_ROOT": str(tmp / "lake"), "LAKEHOUSE_LANDING": str(tmp / "landing")}
    (tmp / "home").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp / "home")) as instance:
        write_demo_history(instance, date(2026, 1, 1))
        job = build_definitions(load_settings(env)).resolve_job_def(OPS_JOB)
        config = {"ops": {"ops__sla_daily": {"config": {"as_of": "2026-01-23T00:00:00+00:00"}}}}
        assert job.execute_in_process(instance=instance, run_config=config).success
    done = subprocess.run(
        [str(Path(sys.executable).parent / "lakehouse"), "report", "--out", str(tmp / "out")],
        cwd=PROJECT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return tmp / "out" / "index.html"


def test_the_report_renders_every_chart_with_data_offline(report: Path, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing under CI: run scripts/install-browser.sh as root")
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("request", lambda request: requests.append(request.url))
        page.goto(report.as_uri())
        page.wait_for_function("() => window.Plotly !== undefined", timeout=30_000)
        traces = {chart: page.evaluate(TRACES_JS, chart) for chart in CHART_IDS}
        tiles = page.locator("#dora .tile").all_inner_texts()
        failures = page.locator("#failures tr").count()
        link = page.locator("#failures a").first.get_attribute("href")
        svg_paths = page.locator(".js-plotly-plot .main-svg path").count()
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        browser.close()
    assert all(url.startswith("file://") for url in requests), requests  # no network
    for chart, lengths in traces.items():
        assert lengths and all(n > 0 for n in lengths), f"{chart} has no data: {lengths}"
    assert len(traces["durations"]) == 4  # three assets and the regression markers
    assert traces["durations"][-1] == 1  # one regression: silver/orders on 2026-01-18
    assert svg_paths > 10  # the charts were drawn, not only configured
    text = " | ".join(tiles)
    assert "Change failure rate\n40%" in text and "Lead time for changes\n6.0 h" in text
    assert "Time to restore\n482 min" in text
    assert failures == 1 + 2  # header, silver/orders' failure, day 13's volume warning
    assert link is not None and link.startswith("http://127.0.0.1:3000/runs/")
