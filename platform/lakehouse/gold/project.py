"""What the Dagster side needs to run the dbt project: where it is, its env and its vars.

Contract (see ``dbt_project/README.md``): partitioned marts rebuild a window of business dates
(``order_date``); no window rebuilds everything. Dagster hands the root and window over in the
run's context file (``run_context``); by hand they are the vars ``lakehouse_root``,
``min_date`` / ``max_date``.
For a window of landing days, :func:`rebuild_window` gives the business dates whose rows
landed then (late rows included), and those whose dimension attribution the type-2 versions
landed then can change (``attribution``), so their marts' partitions are rebuilt.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from lakehouse.gold.attribution import attributed_dates
from lakehouse.gold.window import DateWindow
from lakehouse.lake import DeltaStore
from lakehouse.quality.trends import key_range
from lakehouse.settings import Settings, project_dir
from lakehouse.sources import LANDING_DATE, load_sources

DBT_PROJECT_DIR = project_dir() / "dbt_project"
"""The dbt project; its ``profiles.yml`` is in the same folder (``--profiles-dir``)."""

PROJECT_SOURCES = (
    *("models", "macros", "tests", "seeds", "snapshots", "analyses", "dbt_packages"),
    *("dbt_project.yml", "profiles.yml", "packages.yml", "dependencies.yml", "selectors.yml"),
    "catalogs.yml",
)
"""What ``dbt parse`` reads, under the dbt project folder (absent ones are skipped)."""

PARTITION_COLUMN = "order_date"
"""The business date the daily-partitioned marts are partitioned by."""

PARTITIONED_MARTS = ("orders_daily", "revenue_by_product_category_daily")
"""Marts whose Delta tables are partitioned by ``PARTITION_COLUMN`` (a window replaces days)."""


def project_files(dbt_project: Path) -> list[Path]:
    """The files ``dbt parse`` reads in the dbt project folder ``dbt_project``, in a stable
    order."""
    found: list[Path] = []
    for name in PROJECT_SOURCES:
        path = dbt_project / name
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file()))
        elif path.is_file():
            found.append(path)
    return found


def dbt_env(settings: Settings) -> dict[str, str]:
    """Environment variables a dbt invocation needs on top of the process environment."""
    return {
        "LAKEHOUSE_ROOT": settings.root,
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
        **settings.storage_options,
    }


def dbt_vars(
    root: str | None = None, window: DateWindow | None = None, as_of: dt.date | None = None
) -> dict[str, str]:
    """The dbt vars for a build: the lakehouse root (None: dbt reads ``LAKEHOUSE_ROOT``), a
    window of business dates (None: all) and the recency day."""
    variables = {"lakehouse_root": root} if root else {}
    variables.update(window.dbt_vars() if window is not None else {})
    if as_of is not None:
        if isinstance(as_of, dt.datetime) or not isinstance(as_of, dt.date):
            raise TypeError(f"as_of={as_of!r} must be a datetime.date")
        variables["as_of"] = as_of.isoformat()
    return variables


def touched_order_dates(
    root: str, landing: DateWindow, storage_options: Mapping[str, str] | None = None
) -> list[dt.date]:
    """Business dates (``order_date``) of the orders and order lines that landed in ``landing``.

    A late row lands after its business date, so these can lie before the landing window.
    Raises ``lakehouse.lake.TableNotFoundError`` if silver orders or order_items is missing.
    """
    store = DeltaStore(root, storage_options)
    orders = store.dataset(["silver", "orders"])
    lines = store.dataset(["silver", "order_items"])
    landed = (pc.field(LANDING_DATE) >= landing.start) & (pc.field(LANDING_DATE) <= landing.end)
    # use_threads=False: a threaded scan through deltalake's filesystem can abort the
    # interpreter at exit ("terminate called without an active exception").
    landed_orders = orders.to_table(
        columns=["order_id", "order_date"], filter=landed, use_threads=False
    )
    landed_lines = lines.to_table(columns=["order_id"], filter=landed, use_threads=False)
    # A line of an order landed in the window adds that order's date, already found: only
    # the other lines' orders (late lines of earlier orders) are looked up.
    ids = pc.unique(landed_lines["order_id"])
    ids = ids.filter(pc.invert(pc.is_in(ids, landed_orders["order_id"].combine_chunks())))
    dates = landed_orders["order_date"].chunks
    if len(ids):
        of_lines = pc.field("order_id").isin(ids)
        # The ids' range lets file statistics skip the files of other days (time-ordered
        # ids): the lookup reads the landed days' neighbourhood, not the whole orders table.
        span = key_range(pa.chunked_array([ids]), orders.schema.field("order_id"))
        line_orders = orders.to_table(
            columns=["order_date"],
            filter=of_lines if span is None else span & of_lines,
            use_threads=False,
        )
        dates = [*dates, *line_orders["order_date"].chunks]
    found = pc.unique(pa.chunked_array(dates, pa.date32()))
    return sorted(d for d in found.to_pylist() if d is not None)


def rebuild_window(
    root: str, landing: DateWindow, storage_options: Mapping[str, str] | None = None
) -> DateWindow | None:
    """The window of business dates to rebuild after ``landing`` days landed; None if none.

    It covers the dates of the facts that landed (late rows included) and of the facts that
    dimension versions landed then can re-attribute: a version landing after the facts it
    applies to rebuilds their days, so any build order ends in the same marts. The window
    spans every such date (days in between are rebuilt too, unchanged).
    """
    store = DeltaStore(root, storage_options)
    touched = touched_order_dates(root, landing, storage_options)
    # Days between the first and last touched date are rebuilt anyway: only an attributed
    # date outside them can widen the window, so the facts of those days are not read.
    covered = DateWindow(touched[0], touched[-1]) if touched else None
    dates = {*touched, *attributed_dates(store, load_sources(), PARTITION_COLUMN, landing, covered)}
    return DateWindow(min(dates), max(dates)) if dates else None
