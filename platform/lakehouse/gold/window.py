"""The partition window of a gold build: an inclusive range of business dates.

The window reaches dbt as the vars ``min_date`` / ``max_date`` and the Delta writer as a
predicate. Both are only ever built from ``datetime.date`` values checked here, because a
wrong or unparsable predicate overwrite can replace far more than the window.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from lakehouse.lake.predicates import quote_identifier

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class WindowError(ValueError):
    """A partition window is malformed, or data lies outside it."""


def _as_date(name: str, value: object) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date | str):
        raise WindowError(f"{name}={value!r} is not a date: pass a datetime.date or 'YYYY-MM-DD'")
    if isinstance(value, dt.date):
        return value
    if not _ISO_DATE.fullmatch(value):
        raise WindowError(f"{name}={value!r} is not a date: use the form YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise WindowError(f"{name}={value!r} is not a calendar date") from None


@dataclass(frozen=True)
class DateWindow:
    """Business dates ``start`` to ``end``, both included."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
                raise WindowError(f"DateWindow.{name}={value!r} must be a datetime.date")
        if self.start > self.end:
            raise WindowError(f"window start {self.start} is after its end {self.end}")

    @classmethod
    def from_vars(cls, min_date: object, max_date: object) -> DateWindow | None:
        """The window of the dbt vars ``min_date`` / ``max_date``; None when both are unset.

        Raises:
            WindowError: only one is set, a value is not a ``YYYY-MM-DD`` date, or min > max.
        """
        unset = [v is None or v == "" for v in (min_date, max_date)]
        if all(unset):
            return None
        if any(unset):
            raise WindowError(
                f"min_date={min_date!r}, max_date={max_date!r}: pass both (YYYY-MM-DD) to rebuild "
                "a window of business dates, or neither to rebuild the whole table"
            )
        return cls(_as_date("min_date", min_date), _as_date("max_date", max_date))

    def dbt_vars(self) -> dict[str, str]:
        """The dbt vars selecting this window."""
        return {"min_date": self.start.isoformat(), "max_date": self.end.isoformat()}

    def days(self) -> list[dt.date]:
        """Every date of the window, in order."""
        return [self.start + dt.timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def predicate(self, column: str) -> str:
        """The delta-rs predicate selecting the window on the date column ``column``."""
        col = quote_identifier(column)
        return f"{col} >= '{self.start.isoformat()}' AND {col} <= '{self.end.isoformat()}'"

    def check_rows(self, data: pa.Table, column: str, table: str) -> None:
        """Check every row of ``data`` has ``column`` inside the window.

        Raises:
            WindowError: ``column`` is missing or not a date, or a row is null or outside.
        """
        if column not in data.column_names:
            raise WindowError(f"{table}: partition column {column!r} is not in {data.column_names}")
        values = data.column(column)
        if not pa.types.is_date(values.type):
            raise WindowError(
                f"{table}: partition column {column!r} has type {values.type}; cast it to date"
            )
        start = pa.scalar(self.start, values.type)
        end = pa.scalar(self.end, values.type)
        inside = pc.and_(pc.greater_equal(values, start), pc.less_equal(values, end))
        outside = data.filter(pc.invert(pc.fill_null(inside, False)))
        if outside.num_rows:
            example = outside.column(column)[0].as_py()
            raise WindowError(
                f"{table}: {outside.num_rows} row(s) have {column} outside the window "
                f"{self.start}..{self.end} (e.g. {example!r}); filter the model on the window "
                "(macro partition_window_filter) so a window build replaces only its own dates"
            )
