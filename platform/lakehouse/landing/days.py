"""Landed days: days with landing folders (never calendar gaps), and their file fingerprints.

A folder under a source that is not a date (``orders/latest/``) or lies in the future
(``orders/2099-01-01/``) gets no run; it is reported, one line each.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from pyarrow import fs

from lakehouse.lake.filesystems import filesystem_for
from lakehouse.landing.scan import scan_landing
from lakehouse.sources import load_sources

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class LandedDays:
    """Days with a landing folder of any declared source, and the folders that were ignored."""

    days: list[date]
    ignored: list[str]


def _day(name: str) -> date | None:
    if not _DAY.match(name):
        return None
    try:
        return date.fromisoformat(name)
    except ValueError:
        return None


def find_landed_days(
    landing_root: str, today: date, storage_options: Mapping[str, str] | None = None
) -> LandedDays:
    """Landed days up to ``today`` (sorted); other folders under each source's folder are
    listed in ``ignored`` as one line each."""
    filesystem, base = filesystem_for(landing_root, storage_options)
    days: set[date] = set()
    ignored = []
    for spec in load_sources():
        folder = spec.landing.path.split("{date}", 1)[0].rstrip("/")
        path = f"{base.rstrip('/')}/{folder}"
        if filesystem.get_file_info(path).type != fs.FileType.Directory:
            continue
        for entry in filesystem.get_file_info(fs.FileSelector(path)):
            if entry.type != fs.FileType.Directory:
                continue
            day = _day(entry.base_name)
            where = f"{folder}/{entry.base_name}/"
            if day is None:
                ignored.append(f"{where}: not a landing day (YYYY-MM-DD): no run")
            elif day > today:
                ignored.append(f"{where}: in the future (today is {today}): no run")
            else:
                days.add(day)
    return LandedDays(sorted(days), sorted(ignored))


def day_fingerprints(
    landing_root: str, day: date, storage_options: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Fingerprint of each source's files for ``day`` (changes when a file arrives or changes)."""
    inventory = scan_landing(landing_root, load_sources(), day, storage_options)
    return {source: d.fingerprint for source, d in inventory.get(day, {}).items()}


def changed_sources(before: Mapping[str, str], after: Mapping[str, str]) -> list[str]:
    """Sources whose files for the day arrived, changed or vanished between two fingerprints."""
    return sorted(s for s in before.keys() | after.keys() if before.get(s) != after.get(s))
