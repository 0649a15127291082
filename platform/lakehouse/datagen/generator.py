"""``generate``: land N days of synthetic e-commerce files, optionally with injected faults."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from pyarrow import fs as pafs

from lakehouse.datagen import faults as fx
from lakehouse.datagen.behaviour import BehaviourShift, ordering_world
from lakehouse.datagen.dimensions import customers_for_day, products_for_day
from lakehouse.datagen.domain import SOURCES, SPLIT_MIN_ROWS_PER_DAY, SourceSpec
from lakehouse.datagen.events import web_events_for_day
from lakehouse.datagen.facts import orders_for_day
from lakehouse.datagen.state import World
from lakehouse.datagen.writers import Payload, serialise

_FAULT_STREAM = 99
_CATALOGUE_STREAM = 98


@dataclass(frozen=True)
class GeneratedFile:
    """One landed file. ``rows`` counts the rows serialised into it before any byte-level fault
    (a truncated file holds fewer readable rows; corrupt and empty extras count 0)."""

    source: str
    day: date
    path: str
    rows: int
    format: str
    faults: tuple[str, ...]


@dataclass(frozen=True)
class GenerationReport:
    """Every file a :func:`generate` call landed, in writing order."""

    files: list[GeneratedFile]

    def rows_by_source(self) -> dict[str, int]:
        """Rows landed per source (redelivered files count again)."""
        totals = dict.fromkeys(SOURCES, 0)
        for f in self.files:
            totals[f.source] += f.rows
        return totals

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: the files and the rows per source."""
        files = [
            {
                "source": f.source,
                "day": f.day.isoformat(),
                "path": f.path,
                "rows": f.rows,
                "format": f.format,
                "faults": list(f.faults),
            }
            for f in self.files
        ]
        return {"files": files, "rows_by_source": self.rows_by_source()}


def _resolve(
    out: str, storage_options: Mapping[str, str] | None
) -> tuple[pafs.FileSystem, str, str]:
    """Filesystem, root path inside it, and the URI prefix to report paths under."""
    if out.startswith("s3://") and storage_options:
        from lakehouse.lake.filesystems import filesystem_for

        filesystem, root = filesystem_for(out, storage_options)
        return filesystem, root.rstrip("/"), out.rstrip("/")
    if "://" in out:
        filesystem, root = pafs.FileSystem.from_uri(out)
        return filesystem, root.rstrip("/"), out.split("?", 1)[0].rstrip("/")
    root = str(Path(out).expanduser().absolute())
    return pafs.LocalFileSystem(), root, root


def _rng(seed: int, day: date, stream: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, day.toordinal(), stream]))


def _canonical(names: set[str] | Sequence[str]) -> tuple[str, ...]:
    return tuple(f for f in fx.FAULTS if f in names)


