"""`lakehouse sql` reads the registered tables and nothing else.

Tiny real Delta tables (written with ``DeltaStore``) under ``tmp_path``; the command runs
through ``main([...])`` with ``LAKEHOUSE_ROOT`` pointing at them. Every attack an analyst could
try (write files, read files, read the process environment, extensions, settings, raw PII in
bronze) is refused with one line and exit code 1 or 2; ordinary queries still answer.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from lakehouse.cli import main
from lakehouse.lake import DeltaStore
from lakehouse.lake.catalog import connect
from lakehouse.lake.sandbox import ENGINEER_LAYERS, EngineerAccessError, layers_for
from lakehouse.settings import Environment

RAW_EMAIL = "ada@example.com"
PII_KEY = "pii-key-that-must-not-leak"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """bronze/customers (raw e-mail), silver customers and orders, a gold mart, quarantine."""
    lake = tmp_path / "lake"
    store = DeltaStore(str(lake))
    store.overwrite(["bronze", "customers"], pa.table({"id": [1, 2], "email": [RAW_EMAIL, "b@x"]}))
    store.overwrite(
        ["silver", "customers"],
        pa.table({"customer_id": [1, 2], "email": ["tok_1", "tok_2"], "country": ["DE", "FR"]}),
    )
    store.overwrite(
        ["silver", "orders"],
        pa.table(
            {
                "order_id": [10, 11, 12],
                "customer_id": [1, 1, 2],
                "order_date": [date(2026, 1, 1), date(2026, 1, 1), date(2026, 1, 2)],
                "order_total": [5.0, 7.5, 20.0],
            }
        ),
    )
    store.overwrite(
        ["gold", "orders_daily"],
        pa.table({"order_date": [date(2026, 1, 1), date(2026, 1, 2)], "orders": [2, 1]}),
    )
    store.overwrite(
        ["quarantine", "orders"], pa.table({"reason": ["bad total"], "record": ['{"id":"tok"}']})
    )
    return lake


@pytest.fixture
def lakehouse_env(root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A dev environment rooted at ``root``, with a PII key and credentials that must not leak."""
    for name in list(os.environ):
        if name.startswith(("LAKEHOUSE_", "AWS_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("LAKEHOUSE_ROOT", str(root))
    monkeypatch.setenv("LAKEHOUSE_LANDING", str(root.parent / "landing"))
    monkeypatch.setenv("LAKEHOUSE_PII_KEY", PII_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws-secret-that-must-not-leak")
    return root


def _sql(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["sql", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _assert_refused(code: int, out: str, err: str) -> None:
    assert code in (1, 2), (code, out, err)
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    assert PII_KEY not in out + err
    assert RAW_EMAIL not in out + err


@pytest.mark.parametrize(
    "query",
    [
        "copy (select 1) to '{tmp}/x.csv'",
        "copy silver.orders to '{tmp}/orders.parquet' (format parquet)",
        "copy (select 1) to '{root}/silver/orders/_delta_log/00000000000000000002.json'",
        "select * from read_csv('/etc/passwd')",
        "select * from read_text('/proc/self/environ')",
        "select * from read_blob('/proc/self/environ')",
        "select * from read_parquet('{root}/bronze/customers/*.parquet')",
        "select * from glob('{root}/*')",
        "attach '{tmp}/other.duckdb'",
        "install httpfs",
        "load httpfs",
        "set enable_external_access = true",
        "set lock_configuration = false",
        "reset enable_external_access",
        "set memory_limit = '64GB'",
    ],
)
def test_every_attack_is_refused_with_one_line(
    query: str, lakehouse_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    code, out, err = _sql(capsys, query.format(tmp=outside, root=lakehouse_env))
    _assert_refused(code, out, err)
    assert err.startswith("query refused: "), err
    assert list(outside.iterdir()) == []
    assert not (lakehouse_env / "silver/orders/_delta_log/00000000000000000002.json").exists()


def test_the_process_environment_is_out_of_reach(
    lakehouse_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _sql(capsys, "select content from read_text('/proc/self/environ')")
    _assert_refused(code, out, err)
    assert "aws-secret-that-must-not-leak" not in out + err
    assert "file system operations are disabled" in err


def test_bronze_is_hidden_from_analysts(
    lakehouse_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _sql(capsys, "select min(email) from bronze.customers")
    _assert_refused(code, out, err)
    assert err.startswith("query failed: Catalog Error"), err
    assert "--engineer" in err
    # Not registered at all, so not reachable under its hidden name either.
    code, out, err = _sql(capsys, "select min(email) from __bronze__customers")
    _assert_refused(code, out, err)


def test_bronze_is_visible_to_an_engineer_in_dev(
    lakehouse_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _sql(capsys, "--engineer", "select min(email) as e from bronze.customers")
    assert (code, err) == (0, "")
    assert RAW_EMAIL in out


def test_the_engineer_flag_is_refused_outside_dev(
    lakehouse_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LAKEHOUSE_ENV", "staging")
    code, out, err = _sql(capsys, "--engineer", "select min(email) from bronze.customers")
    assert code == 2
    assert err.startswith("refused: --engineer") and "LAKEHOUSE_ENV=staging" in err
    _assert_refused(code, out, err)
    # The analysts' view still works in staging.
    code, out, err = _sql(capsys, "select count(*) as n from silver.orders")
    assert (code, err) == (0, "")


def test_filters_joins_and_aggregates_across_silver_and_gold_still_work(
    lakehouse_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    query = """
        with revenue as (
            select o.order_date, c.country, sum(o.order_total) as revenue
            from silver.orders as o
            join silver.customers as c using (customer_id)
            where o.order_total > 6
            group by all
        )
        select r.order_date, r.country, r.revenue, g.orders
        from revenue as r join gold.orders_daily as g using (order_date)
        order by r.order_date
    """
    code, out, err = _sql(capsys, query)
    assert (code, err) == (0, "")
    assert "7.5" in out and "20.0" in out and "DE" in out and "FR" in out


def test_quarantine_is_queryable(lakehouse_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _sql(capsys, "select reason from quarantine.orders")
    assert (code, err) == (0, "")
    assert "bad total" in out


def test_registered_datasets_stay_readable_once_external_access_is_off(root: Path) -> None:
    con, names = connect(str(root))
    assert names == ["gold.orders_daily", "quarantine.orders", "silver.customers", "silver.orders"]
    assert con.execute("select current_setting('enable_external_access')").fetchone() == (False,)
    assert con.execute("select current_setting('lock_configuration')").fetchone() == (True,)
    assert con.execute("select sum(order_total) from silver.orders").fetchone() == (32.5,)
    with pytest.raises(duckdb.PermissionException):
        con.sql("select * from read_text('/proc/self/environ')").fetchall()


def test_python_variables_are_not_scanned(root: Path) -> None:
    secret_rows = pa.table({"secret": ["hunter2"]})  # a replacement scan would find this
    con, _ = connect(str(root))
    with pytest.raises(duckdb.CatalogException):
        con.sql("select * from secret_rows").fetchall()
    assert secret_rows.num_rows == 1


def test_engineer_layers_only_in_dev() -> None:
    assert layers_for(Environment.DEV, engineer=True) == ENGINEER_LAYERS
    assert "bronze" not in layers_for(Environment.PROD)
    for env in (Environment.STAGING, Environment.PROD):
        with pytest.raises(EngineerAccessError, match=f"LAKEHOUSE_ENV={env.value}"):
            layers_for(env, engineer=True)
