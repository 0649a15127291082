"""A real browser (Debian Chromium driven by Playwright) renders the lakehouse in the Dagster UI.

Install the browser with ``scripts/install-browser.sh``. Without it the tests skip locally and fail
under CI (``CI`` set). Screenshots go to each test's ``tmp_path`` and, when
``LAKEHOUSE_SCREENSHOTS`` names a directory, are copied there too.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import pytest
from playwright.sync_api import Browser, FloatRect, Page, expect, sync_playwright

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