def _files_for_day(
    spec: SourceSpec,
    day: date,
    table: pa.Table,
    faults: tuple[str, ...],
    rng: np.random.Generator,
    rows_per_day: int,
) -> list[tuple[str, Payload, int, tuple[str, ...]]]:
    """(file name, bytes, rows, faults) of one source's delivery on ``day``."""
    if faults:
        table = fx.apply_row_faults(table, spec.name, faults, rng)
    stem = f"{spec.name}_{day:%Y%m%d}"
    n_parts = 2 if spec.split and rows_per_day >= SPLIT_MIN_ROWS_PER_DAY else 1
    size = -(-table.num_rows // n_parts)
    files: list[tuple[str, Payload, int, tuple[str, ...]]] = []
    for k in range(n_parts):
        part = table.slice(k * size, size)
        marked = fx.fault_names(part.column(fx.FAULT_BITS)) if faults else ()
        files.append(
            (f"{stem}_part{k + 1:02d}.{spec.ext}", serialise(part, spec), len(part), marked)
        )
    if "truncated_file" in faults:
        name, data, rows, marked = files[-1]
        files[-1] = (name, fx.truncate(data, spec.format), rows, (*marked, "truncated_file"))
    if "duplicate_delivery" in faults:
        _, data, rows, marked = files[0]
        again = _canonical({*marked, "duplicate_delivery"})
        files.insert(1, (f"{stem}_part01_redelivery.{spec.ext}", data, rows, again))
    if "empty_file" in faults:
        files.append((f"{stem}_part98.{spec.ext}", [], 0, ("empty_file",)))
    if "corrupt_file" in faults:
        files.append(
            (f"{stem}_part99.{spec.ext}", fx.garbage(rng, spec.format), 0, ("corrupt_file",))
        )
    return [(name, data, rows, _canonical(marked)) for name, data, rows, marked in files]


def _same_content(filesystem: pafs.FileSystem, path: str, payload: Payload) -> bool:
    """Whether ``path`` already holds exactly ``payload`` (compared chunk by chunk)."""
    info = filesystem.get_file_info(path)
    if info.type != pafs.FileType.File or info.size != sum(chunk.size for chunk in payload):
        return False
    with filesystem.open_input_stream(path) as stream:
        return all(stream.read(chunk.size) == chunk.to_pybytes() for chunk in payload)


def _write(filesystem: pafs.FileSystem, path: str, payload: Payload) -> None:
    """Write ``payload`` unless the file already holds it: an identical file keeps its
    modification time, so regenerating a day (a second ``make run``) delivers nothing new."""
    if _same_content(filesystem, path, payload):
        return
    with filesystem.open_output_stream(path, compression=None) as stream:
        for chunk in payload:
            stream.write(chunk)


def generate(
    out: str,
    start: date,
    days: int,
    rows_per_day: int,
    *,
    faults: Sequence[str] = (),
    seed: int = 42,
    fault_source: str = "orders",
    storage_options: Mapping[str, str] | None = None,
    shift: BehaviourShift | None = None,
) -> GenerationReport:
    """Land ``days`` days of all six sources under ``out``, starting at ``start``.

    Files go to ``<out>/<source>/<YYYY-MM-DD>/<source>_<YYYYMMDD>_part<NN>.<ext>``; ``out`` is
    a local path or a ``file://`` / ``s3://`` URI (query options such as ``?region=`` go to
    ``pyarrow.fs.FileSystem.from_uri``); with ``storage_options`` (the lakehouse's ``AWS_*``
    settings: endpoint, region, credentials) an ``s3://`` URI is opened with those instead.
    The same arguments give byte-identical files. Fact ids carry their day
    (``O<YYYYMMDD><seq>``, see :func:`~lakehouse.datagen.columns.day_ids`), customers keep the
    id of their first delivery day and the catalogue comes from the seed alone, so calls over
    different days never reuse an id. Generating a day again with the same arguments leaves its
    files untouched (same bytes, same modification time: no new delivery for the sensor); the
    ``duplicate_delivery`` fault re-delivers on purpose.
    ``faults`` are injected into ``fault_source`` on every day. ``shift`` changes how often a
    segment orders from its day on (without it, the output is as before).

    Raises:
        ValueError: ``days`` or ``rows_per_day`` below 1, a negative ``seed``, an unknown fault
            or source, or a fault that does not apply to ``fault_source``.
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    if rows_per_day < 1:
        raise ValueError(f"rows_per_day must be at least 1, got {rows_per_day}")
    if seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    if isinstance(start, datetime):
        start = start.date()
    chosen = fx.check_faults([faults] if isinstance(faults, str) else faults, fault_source)
    filesystem, root, base = _resolve(out, storage_options)
    world = World()
    catalogue = np.random.default_rng(np.random.SeedSequence([seed, _CATALOGUE_STREAM]))
    report: list[GeneratedFile] = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        tables = {
            "products": products_for_day(world, _rng(seed, day, 0), day, catalogue),
            "customers": customers_for_day(world, _rng(seed, day, 1), day, rows_per_day),
        }
        buyers = ordering_world(world, shift, day)
        order_day = orders_for_day(buyers, _rng(seed, day, 2), day, rows_per_day)
        tables["orders"] = order_day.orders
        tables["order_items"] = order_day.order_items
        tables["payments"] = order_day.payments
        tables["web_events"] = web_events_for_day(world, _rng(seed, day, 3), day, rows_per_day)
        for source, spec in SOURCES.items():
            active = chosen if source == fault_source else ()
            folder = f"{source}/{day.isoformat()}"
            filesystem.create_dir(f"{root}/{folder}", recursive=True)
            delivered = _files_for_day(
                spec, day, tables[source], active, _rng(seed, day, _FAULT_STREAM), rows_per_day
            )
            for name, data, rows, marked in delivered:
                _write(filesystem, f"{root}/{folder}/{name}", data)
                path = f"{base}/{folder}/{name}"
                report.append(GeneratedFile(source, day, path, rows, spec.format, marked))
    return GenerationReport(report)
