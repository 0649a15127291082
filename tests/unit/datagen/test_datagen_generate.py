"""generate(): landing layout, formats and columns, determinism, URIs, and argument errors."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq
import pytest

from lakehouse.datagen import FAULTS, SOURCES, GenerationReport, generate
from lakehouse.sources import load_sources

START = date(2026, 11, 20)

# What bronze reads from each source's landed files (its declaration).
LANDED = {spec.name: spec.landed_columns for spec in load_sources()}


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def read_landed(path: Path) -> pa.Table:
    """Read a landed file the way bronze would, with string types where inference would lie."""
    if path.suffix == ".jsonl":
        return pajson.read_json(path)
    if path.suffix == ".csv":
        options = pacsv.ConvertOptions(column_types={"phone": pa.string()})
        return pacsv.read_csv(path, convert_options=options)
    return pq.read_table(path)


def test_layout_is_one_folder_per_source_per_day_with_numbered_parts(
    clean_landing: tuple[Path, GenerationReport],
) -> None:
    root, report = clean_landing
    expected = set()
    for offset in range(3):
        day = START + timedelta(days=offset)
        for source, spec in SOURCES.items():
            parts = 2 if spec.split else 1
            for k in range(1, parts + 1):
                expected.add(
                    f"{source}/{day:%Y-%m-%d}/{source}_{day:%Y%m%d}_part{k:02d}.{spec.ext}"
                )
    assert set(_files(root)) == expected
    assert {str(Path(f.path).relative_to(root)) for f in report.files} == expected


def test_small_days_are_not_split(tmp_path: Path) -> None:
    generate(str(tmp_path), START, 1, 9)
    assert sorted(p.name for p in (tmp_path / "orders" / "2026-11-20").iterdir()) == [
        "orders_20261120_part01.jsonl"
    ]


@pytest.mark.parametrize("source", list(SOURCES))
def test_every_file_reads_with_exactly_the_declared_columns(
    clean_landing: tuple[Path, GenerationReport], source: str
) -> None:
    _root, report = clean_landing
    files = [f for f in report.files if f.source == source]
    assert files
    columns = list(SOURCES[source].columns)
    assert sorted(columns) == sorted(LANDED[source])
    for f in files:
        table = read_landed(Path(f.path))
        assert table.column_names == columns
        assert table.num_rows == f.rows > 0
        assert f.format == SOURCES[source].format


def test_payments_parquet_types(clean_landing: tuple[Path, GenerationReport]) -> None:
    _root, report = clean_landing
    path = next(Path(f.path) for f in report.files if f.source == "payments")
    schema = pq.read_schema(path)
    assert schema.field("amount").type == pa.float64()
    assert schema.field("paid_at").type == pa.timestamp("us", tz="UTC")
    assert schema.field("payment_id").type == pa.string()


def test_orders_are_exactly_rows_per_day_and_report_counts_match(
    clean_landing: tuple[Path, GenerationReport],
) -> None:
    _root, report = clean_landing
    for offset in range(3):
        day = START + timedelta(days=offset)
        rows = [f.rows for f in report.files if f.source == "orders" and f.day == day]
        assert sum(rows) == 40
    totals = report.rows_by_source()
    assert list(totals) == list(SOURCES)
    for source, total in totals.items():
        landed = sum(read_landed(Path(f.path)).num_rows for f in report.files if f.source == source)
        assert landed == total
    summary = report.to_dict()
    json.dumps(summary)
    assert summary["rows_by_source"] == totals
    assert summary["files"][0]["day"] == "2026-11-20"


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    generate(str(tmp_path / "a"), START, 2, 30, seed=3, faults=["late_rows", "null_keys"])
    generate(str(tmp_path / "b"), START, 2, 30, seed=3, faults=["late_rows", "null_keys"])
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


def test_different_seed_gives_different_data(tmp_path: Path) -> None:
    generate(str(tmp_path / "a"), START, 1, 30, seed=3)
    generate(str(tmp_path / "b"), START, 1, 30, seed=4)
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a.keys() == b.keys()
    assert all(a[name] != b[name] for name in a)


def test_earlier_days_do_not_depend_on_how_many_days_follow(tmp_path: Path) -> None:
    generate(str(tmp_path / "two"), START, 2, 25)
    generate(str(tmp_path / "three"), START, 3, 25)
    two, three = _files(tmp_path / "two"), _files(tmp_path / "three")
    assert {k: v for k, v in three.items() if "2026-11-22" not in k} == two


def test_file_uri_output(tmp_path: Path) -> None:
    report = generate(tmp_path.as_uri() + "/landing", START, 1, 12)
    orders = [f for f in report.files if f.source == "orders"]
    assert orders[0].path == (
        f"{tmp_path.as_uri()}/landing/orders/2026-11-20/orders_20261120_part01.jsonl"
    )
    assert (
        tmp_path / "landing" / "orders" / "2026-11-20" / "orders_20261120_part02.jsonl"
    ).is_file()


def test_relative_local_path_is_reported_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    report = generate("rel", START, 1, 1)
    assert all(Path(f.path).is_absolute() and Path(f.path).is_file() for f in report.files)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"days": 0}, "days must be at least 1"),
        ({"rows_per_day": 0}, "rows_per_day must be at least 1"),
        ({"seed": -1}, "seed must be a non-negative"),
        ({"faults": ["gremlins"]}, "unknown fault"),
        ({"fault_source": "invoices"}, "unknown fault source 'invoices'"),
        ({"faults": ["unknown_enum"], "fault_source": "customers"}, "does not apply"),
        ({"faults": ["negative_amount"], "fault_source": "web_events"}, "does not apply"),
        ({"faults": ["late_rows"], "fault_source": "order_items"}, "does not apply"),
    ],
)
def test_invalid_arguments_raise_clear_errors(
    tmp_path: Path, kwargs: dict[str, object], message: str
) -> None:
    arguments: dict[str, object] = {"days": 1, "rows_per_day": 5} | kwargs
    with pytest.raises(ValueError, match=message):
        generate(str(tmp_path), START, **arguments)  # type: ignore[arg-type]
    assert not any(tmp_path.iterdir())


def test_unknown_fault_error_lists_valid_names(tmp_path: Path) -> None:
    with pytest.raises(ValueError) as error:
        generate(str(tmp_path), START, 1, 5, faults=["gremlins"])
    assert all(name in str(error.value) for name in FAULTS)
