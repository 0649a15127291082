"""Vectorised column builders and formatters over numpy and Arrow (no per-row Python)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from lakehouse.datagen.domain import HOUR_SHARES_WEEKDAY, HOUR_SHARES_WEEKEND, MONEY_META

SECONDS_PER_DAY = 86_400
TIMESTAMP = pa.timestamp("s", tz="UTC")
_EPOCH = date(1970, 1, 1)


def day_start(day: date) -> int:
    """Epoch seconds of midnight UTC starting ``day``."""
    return (day - _EPOCH).days * SECONDS_PER_DAY


def is_weekend(day: date) -> bool:
    """Saturday or Sunday."""
    return day.weekday() >= 5


def diurnal_times(rng: np.random.Generator, n: int, day: date) -> np.ndarray:
    """``n`` epoch seconds on ``day`` (UTC), drawn from the day's hourly activity profile."""
    shares = HOUR_SHARES_WEEKEND if is_weekend(day) else HOUR_SHARES_WEEKDAY
    hours = rng.choice(24, size=n, p=shares)
    return day_start(day) + hours * 3600 + rng.integers(0, 3600, size=n)


def prefixed_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """Identifiers like ``P00042``: prefix plus the number zero-padded to ``width``."""
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers, pa.int64()), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


ID_DIGITS = {"C": 7, "O": 7, "PAY": 7, "S": 8, "E": 9}
"""Sequence digits per id prefix: room for 10 M orders a day, with their payments and events."""


def day_ids(prefix: str, day: date, n: int) -> pa.Array:
    """``n`` ids unique to ``day``: ``prefix``, the day as ``YYYYMMDD``, a zero-padded sequence.

    E.g. ``O202611200000042``: the 42nd order landed on 2026-11-20.
    """
    return prefixed_ids(f"{prefix}{day:%Y%m%d}", np.arange(1, n + 1), ID_DIGITS[prefix])


def customer_ids(numbers: np.ndarray) -> pa.Array:
    """Customer ids ``C<YYYYMMDD><sequence>`` from their numbers (see :func:`customer_numbers`)."""
    return prefixed_ids("C", numbers, 8 + ID_DIGITS["C"])


def customer_numbers(day: date, first: int, n: int) -> np.ndarray:
    """Numbers of ``n`` customers first delivered on ``day``, the ``first``-th of the day onwards.

    A customer keeps the number (and id) for life: ``<YYYYMMDD of first delivery><sequence>``.
    """
    room = 10 ** ID_DIGITS["C"]
    if first + n > room:
        raise ValueError(f"more than {room - 1} new customers on {day}: lower rows_per_day")
    stamp = day.year * 10**4 + day.month * 100 + day.day
    return stamp * room + np.arange(first, first + n, dtype=np.int64)


def pick(values: Sequence[str], idx: np.ndarray) -> pa.Array:
    """Strings ``values[idx]`` as an Arrow array."""
    return pc.take(pa.array(values, pa.string()), pa.array(idx, pa.int64()))


def timestamps(epoch_s: np.ndarray) -> pa.Array:
    """Epoch seconds as ``timestamp[s, UTC]``."""
    return pa.array(np.asarray(epoch_s, dtype=np.int64), pa.int64()).cast(TIMESTAMP)


def make_table(columns: Mapping[str, pa.Array], money: Sequence[str] = ()) -> pa.Table:
    """A table whose ``money`` columns (int64 cents) carry the money marker in field metadata."""
    fields = [
        pa.field(name, arr.type, metadata=MONEY_META if name in money else None)
        for name, arr in columns.items()
    ]
    return pa.Table.from_arrays(list(columns.values()), schema=pa.schema(fields))


def is_money(field: pa.Field) -> bool:
    """Whether ``field`` holds cents to render as an amount."""
    return (field.metadata or {}) == MONEY_META


def _with_nulls_of(source: pa.Array, values: pa.Array) -> pa.Array:
    if source.null_count == 0:
        return values
    return pc.if_else(pc.is_null(source), pa.scalar(None, values.type), values)


def format_cents(cents: pa.Array) -> pa.Array:
    """Cents as decimal text with two places (``-3.05``); nulls stay null."""
    raw = cents.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    absolute = np.abs(raw)
    whole = pc.cast(pa.array(absolute // 100), pa.string())
    frac = pc.utf8_lpad(pc.cast(pa.array(absolute % 100), pa.string()), 2, "0")
    sign = pc.if_else(pa.array(raw < 0), "-", "")
    return _with_nulls_of(cents, pc.binary_join_element_wise(sign, whole, ".", frac, ""))


@cache
def _clock_table() -> pa.Array:
    seconds = np.arange(SECONDS_PER_DAY).astype("datetime64[s]")
    return pa.array(np.char.partition(np.datetime_as_string(seconds), "T")[:, 2].tolist())


def _offset_text(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def format_timestamps(ts: pa.Array, offsets_min: np.ndarray | None, zulu: bool) -> pa.Array:
    """ISO-8601 text: local time plus ``+HH:MM`` offset, or UTC with a ``Z`` suffix."""
    epoch = ts.cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    offsets = np.zeros(len(epoch), np.int64) if offsets_min is None else offsets_min
    local = epoch + offsets.astype(np.int64) * 60
    days = local // SECONDS_PER_DAY
    first = int(days.min()) if len(days) else 0
    last = int(days.max()) if len(days) else 0
    dates = pa.array(np.datetime_as_string(np.arange(first, last + 1).astype("datetime64[D]")))
    date_text = pc.take(dates, pa.array(days - first))
    clock_text = pc.take(_clock_table(), pa.array(local % SECONDS_PER_DAY))
    if zulu:
        suffix: pa.Array | str = "Z"
    else:
        unique, inverse = np.unique(offsets, return_inverse=True)
        suffix = pick([_offset_text(int(m)) for m in unique], inverse)
    return _with_nulls_of(ts, pc.binary_join_element_wise(date_text, "T", clock_text, suffix, ""))
