"""A real browser (Debian Chromium driven by Playwright) renders the lakehouse in the Dagster UI.

Install the browser with ``scripts/install-browser.sh``. Without it the tests skip locally and fail
under CI (``CI`` set). Screenshots go to each test's ``tmp_path`` and, when
``LAKEHOUSE_SCREENSHOTS`` names a directory, are copied there too.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import pyarrow as pa
import pytest
from playwright.sync_api import Browser, FloatRect, Page, expect, sync_playwright

from lakehouse.lake import DeltaStore
from lakehouse.sources import load_sources

if TYPE_CHECKING:
    from tests.e2e.conftest import Webserver

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 60_000
VIEWPORT = {"width": 1600, "height": 1300}
MAX_HEIGHT = 4000
# The UI's own localStorage keys: the "Join the Dagster community" dialog counts as dismissed, and
# the left navigation is collapsed so the graph gets the width.
INIT_SCRIPT = """
window.localStorage.setItem('communityNux', JSON.stringify('1'));
window.localStorage.setItem('dagster-nav-collapsed', 'true');
"""
LAYERS = ("landing", "bronze", "silver")
GROUP_BOXES = "svg foreignObject.group"
# Group boxes of the graph: name, SVG position (layout units) and on-screen rectangle.
GROUPS_JS = """
() => [...document.querySelectorAll('svg foreignObject.group')].map((fo) => {
  const r = fo.getBoundingClientRect();
  return {
    name: fo.querySelector('[data-tooltip]').getAttribute('data-tooltip'),
    x: parseFloat(fo.getAttribute('x')),
    rect: {x: r.left, y: r.top, width: r.width, height: r.height},
  };
})
"""
# Names of the asset nodes drawn inside the expanded box of `group` (SVG coordinates, so any zoom).
NODES_IN_GROUP_JS = """
(group) => {
  const box = [...document.querySelectorAll('svg foreignObject.group')].find(
    (fo) => fo.querySelector(`[data-tooltip="${group}"]`) !== null,
  );
  if (!box) return [];
  const at = (el, name) => parseFloat(el.getAttribute(name));
  const within = (fo, pos, size) =>
    at(fo, pos) >= at(box, pos) && at(fo, pos) + at(fo, size) <= at(box, pos) + at(box, size);
  const inside = (fo) => within(fo, 'x', 'width') && within(fo, 'y', 'height');
  return [...document.querySelectorAll('svg foreignObject:not(.group)')]
    .map((fo) => [fo, fo.querySelector('[class*="AssetNode_assetName"]')])
    .filter(([fo, name]) => name !== null && inside(fo))
    .map(([, name]) => name.textContent.trim());
}
"""
# CSS pixels of the zoomed graph below the bottom of its (overflow: hidden) frame.
GRAPH_OVERFLOW_JS = """
() => {
  const svg = document.querySelector('svg foreignObject.group').ownerSVGElement;
  let frame = svg.parentElement;
  while (frame && getComputedStyle(frame).overflow !== 'hidden') frame = frame.parentElement;
  if (!frame) return 0;
  return Math.max(0, svg.getBoundingClientRect().height - frame.getBoundingClientRect().height);
}
"""

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists() and not os.environ.get("CI"),
        reason=f"{CHROMIUM} is missing: install it with `sudo scripts/install-browser.sh`",
    ),
]


def _graph_url(webserver: Webserver, query: str = "", expanded: tuple[str, ...] = ()) -> str:
    """The global asset graph filtered by asset selection ``query``, ``expanded`` groups open."""
    path = "/asset-groups" + (f"~{quote(query, safe='')}" if query else "")
    # Groups start collapsed; `expanded` lists group ids (global@global:<group>) to open.
    ids = ",".join(f"global@global:{group}" for group in expanded)
    return f"{webserver.url}{path}" + (f"?{urlencode({'expanded': ids})}" if ids else "")


def _open_graph(page: Page, url: str) -> None:
    """Open a graph URL; return once every layer's group box is drawn with its statuses."""
    page.goto(url)
    expect(page.get_by_text("Global asset lineage")).to_be_visible(timeout=TIMEOUT_MS)
    for layer in LAYERS:
        header = page.locator(f'{GROUP_BOXES} [data-tooltip="{layer}"]')
        expect(header).to_be_visible(timeout=TIMEOUT_MS)
    # Statuses arrive in follow-up queries; collapsed groups say so while they load.
    page.wait_for_load_state("networkidle", timeout=TIMEOUT_MS)
    expect(page.get_by_text("fetching statuses")).to_have_count(0, timeout=TIMEOUT_MS)


