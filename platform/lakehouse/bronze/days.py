"""Ranges of landing days cut into chunks, and per-day check outcomes combined for a range."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date

from lakehouse.quality.audit import CheckOutcome

RANGE_ROWS = 2_000_000
"""Rows of one table a silver range run holds in memory (and writes in one commit), at most,
unless a single day holds more (~0.5 GB of bronze Arrow; silver's working set is 3-5x that)."""


def chunk_days(rows: Mapping[date, int], days: Sequence[date], limit: int) -> list[list[date]]:
    """``days`` in order, cut into runs of consecutive days holding at most ``limit`` (``rows``:
    each day's rows or bytes; a day over ``limit`` is a chunk of its own)."""
    chunks: list[list[date]] = []
    held = 0
    for day in sorted(days):
        count = rows.get(day, 0)
        if chunks and chunks[-1] and held + count <= limit:
            chunks[-1].append(day)
            held += count
        else:
            chunks.append([day])
            held = count
    return chunks


def combine_days(
    by_day: Mapping[date, Sequence[CheckOutcome]], unit: str = "days"
) -> list[CheckOutcome]:
    """One outcome per check for a range, from each day's outcomes (or each chunk's, keyed by
    its first day: ``unit="chunks"``): it passes when every day passed; a failure names the
    failing days and shows the first one's evidence."""
    days = sorted(by_day)
    if len(days) == 1:
        return list(by_day[days[0]])
    span = f"{len(days)} {unit} {days[0]}..{days[-1]}"
    names = list(dict.fromkeys(o.name for d in days for o in by_day[d]))
    combined = []
    for name in names:
        found = [(d, o) for d in days for o in by_day[d] if o.name == name]
        failed = [(d, o) for d, o in found if not o.passed]
        failing_rows = sum(o.failing_rows for _, o in found)
        if not failed:
            last_day, last = found[-1]
            description = f"{last.description} ({span}: every day passed; {last_day} shown)"
            combined.append(replace(last, description=description, failing_rows=failing_rows))
            continue
        first_day, first = failed[0]
        listed = ", ".join(str(d) for d, _ in failed[:5]) + (", …" if len(failed) > 5 else "")
        combined.append(
            replace(
                first,
                description=f"{len(failed)} of {span} failed ({listed}); {first_day}: "
                f"{first.description}",
                failing_rows=failing_rows,
                sample=[row for _, o in failed for row in o.sample][:5],
            )
        )
    return combined
