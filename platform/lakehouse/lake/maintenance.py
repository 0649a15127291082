"""Delta table maintenance: compact small files, Z-order where it pays, vacuum safely.

Vacuum only deletes files that no version inside the rollback window still needs, and keeps
Delta's own guard (``enforce_retention_duration``): time travel and ``lakehouse rollback`` to
any version younger than the window keep working.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import pyarrow as pa
from deltalake import DeltaTable
from deltalake.exceptions import DeltaError

from lakehouse.lake.stats import table_stats_columns, writer_properties


class MaintenanceError(ValueError):
    """Maintenance refused to run; the message names the table and the setting to change."""


@dataclass(frozen=True)
class MaintenanceResult:
    """What maintenance did to one table."""

    uri: str
    version_before: int
    version_after: int
    files_before: int
    files_after: int
    bytes_before: int
    bytes_after: int
    files_rewritten: int
    files_vacuumed: int
    z_order: tuple[str, ...]
    retention_hours: int

    def as_metadata(self) -> dict[str, str | int]:
        """Materialisation-style metadata for the Dagster UI."""
        return {
            "table_uri": self.uri,
            "version_before": self.version_before,
            "version_after": self.version_after,
            "files_before": self.files_before,
            "files_after": self.files_after,
            "bytes_before": self.bytes_before,
            "bytes_after": self.bytes_after,
            "files_rewritten": self.files_rewritten,
            "files_vacuumed": self.files_vacuumed,
            "z_order": ", ".join(self.z_order) or "none",
            "vacuum_retention_hours": self.retention_hours,
        }


def live_files(table: DeltaTable) -> tuple[int, int]:
    """Number and total bytes of the files in the table's current version."""
    actions = pa.table(table.get_add_actions(flatten=True))
    sizes = actions.column("size_bytes").to_pylist() if actions.num_rows else []
    return len(sizes), int(sum(sizes))


def maintain_table(
    uri: str,
    storage_options: Mapping[str, str] | None,
    *,
    retention_days: int,
    z_order: Sequence[str] = (),
    z_order_since: tuple[str, date] | None = None,
) -> MaintenanceResult:
    """Compact (or Z-order by ``z_order``), then vacuum files older than ``retention_days``.

    ``z_order_since`` = (partition column, day) limits Z-ordering to partitions from that day
    on: Z-order rewrites every file it touches, so a weekly run orders the week's partitions.

    Raises:
        MaintenanceError: the retention is shorter than the table allows (Delta's
            ``delta.deletedFileRetentionDuration``, 7 days by default).
    """
    options = dict(storage_options or {}) or None
    table = DeltaTable(uri, storage_options=options)
    version_before = table.version()
    files_before, bytes_before = live_files(table)
    # The table's statistics restriction and row groups; ZSTD level 4, as delta-rs compacts.
    properties = writer_properties(table_stats_columns(table), "ZSTD", 4)
    if z_order:
        filters = None
        if z_order_since is not None:
            column, day = z_order_since
            filters = [(column, ">=", day.isoformat())]
        metrics = table.optimize.z_order(
            list(z_order), partition_filters=filters, writer_properties=properties
        )
    else:
        metrics = table.optimize.compact(writer_properties=properties)
    retention_hours = retention_days * 24
    try:
        vacuumed = table.vacuum(
            retention_hours=retention_hours, dry_run=False, enforce_retention_duration=True
        )
    except DeltaError as exc:
        if "retention" not in str(exc).lower():
            raise
        raise MaintenanceError(
            f"vacuum of {uri} refused a {retention_hours} h retention: {exc}. Set "
            "LAKEHOUSE_ROLLBACK_WINDOW_DAYS to at least the table's "
            "delta.deletedFileRetentionDuration (7 days by default)."
        ) from None
    table = DeltaTable(uri, storage_options=options)
    files_after, bytes_after = live_files(table)
    return MaintenanceResult(
        uri=uri,
        version_before=version_before,
        version_after=table.version(),
        files_before=files_before,
        files_after=files_after,
        bytes_before=bytes_before,
        bytes_after=bytes_after,
        files_rewritten=int(metrics.get("numFilesRemoved", 0)),
        files_vacuumed=len(vacuumed),
        z_order=tuple(z_order),
        retention_hours=retention_hours,
    )
