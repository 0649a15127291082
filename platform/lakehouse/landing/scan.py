"""Inventory of the landing zone: which files each source delivered for which day.

One listing per source (recursive, from the static folder of its declared path pattern), on a
local folder or an ``s3://`` prefix alike. Each file is fingerprinted by size and modification
time, so a re-delivered file with new content gets a new fingerprint without reading it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from pyarrow import fs

from lakehouse.lake.filesystems import filesystem_for
from lakehouse.sources import SourceSpec

_DATE = r"(?P<date>\d{4}-\d{2}-\d{2})"


@dataclass(frozen=True)
class DeliveredFile:
    """One landing file: its path under the landing root, size and modification time."""

    path: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Delivery:
    """The files one source delivered for one day."""

    source: str
    day: date
    files: tuple[DeliveredFile, ...]

    @property
    def fingerprint(self) -> str:
        """Changes when a file is added, removed or rewritten (size or modification time)."""
        digest = hashlib.sha256()
        for f in sorted(self.files, key=lambda f: f.path):
            digest.update(f"{f.path}\0{f.size}\0{f.mtime_ns}\n".encode())
        return digest.hexdigest()[:16]

    @property
    def newest_ns(self) -> int:
        """Modification time of the newest file (ns since the epoch)."""
        return max(f.mtime_ns for f in self.files)


def _glob_regex(piece: str) -> str:
    return re.escape(piece).replace(r"\*", "[^/]*").replace(r"\?", "[^/]")


def pattern_regex(path: str) -> re.Pattern[str]:
    """A regex for a declared landing path (``orders/{date}/*.jsonl``) capturing the day."""
    head, _, tail = path.partition("{date}")
    return re.compile(_glob_regex(head) + _DATE + _glob_regex(tail))


def static_folder(path: str) -> str:
    """The folder of a declared landing path before any ``{date}`` or wildcard."""
    folders = []
    for segment in path.split("/")[:-1]:
        if "{date}" in segment or any(c in segment for c in "*?["):
            break
        folders.append(segment)
    return "/".join(folders)


def _list(filesystem: fs.FileSystem, base: str, folder: str) -> Iterable[fs.FileInfo]:
    path = f"{base.rstrip('/')}/{folder}".rstrip("/")
    selector = fs.FileSelector(path, recursive=True, allow_not_found=True)
    return (i for i in filesystem.get_file_info(selector) if i.type == fs.FileType.File)


def scan_landing(
    landing_root: str,
    specs: Iterable[SourceSpec],
    since: date,
    storage_options: Mapping[str, str] | None = None,
) -> dict[date, dict[str, Delivery]]:
    """Deliveries per day (from ``since`` on) and source; days and sources without files absent."""
    filesystem, base = filesystem_for(landing_root, storage_options)
    prefix = base.rstrip("/") + "/"
    found: dict[tuple[date, str], list[DeliveredFile]] = {}
    for spec in specs:
        regex = pattern_regex(spec.landing.path)
        for info in _list(filesystem, base, static_folder(spec.landing.path)):
            relative = info.path.removeprefix(prefix)
            match = regex.fullmatch(relative)
            if match is None:
                continue
            try:
                day = date.fromisoformat(match["date"])
            except ValueError:
                continue
            if day < since:
                continue
            size = info.size or 0
            found.setdefault((day, spec.name), []).append(
                DeliveredFile(relative, size, info.mtime_ns or 0)
            )
    inventory: dict[date, dict[str, Delivery]] = {}
    for (day, source), files in sorted(found.items()):
        files.sort(key=lambda f: f.path)
        inventory.setdefault(day, {})[source] = Delivery(source, day, tuple(files))
    return inventory
