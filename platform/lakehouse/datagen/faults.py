"""Named faults injected into one source's landed data: pure functions on tables and bytes.

Row faults change the day's table before it is split into files and mark the rows they touch
in the hidden ``_faults`` bit column; file faults act on the serialised bytes of the parts.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from lakehouse.datagen.columns import SECONDS_PER_DAY
from lakehouse.datagen.domain import SOURCES, Format
from lakehouse.datagen.writers import Payload

FAULTS: tuple[str, ...] = (
    "null_keys",
    "duplicate_delivery",
    "unknown_enum",
    "negative_amount",
    "late_rows",
    "schema_drift_additive",
    "schema_drift_breaking",
    "truncated_file",
    "corrupt_file",
    "empty_file",
)
FILE_FAULTS = ("truncated_file", "corrupt_file", "empty_file")
FAULT_BITS = "_faults"
_MAX_LINE = 1 << 20

KEYS = {
    "customers": "customer_id",
    "products": "product_id",
    "orders": "order_id",
    "order_items": "order_id",
    "payments": "payment_id",
    "web_events": "event_id",
}
ENUMS = {
    "orders": ("status", "teleported"),
    "payments": ("status", "lost_in_transit"),
    "web_events": ("event_type", "teleport"),
}
AMOUNTS = {
    "orders": "order_total",
    "order_items": "unit_price",
    "payments": "amount",
    "products": "price",
}
EVENT_TIMES = {
    "customers": "updated_at",
    "products": "updated_at",
    "orders": "created_at",
    "payments": "paid_at",
    "web_events": "occurred_at",
}
ADDITIVE = {
    "customers": ("loyalty_tier", ("bronze", "silver", "gold")),
    "products": ("brand", ("Acme", "Globex", "Initech")),
    "orders": ("coupon_code", ("WELCOME10", "BLACKFRIDAY", "FREESHIP")),
    "order_items": ("promo_code", ("BUNDLE2", "CLEARANCE")),
    "payments": ("card_brand", ("visa", "mastercard", "amex")),
    "web_events": ("referrer", ("google", "newsletter", "instagram")),
}
# (renamed column, its new name, column whose type changes)
BREAKING = {
    "customers": ("email", "email_address", "updated_at"),
    "products": ("price", "list_price", "updated_at"),
    "orders": ("order_total", "total_amount", "created_at"),
    "order_items": ("unit_price", "price", "quantity"),
    "payments": ("amount", "amount_paid", "paid_at"),
    "web_events": ("event_type", "type", "occurred_at"),
}
_APPLIES_TO = {
    "unknown_enum": ENUMS,
    "negative_amount": AMOUNTS,
    "late_rows": EVENT_TIMES,
}
SHARES = {
    "null_keys": 0.02,
    "duplicate_delivery": 0.01,
    "unknown_enum": 0.02,
    "negative_amount": 0.02,
    "late_rows": 0.05,
}


def check_faults(faults: Sequence[str], source: str) -> tuple[str, ...]:
    """Validate fault names against ``source``; return them deduplicated in canonical order.

    Raises:
        ValueError: an unknown source or fault name, or a fault that cannot apply to the source.
    """
    if source not in SOURCES:
        raise ValueError(f"unknown fault source {source!r}; valid sources: {', '.join(SOURCES)}")
    unknown = sorted(set(faults) - set(FAULTS))
    if unknown:
        raise ValueError(
            f"unknown fault(s) {', '.join(unknown)}; valid faults: {', '.join(FAULTS)}"
        )
    for fault, applicable in _APPLIES_TO.items():
        if fault in faults and source not in applicable:
            raise ValueError(
                f"fault {fault!r} does not apply to source {source!r}; "
                f"it applies to: {', '.join(applicable)}"
            )
    return tuple(f for f in FAULTS if f in faults)


def fault_names(bits: pa.Array | pa.ChunkedArray) -> tuple[str, ...]:
    """Faults whose bit is set on any row of ``bits``."""
    combined = int(np.bitwise_or.reduce(bits.to_numpy(), initial=0))
    return tuple(f for i, f in enumerate(FAULTS) if combined & (1 << i))


def _sample(rng: np.random.Generator, n: int, share: float) -> np.ndarray:
    """Sorted indices of about ``share`` of ``n`` rows, at least one."""
    return np.sort(rng.choice(n, size=min(n, max(1, round(share * n))), replace=False))


def _replace(table: pa.Table, name: str, values: pa.Array) -> pa.Table:
    i = table.schema.get_field_index(name)
    field = table.schema.field(i)
    return table.set_column(i, pa.field(name, values.type, metadata=field.metadata), values)


def _numpy(table: pa.Table, name: str) -> np.ndarray:
    return table.column(name).to_numpy().copy()


def _set_at(table: pa.Table, name: str, idx: np.ndarray, value: pa.Scalar) -> pa.Table:
    """``table`` with ``value`` written into column ``name`` at rows ``idx``."""
    mask = np.zeros(table.num_rows, bool)
    mask[idx] = True
    column = table.column(name).combine_chunks()
    return _replace(table, name, pc.if_else(pa.array(mask), value.cast(column.type), column))


def _retype(column: pa.Array) -> pa.Array:
    """Timestamps become epoch seconds (int64); integers become text."""
    if pa.types.is_timestamp(column.type):
        return pc.cast(column.cast(pa.timestamp("s", tz="UTC")), pa.int64())
    return pc.cast(column, pa.string())


def apply_row_faults(
    table: pa.Table, source: str, faults: Sequence[str], rng: np.random.Generator
) -> pa.Table:
    """Inject the row-level ``faults`` into one day's ``table`` of ``source``."""
    n = table.num_rows
    bits = np.zeros(n, np.int32)

    def mark(fault: str, idx: np.ndarray | slice) -> None:
        bits[idx] |= 1 << FAULTS.index(fault)

    if "late_rows" in faults:
        name, idx = EVENT_TIMES[source], _sample(rng, n, SHARES["late_rows"])
        epoch = pc.cast(table.column(name), pa.int64()).to_numpy().copy()
        epoch[idx] -= rng.integers(1, 4, len(idx)) * SECONDS_PER_DAY
        table = _replace(table, name, pa.array(epoch).cast(table.schema.field(name).type))
        mark("late_rows", idx)
    if "null_keys" in faults:
        idx = _sample(rng, n, SHARES["null_keys"])
        table = _set_at(table, KEYS[source], idx, pa.scalar(None, pa.string()))
        mark("null_keys", idx)
    if "unknown_enum" in faults:
        (name, bogus), idx = ENUMS[source], _sample(rng, n, SHARES["unknown_enum"])
        table = _set_at(table, name, idx, pa.scalar(bogus))
        mark("unknown_enum", idx)
    if "negative_amount" in faults:
        name, idx = AMOUNTS[source], _sample(rng, n, SHARES["negative_amount"])
        cents = _numpy(table, name)
        cents[idx] = -np.abs(cents[idx]) - (cents[idx] == 0)
        table = _replace(table, name, pa.array(cents, pa.int64()))
        mark("negative_amount", idx)
    if "schema_drift_additive" in faults:
        name, values = ADDITIVE[source]
        choice = pc.take(
            pa.array([*values, *[None] * len(values)], pa.string()),
            pa.array(rng.integers(0, 2 * len(values), n)),
        )  # half stay null
        table = table.append_column(pa.field(name, pa.string()), choice)
        mark("schema_drift_additive", slice(None))
    if "schema_drift_breaking" in faults:
        old, new, retyped = BREAKING[source]
        i = table.schema.get_field_index(retyped)
        table = table.set_column(i, retyped, _retype(table.column(retyped).combine_chunks()))
        table = table.rename_columns({old: new})
        mark("schema_drift_breaking", slice(None))
    table = table.append_column(FAULT_BITS, pa.array(bits))
    if "duplicate_delivery" in faults:
        idx = _sample(rng, n, SHARES["duplicate_delivery"])
        bits_mask = 1 << FAULTS.index("duplicate_delivery")
        table = _replace(table, FAULT_BITS, pa.array(bits | np.isin(np.arange(n), idx) * bits_mask))
        table = table.take(pa.array(np.sort(np.concatenate([np.arange(n), idx]))))
    return table


