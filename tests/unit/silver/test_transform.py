"""Silver: typing, conforming, deduplication (latest wins), PII masking, clear errors."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from lakehouse.bronze.table import bronze_rows
from lakehouse.lake import DeltaStore
from lakehouse.silver import transform
from lakehouse.silver.transform import silver_schema, split_silver
from lakehouse.sources import LANDING_DATE, SourceSpec, load_sources

SPECS = {s.name: s for s in load_sources()}
DAY = date(2026, 1, 2)


def to_silver(bronze: pa.Table, spec: SourceSpec, key: str) -> pa.Table:
    return split_silver(bronze, spec, key).published


def bronze_of(spec: SourceSpec, rows: list[dict[str, str | None]]) -> pa.Table:
    columns = {c: [r.get(c) for r in rows] for c in spec.landed_columns}
    table = pa.table({c: pa.array(v, pa.string()) for c, v in columns.items()})
    ingested = datetime(2026, 1, 3, tzinfo=UTC)
    return bronze_rows(table, spec.landed_columns, "landing/f.jsonl", DAY, ingested)


def order(order_id: str | None = "O1", **overrides: str | None) -> dict[str, str | None]:
    row: dict[str, str | None] = {
        "order_id": order_id,
        "customer_id": "C1",
        "status": "Shipped",
        "order_total": "12.50",
        "currency": "usd",
        "created_at": "2026-01-01T23:30:00-05:00",
        "updated_at": "2026-01-02T05:00:00+00:00",
    }
    row.update(overrides)
    return row


def test_orders_are_typed_conformed_and_dated_in_utc() -> None:
    [row] = to_silver(bronze_of(SPECS["orders"], [order()]), SPECS["orders"], "k").to_pylist()
    assert row["status"] == "shipped"
    assert row["currency"] == "USD"
    assert row["order_total"] == Decimal("12.50")
    assert row["created_at"] == datetime(2026, 1, 2, 4, 30, tzinfo=UTC)
    assert row["order_date"] == date(2026, 1, 2)
    assert row["_landing_date"] == DAY


def test_schema_matches_the_declaration() -> None:
    table = to_silver(bronze_of(SPECS["orders"], [order()]), SPECS["orders"], "k")
    assert table.schema == silver_schema(SPECS["orders"])
    assert table.schema.field("order_total").type == pa.decimal128(12, 2)


def test_duplicates_keep_the_latest_version() -> None:
    rows = [
        order(status="pending", updated_at="2026-01-02T01:00:00Z"),
        order(status="delivered", updated_at="2026-01-02T09:00:00Z"),
        order(status="confirmed", updated_at="2026-01-02T03:00:00Z"),
        order("O2"),
    ]
    table = to_silver(bronze_of(SPECS["orders"], rows), SPECS["orders"], "k")
    by_id = {r["order_id"]: r["status"] for r in table.to_pylist()}
    assert by_id == {"O1": "delivered", "O2": "shipped"}


def customer(email: str) -> dict[str, str | None]:
    return {
        "customer_id": "C1",
        "name": "Ada Lovelace",
        "email": email,
        "phone": "+441234",
        "country": "gb",
        "signup_date": "2025-12-01",
        "updated_at": "2026-01-01T00:00:00Z",
    }


def test_pii_is_masked_with_a_keyed_hash() -> None:
    spec = SPECS["customers"]
    [masked] = to_silver(bronze_of(spec, [customer("Ada@Example.com")]), spec, "key-1").to_pylist()
    [same] = to_silver(bronze_of(spec, [customer("ada@example.com")]), spec, "key-1").to_pylist()
    [other_key] = to_silver(
        bronze_of(spec, [customer("ada@example.com")]), spec, "key-2"
    ).to_pylist()
    for column in ("name", "email", "phone"):
        assert masked[column].startswith("pii_")
        assert "ada" not in masked[column].lower()
    assert masked["email"] == same["email"], "equal emails (after lower-casing) give equal tokens"
    assert masked["email"] != other_key["email"], "the token depends on the key"
    assert masked["country"] == "GB"


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"order_total": "twelve"}, "type: order_total is not decimal(12,2)"),
        ({"created_at": "1767312000"}, "type: created_at is not timestamp"),
        ({"order_id": None}, "null: order_id is required"),
        ({"status": "teleported"}, "accepted_values: status not accepted"),
        ({"order_total": "-3.00"}, "range: order_total < 0"),
    ],
)
def test_invalid_rows_are_quarantined_with_their_reason(
    overrides: dict[str, str | None], reason: str
) -> None:
    second = {**order("O2"), **overrides}
    bronze = bronze_of(SPECS["orders"], [order("O1"), second])
    split = split_silver(bronze, SPECS["orders"], "k")
    assert split.published.column("order_id").to_pylist() == ["O1"]
    [rejected] = split.quarantined.to_pylist()
    assert rejected["reason"] == reason
    assert rejected["level"] == "row"
    assert rejected["_source_file"] == "landing/f.jsonl"
    assert split.invalid_rows == 1
    assert split.published.num_rows + split.quarantined.num_rows == bronze.num_rows


def test_duplicates_are_accounted_but_not_errors() -> None:
    rows = [order(updated_at="2026-01-02T01:00:00Z"), order(updated_at="2026-01-02T02:00:00Z")]
    split = split_silver(bronze_of(SPECS["orders"], rows), SPECS["orders"], "k")
    assert split.duplicate_rows == 1
    assert split.invalid_rows == 0
    assert split.invalid_share == 0
    assert split.quarantined.column("reason").to_pylist() == ["duplicate"]
    assert split.reasons == {"duplicate": 1}


def test_quarantined_records_keep_pii_masked() -> None:
    spec = SPECS["customers"]
    bad = customer("ada@example.com")
    bad["updated_at"] = "not a time"
    split = split_silver(bronze_of(spec, [bad]), spec, "k")
    [rejected] = split.quarantined.to_pylist()
    assert "ada@example.com" not in rejected["record"]
    assert "Ada Lovelace" not in rejected["record"]
    assert '"country":"gb"' in rejected["record"]


def test_empty_partition_gives_empty_silver() -> None:
    table = to_silver(bronze_of(SPECS["orders"], []), SPECS["orders"], "k")
    assert table.num_rows == 0
    assert table.schema == silver_schema(SPECS["orders"])


def test_a_streamed_split_of_several_files_equals_the_split_of_the_table(tmp_path: Path) -> None:
    spec = SPECS["orders"]
    store = DeltaStore(str(tmp_path / "lake"))
    ids = [f"O{i % 700}" for i in range(2_000)]  # duplicates across the files
    parts = [
        bronze_of(spec, [order(i, status="???" if n % 97 == 0 else "Shipped") for n, i in chunk])
        for chunk in (list(enumerate(ids))[:1_200], list(enumerate(ids))[1_200:])
    ]
    for part in parts:  # two files in the day's partition
        store.append(["bronze", "orders"], part, partition_by=[LANDING_DATE])
    scan = store.scan(["bronze", "orders"], filter_column=LANDING_DATE, filter_value=DAY)
    bronze = store.read(["bronze", "orders"], filter_column=LANDING_DATE, filter_value=DAY)
    streamed, whole = split_silver(scan, spec, "k"), split_silver(bronze, spec, "k")
    published_ids = streamed.published.column("order_id").to_pylist()
    assert len(set(published_ids)) == len(published_ids) == 700  # every key once
    assert streamed.published.num_rows + streamed.quarantined.num_rows == 2_000
    assert streamed.published.equals(whole.published)
    assert streamed.quarantined.equals(whole.quarantined)
    assert (streamed.invalid_rows, streamed.duplicate_rows) == (
        whole.invalid_rows,
        whole.duplicate_rows,
    )
    assert streamed.invalid_rows > 0 and streamed.duplicate_rows > 0


def test_keys_sharing_a_hash_are_still_ranked_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = SPECS["orders"]
    ids = [f"O{i % 50}" for i in range(200)]  # four versions of each key, some invalid
    rows = [
        order(i, status="???" if n % 7 == 0 else "Shipped", updated_at=f"2026-01-02T0{n % 4}:00Z")
        for n, i in enumerate(ids)
    ]
    expected = split_silver(bronze_of(spec, rows), spec, "k")
    ranked_sql = transform._ranked_sql
    # Every key hashes alike: each valid row is a candidate, ranked among its own key only.
    monkeypatch.setattr(
        transform, "_ranked_sql", lambda s: ranked_sql(s).replace("hash(", "0 * hash(")
    )
    collided = split_silver(bronze_of(spec, rows), spec, "k")
    assert collided.published.equals(expected.published)
    assert collided.quarantined.equals(expected.quarantined)
    assert (collided.invalid_rows, collided.duplicate_rows) == (
        expected.invalid_rows,
        expected.duplicate_rows,
    )
    assert expected.published.num_rows == 50 and expected.duplicate_rows > 0