def _save_screenshot(page: Page, path: Path, clip: FloatRect | None = None) -> Path:
    """Screenshot the page to ``path``; copy it to ``$LAKEHOUSE_SCREENSHOTS`` when set."""
    page.screenshot(path=str(path), clip=clip)
    assert path.stat().st_size > 5_000, f"{path} looks blank"
    target = os.environ.get("LAKEHOUSE_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, Path(target) / path.name)
    return path


def _around(groups: list[dict[str, Any]], margin: float = 40) -> FloatRect:
    """The on-screen rectangle around every group box, with ``margin``."""
    rects = [group["rect"] for group in groups]
    left = min(r["x"] for r in rects) - margin
    top = min(r["y"] for r in rects) - margin
    right = max(r["x"] + r["width"] for r in rects) + margin
    bottom = max(r["y"] + r["height"] for r in rects) + margin
    return {"x": max(left, 0), "y": max(top, 0), "width": right - left, "height": bottom - top}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium (never a Playwright-downloaded browser)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing under CI: run scripts/install-browser.sh as root")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, tmp_path: Path) -> Iterator[Page]:
    """A fresh page; its last state is saved as ``last-page.png`` in ``tmp_path`` to debug."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(INIT_SCRIPT)
    page = context.new_page()
    yield page
    try:
        page.screenshot(path=str(tmp_path / "last-page.png"))
    finally:
        context.close()


def test_lineage_overview_flows_landing_bronze_silver(
    webserver: Webserver, page: Page, tmp_path: Path
) -> None:
    # Wide enough that the collapsed groups are drawn full size, not as minimal boxes.
    page.set_viewport_size({"width": 2400, "height": 900})
    _open_graph(page, _graph_url(webserver))

    groups = page.evaluate(GROUPS_JS)
    x = {group["name"]: group["x"] for group in groups}
    assert x["landing"] < x["bronze"] < x["silver"], f"layers out of order: {x}"
    _save_screenshot(page, tmp_path / "lineage-overview.png", clip=_around(groups))


def test_lineage_graph_draws_each_source_in_every_layer(
    webserver: Webserver, page: Page, tmp_path: Path
) -> None:
    query = " or ".join(f"group:{layer}" for layer in LAYERS)
    url = _graph_url(webserver, query, expanded=LAYERS)
    _open_graph(page, url)
    # The graph zooms to fit its width and draws only the nodes in view: grow the window until
    # its height fits too, then redraw.
    overflow = page.evaluate(GRAPH_OVERFLOW_JS)
    if overflow > 0:
        height = min(VIEWPORT["height"] + int(overflow) + 64, MAX_HEIGHT)
        page.set_viewport_size({"width": VIEWPORT["width"], "height": height})
        _open_graph(page, url)

    sources = {spec.name for spec in load_sources()}
    for layer in LAYERS:
        drawn = page.evaluate(NODES_IN_GROUP_JS, layer)
        assert sources <= set(drawn), f"group {layer} draws {sorted(drawn)}"
    for name in sources:
        node = page.locator("svg foreignObject:not(.group)", has_text=name)
        expect(node).to_have_count(len(LAYERS), timeout=TIMEOUT_MS)
    _save_screenshot(page, tmp_path / "lineage.png")


def test_silver_orders_page_shows_materialisation_and_schema(
    webserver: Webserver, page: Page, tmp_path: Path
) -> None:
    page.goto(f"{webserver.url}/assets/silver/orders")

    expect(page.get_by_text("Latest materialization", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    # The partition of the latest materialisation, tagged next to it.
    expect(page.get_by_text(webserver.day.isoformat(), exact=True).first).to_be_visible(
        timeout=TIMEOUT_MS
    )
    expect(page.get_by_text("Row count", exact=True).first).to_be_visible(timeout=TIMEOUT_MS)
    for column in ("order_id", "order_total", "currency"):
        cell = page.get_by_role("cell", name=column, exact=True)
        expect(cell).to_be_visible(timeout=TIMEOUT_MS)
    _save_screenshot(page, tmp_path / "silver_orders.png")


ALL_GROUPS = ("landing", "bronze", "silver", "staging", "gold")
LAUNCHPAD = "/locations/lakehouse/jobs/rollback_table/playground"
SET_CONFIG_JS = "(yaml) => document.querySelector('.CodeMirror').CodeMirror.setValue(yaml)"
RUN_STATUS_QUERY = '{ runOrError(runId: "%s") { ... on Run { status } } }'


def test_lineage_from_the_top_bar_shows_all_five_groups(
    webserver: Webserver, page: Page, tmp_path: Path
) -> None:
    """Catalog and Lineage are in the top bar; Lineage draws every layer, gold included (the
    e2e lakehouse only materialises bronze and silver: the groups show anyway)."""
    page.set_viewport_size({"width": 2400, "height": 900})
    page.goto(webserver.url)
    expect(page.get_by_role("link", name="Catalog").first).to_be_visible(timeout=TIMEOUT_MS)
    # By its target, not its name: while the top bar shows icons only, the links are named
    # after them, and "Lineage" also matches the Jobs icon ("column_lineage").
    page.get_by_role("navigation").locator('a[href="/asset-groups"]').click()
    for group in ALL_GROUPS:
        header = page.locator(f'{GROUP_BOXES} [data-tooltip="{group}"]')
        expect(header).to_be_visible(timeout=TIMEOUT_MS)
    page.wait_for_load_state("networkidle", timeout=TIMEOUT_MS)
    expect(page.get_by_text("fetching statuses")).to_have_count(0, timeout=TIMEOUT_MS)
    groups = page.evaluate(GROUPS_JS)
    x = {group["name"]: group["x"] for group in groups}
    assert x["landing"] < x["bronze"] < x["silver"] < x["staging"] < x["gold"], x
    _save_screenshot(page, tmp_path / "lineage-with-gold.png", clip=_around(groups))


def test_gold_orders_daily_shows_typed_columns_and_its_delta_table(
    webserver: Webserver, page: Page, tmp_path: Path
) -> None:
    page.goto(f"{webserver.url}/assets/gold/orders_daily")
    for column, type_ in (("order_date", "date"), ("revenue", "decimal(18,2)")):
        row = page.get_by_role("row").filter(has=page.get_by_role("cell", name=column, exact=True))
        expect(row.first).to_contain_text(type_, timeout=TIMEOUT_MS)
    expect(page.get_by_text("gold.orders_daily").first).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text("memory.main")).to_have_count(0)
    _save_screenshot(page, tmp_path / "gold_orders_daily.png")


def test_rollback_table_runs_from_the_launchpad(
    webserver: Webserver, daemon: None, page: Page, tmp_path: Path
) -> None:
    """Fill the rollback config in the Launchpad, launch, and see the run succeed."""
    # A table of its own with two versions, so the other tests' tables stay as materialised.
    store = DeltaStore(str(webserver.home / "lake"))
    for value in (1, 2):
        store.overwrite(["quarantine", "e2e_rollback"], pa.table({"x": [value]}))
    config = (
        "ops:\n  restore_table:\n    config:\n      table: quarantine/e2e_rollback\n"
        "      version: 0\n      reason: e2e launchpad rollback\n"
    )
    page.goto(f"{webserver.url}{LAUNCHPAD}")
    editor = page.locator(".CodeMirror").first
    expect(editor).to_be_visible(timeout=TIMEOUT_MS)
    page.evaluate(
        "(yaml) => document.querySelector('.CodeMirror').CodeMirror.setValue(yaml)", config
    )
    launch = page.get_by_role("button", name=re.compile("Launch run", re.I))
    expect(launch).to_be_enabled(timeout=TIMEOUT_MS)
    launch.click()
    page.wait_for_url(re.compile(r"/runs/[0-9a-f-]{36}"), timeout=TIMEOUT_MS)
    run_id = re.search(r"/runs/([0-9a-f-]{36})", page.url)[1]  # type: ignore[index]
    deadline = time.monotonic() + 240  # the daemon dequeues and launches it
    status = ""
    while time.monotonic() < deadline:
        status = webserver.graphql(RUN_STATUS_QUERY % run_id)["data"]["runOrError"]["status"]
        if status in ("SUCCESS", "FAILURE", "CANCELED"):
            break
        time.sleep(1)
    assert status == "SUCCESS", f"run {run_id}: {status}"
    expect(page.get_by_text("Success").first).to_be_visible(timeout=TIMEOUT_MS)
    assert store.table(["quarantine", "e2e_rollback"]).version() == 2
    _save_screenshot(page, tmp_path / "rollback_run.png")


RUNS_QUERY = "{ runsOrError { ... on Runs { results { runId status } } } }"


def _runs(webserver: Webserver) -> dict[str, str]:
    results = webserver.graphql(RUNS_QUERY)["data"]["runsOrError"]["results"]
    return {run["runId"]: run["status"] for run in results}


def test_materialise_one_partition_from_the_asset_page(
    webserver: Webserver, daemon: None, page: Page, tmp_path: Path
) -> None:
    """Click Materialize on bronze/customers, launch its one partition, see the run succeed."""
    before = set(_runs(webserver))
    page.goto(f"{webserver.url}/assets/bronze/customers")
    page.locator("button", has_text="Materialize").first.click()
    page.get_by_role("button", name="Latest", exact=True).click()
    expect(page.get_by_text("1 partition", exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    launch = page.get_by_role("button", name=re.compile(r"^Launch (1 run|backfill)$", re.I))
    expect(launch).to_be_enabled(timeout=TIMEOUT_MS)
    launch.click()
    deadline = time.monotonic() + 300
    new: dict[str, str] = {}
    while time.monotonic() < deadline:
        new = {k: v for k, v in _runs(webserver).items() if k not in before}
        if new and all(s in ("SUCCESS", "FAILURE", "CANCELED") for s in new.values()):
            break
        time.sleep(2)
    assert list(new.values()) == ["SUCCESS"], new
    _save_screenshot(page, tmp_path / "materialise_partition.png")