def _cut_inside_record(chunk: pa.Buffer, at: int) -> int:
    """A cut position inside the first field of the text record that holds byte ``at``."""
    window_start = max(0, at - _MAX_LINE)
    window = chunk.slice(window_start, min(2 * _MAX_LINE, chunk.size - window_start)).to_pybytes()
    line_start = window.rfind(b"\n", 0, at - window_start) + 1
    separator = window.find(b",", line_start)
    if separator < 0:
        separator = window.find(b"\n", line_start)
    return window_start + line_start + max(1, (separator - line_start) // 2)


def truncate(payload: Payload, fmt: Format) -> Payload:
    """Cut the file around 60% of its bytes; text files inside the first field of a record.

    A CSV header is never the cut record, so a truncated file always fails to parse.
    """
    target = int(sum(chunk.size for chunk in payload) * 0.6)
    k, start = 0, 0
    while k < len(payload) - 1 and target >= start + payload[k].size:
        start += payload[k].size
        k += 1
    if fmt == "parquet":
        return [*payload[:k], payload[k].slice(0, target - start)]
    if fmt == "csv" and k == 0:  # the header is chunk 0: cut the first record instead
        k, start = 1, target
    cut = _cut_inside_record(payload[k], target - start)
    return [*payload[:k], payload[k].slice(0, cut)]


def garbage(rng: np.random.Generator, fmt: Format) -> Payload:
    """Bytes that no JSON, CSV or Parquet reader accepts (not valid UTF-8, ragged columns)."""
    noise = rng.integers(0, 256, 48, dtype=np.uint8).tobytes()
    return [pa.py_buffer(b"\xff\xfe\x00\x01,,,not " + fmt.encode() + b"\n" + noise + b"\n{[\n")]
