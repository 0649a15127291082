"""Each named fault lands its specific symptom, on every day, and only in the chosen source."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq
import pytest

from lakehouse.datagen import FAULTS, GeneratedFile, GenerationReport, generate

START = date(2026, 11, 20)
DAYS = 2
ROWS = 20
ORDER_STATUSES = {"pending", "confirmed", "shipped", "delivered", "cancelled"}


def _run(out: Path, fault: str, source: str = "orders") -> GenerationReport:
    return generate(str(out), START, DAYS, ROWS, faults=[fault], fault_source=source, seed=11)


def _day_files(report: GenerationReport, source: str) -> dict[date, list[GeneratedFile]]:
    days: dict[date, list[GeneratedFile]] = {}
    for f in report.files:
        if f.source == source:
            days.setdefault(f.day, []).append(f)
    assert len(days) == DAYS
    return days


def _orders(files: list[GeneratedFile]) -> list[dict]:
    return [json.loads(line) for f in files for line in Path(f.path).read_text().splitlines()]


def _read(path: Path) -> pa.Table:
    if path.suffix == ".jsonl":
        return pajson.read_json(path)
    if path.suffix == ".csv":  # empty CSV fields are nulls
        options = pacsv.ConvertOptions(strings_can_be_null=True)
        return pacsv.read_csv(path, convert_options=options)
    return pq.read_table(path)


def _utc_date(text: str) -> date:
    return datetime.fromisoformat(text).astimezone(UTC).date()


def check_null_keys(day: date, files: list[GeneratedFile]) -> None:
    assert any(o["order_id"] is None for o in _orders(files))


def check_duplicate_delivery(day: date, files: list[GeneratedFile]) -> None:
    by_name = {Path(f.path).name: Path(f.path) for f in files}
    stem = f"orders_{day:%Y%m%d}"
    original = by_name[f"{stem}_part01.jsonl"].read_bytes()
    assert by_name[f"{stem}_part01_redelivery.jsonl"].read_bytes() == original
    originals = [f for f in files if "redelivery" not in f.path]
    ids = [o["order_id"] for o in _orders(originals)]
    assert len(ids) > len(set(ids)) and len(set(ids)) == ROWS


def check_unknown_enum(day: date, files: list[GeneratedFile]) -> None:
    assert {o["status"] for o in _orders(files)} - ORDER_STATUSES


def check_negative_amount(day: date, files: list[GeneratedFile]) -> None:
    assert any(o["order_total"] < 0 for o in _orders(files))


def check_late_rows(day: date, files: list[GeneratedFile]) -> None:
    created = [_utc_date(o["created_at"]) for o in _orders(files)]
    late = [c for c in created if c < day]
    assert late and all(day - timedelta(days=3) <= c for c in late)
    ids = [o["order_id"] for o in _orders(files)]
    assert len(ids) == len(set(ids)) == ROWS


def check_schema_drift_additive(day: date, files: list[GeneratedFile]) -> None:
    orders = _orders(files)
    assert all(list(o)[-1] == "coupon_code" for o in orders)
    assert {type(o["coupon_code"]) for o in orders} <= {str, type(None)}
    assert _read(Path(files[0].path)).column_names[-1] == "coupon_code"


def check_schema_drift_breaking(day: date, files: list[GeneratedFile]) -> None:
    for o in _orders(files):
        assert "order_total" not in o and "total_amount" in o
        assert isinstance(o["created_at"], int)
        assert datetime.fromtimestamp(o["created_at"], UTC).date() == day


def check_truncated_file(day: date, files: list[GeneratedFile]) -> None:
    last = Path(files[-1].path)
    assert last.name.endswith("_part02.jsonl")
    assert not last.read_bytes().endswith(b"\n")
    with pytest.raises(pa.ArrowInvalid):
        pajson.read_json(last)
    _read(Path(files[0].path))  # the other part is intact


def check_corrupt_file(day: date, files: list[GeneratedFile]) -> None:
    corrupt = Path(files[-1].path)
    assert corrupt.name == f"orders_{day:%Y%m%d}_part99.jsonl"
    with pytest.raises(pa.ArrowInvalid):
        pajson.read_json(corrupt)


def check_empty_file(day: date, files: list[GeneratedFile]) -> None:
    empty = Path(files[-1].path)
    assert empty.name == f"orders_{day:%Y%m%d}_part98.jsonl"
    assert empty.stat().st_size == 0


CHECKS: dict[str, Callable[[date, list[GeneratedFile]], None]] = {
    "null_keys": check_null_keys,
    "duplicate_delivery": check_duplicate_delivery,
    "unknown_enum": check_unknown_enum,
    "negative_amount": check_negative_amount,
    "late_rows": check_late_rows,
    "schema_drift_additive": check_schema_drift_additive,
    "schema_drift_breaking": check_schema_drift_breaking,
    "truncated_file": check_truncated_file,
    "corrupt_file": check_corrupt_file,
    "empty_file": check_empty_file,
}


def test_every_fault_has_a_check() -> None:
    assert set(CHECKS) == set(FAULTS)


@pytest.mark.parametrize("fault", FAULTS)
def test_fault_symptom_on_every_day(tmp_path: Path, fault: str) -> None:
    report = _run(tmp_path, fault)
    for day, files in _day_files(report, "orders").items():
        CHECKS[fault](day, files)
        assert any(fault in f.faults for f in files)


@pytest.mark.parametrize("fault", FAULTS)
def test_other_sources_are_untouched(
    tmp_path: Path, clean_run: dict[str, bytes], fault: str
) -> None:
    _run(tmp_path, fault)
    for name, content in clean_run.items():
        if not name.startswith("orders/"):
            assert (tmp_path / name).read_bytes() == content, name


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    root = tmp_path_factory.mktemp("clean_faults")
    generate(str(root), START, DAYS, ROWS, seed=11)
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_clean_files_carry_no_faults(clean_landing: tuple[Path, GenerationReport]) -> None:
    assert all(f.faults == () for f in clean_landing[1].files)


def test_all_faults_together(tmp_path: Path) -> None:
    report = generate(str(tmp_path), START, DAYS, ROWS, faults=FAULTS, seed=11)
    for day, files in _day_files(report, "orders").items():
        names = sorted(Path(f.path).name for f in files)
        stem = f"orders_{day:%Y%m%d}"
        assert names == [
            f"{stem}_part01.jsonl",
            f"{stem}_part01_redelivery.jsonl",
            f"{stem}_part02.jsonl",
            f"{stem}_part98.jsonl",
            f"{stem}_part99.jsonl",
        ]
        recorded = {fault for f in files for fault in f.faults}
        assert recorded == set(FAULTS)


# Faults on the other sources: (fault, source, assertion on the first day's first file table)
def _first_table(report: GenerationReport, source: str) -> pa.Table:
    return _read(Path(next(f.path for f in report.files if f.source == source)))


@pytest.mark.parametrize(
    ("fault", "source", "symptom"),
    [
        ("null_keys", "payments", lambda t: t["payment_id"].null_count > 0),
        ("null_keys", "customers", lambda t: t["customer_id"].null_count > 0),
        ("null_keys", "web_events", lambda t: t["event_id"].null_count > 0),
        ("unknown_enum", "payments", lambda t: "lost_in_transit" in t["status"].to_pylist()),
        ("unknown_enum", "web_events", lambda t: "teleport" in t["event_type"].to_pylist()),
        ("negative_amount", "payments", lambda t: min(t["amount"].to_pylist()) < 0),
        ("negative_amount", "products", lambda t: min(t["price"].to_pylist()) < 0),
        ("negative_amount", "order_items", lambda t: min(t["unit_price"].to_pylist()) < 0),
        ("schema_drift_additive", "payments", lambda t: "card_brand" in t.column_names),
        (
            "schema_drift_breaking",
            "payments",
            lambda t: "amount_paid" in t.column_names and t["paid_at"].type == pa.int64(),
        ),
        (
            "schema_drift_breaking",
            "order_items",
            lambda t: "price" in t.column_names and "unit_price" not in t.column_names,
        ),
        (
            "late_rows",
            "payments",
            lambda t: min(v.date() for v in t["paid_at"].to_pylist()) < START,
        ),
    ],
)
def test_faults_on_other_sources(
    tmp_path: Path, fault: str, source: str, symptom: Callable[[pa.Table], bool]
) -> None:
    report = _run(tmp_path, fault, source)
    assert symptom(_first_table(report, source))
    assert not any(f.faults for f in report.files if f.source != source)


@pytest.mark.parametrize("source", ["customers", "payments", "web_events"])
@pytest.mark.parametrize("fault", ["truncated_file", "corrupt_file"])
def test_broken_files_fail_to_parse_in_every_format(
    tmp_path: Path, fault: str, source: str
) -> None:
    report = _run(tmp_path, fault, source)
    broken = [f for f in report.files if fault in f.faults]
    assert len(broken) == DAYS
    for f in broken:
        with pytest.raises(pa.ArrowInvalid):
            _read(Path(f.path))
