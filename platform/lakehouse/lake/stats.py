"""Which columns a Delta table keeps min/max statistics on, so that raw PII stays in its data.

Delta copies each file's min/max values into its log (``add`` actions, checkpoints) and
parquet into every data file's footer: for a table of raw PII (bronze) both would put landed
emails and names where readers of the metadata see them. A table restricted to a list of
statistics columns records the list as the Delta property ``delta.dataSkippingStatsColumns``
(which delta-rs honours on every write and on compaction), and its data files get footer
statistics only for those columns. The list is an allow-list, so a column the table gains
later (schema drift) has no statistics until someone lists it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Literal

from deltalake import ColumnProperties, DeltaTable, WriterProperties

STATS_COLUMNS = "delta.dataSkippingStatsColumns"
"""The Delta table property naming the only columns whose min/max values are collected."""
_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def stats_property(columns: Sequence[str]) -> str:
    """The property value for ``columns``: comma-separated, odd names quoted with backticks."""
    quoted = (c if _PLAIN.match(c) else "`" + c.replace("`", "``") + "`" for c in columns)
    return ",".join(quoted)


def parse_stats_property(value: str) -> list[str]:
    """The column names of a ``delta.dataSkippingStatsColumns`` value (inverse of the above)."""
    names: list[str] = []
    current: list[str] = []
    quoted, i = False, 0
    while i < len(value):
        char = value[i]
        if quoted and char == "`" and value[i + 1 : i + 2] == "`":
            current.append("`")
            i += 1
        elif char == "`":
            quoted = not quoted
        elif char == "," and not quoted:
            names.append("".join(current).strip())
            current = []
        else:
            current.append(char)
        i += 1
    names.append("".join(current).strip())
    return [n for n in names if n]


def table_stats_columns(table: DeltaTable | None) -> list[str] | None:
    """The columns ``table`` keeps statistics on, or None (every column: Delta's default)."""
    if table is None:
        return None
    value = table.metadata().configuration.get(STATS_COLUMNS)
    return None if value is None else parse_stats_property(value)


ROW_GROUP_ROWS = 122_880
"""Rows per parquet row group of every data file the platform writes (DuckDB's own size).

A reader decodes a whole row group at once: at delta-rs's default (1,048,576 rows) one row
group of a large source's day is hundreds of MB, so a scan is bounded by the row group, not by
its batch size. Smaller groups let a day be streamed (silver's split reads bronze so)."""


def writer_properties(
    stats_columns: Sequence[str] | None,
    compression: Literal["SNAPPY", "ZSTD"] = "SNAPPY",
    compression_level: int | None = None,
) -> WriterProperties:
    """Parquet settings of a write: bounded row groups, ``compression`` (snappy, as delta-rs
    writes; its compaction uses ZSTD level 4), and column statistics only for ``stats_columns``
    (None: every column's, the default)."""
    restricted = {}
    if stats_columns is not None:
        restricted = {
            "default_column_properties": ColumnProperties(statistics_enabled="NONE"),
            "column_properties": {
                c: ColumnProperties(statistics_enabled="PAGE") for c in stats_columns
            },
        }
    return WriterProperties(
        compression=compression,
        compression_level=compression_level,
        max_row_group_size=ROW_GROUP_ROWS,
        **restricted,
    )


def restrict_stats(table: DeltaTable | None, columns: Sequence[str] | None) -> dict[str, Any]:
    """``write_deltalake`` arguments that keep min/max statistics to ``columns``.

    With ``columns`` None the table's own restriction, if any, holds for this write too. A new
    table is created with the property; an existing table without it, or with another list,
    gets it in a commit of its own before the write (older files keep the statistics they were
    written with until they are rewritten). Every write gets ``writer_properties``.
    """
    if columns is None:
        return {"writer_properties": writer_properties(table_stats_columns(table))}
    value = stats_property(columns)
    args: dict[str, Any] = {"writer_properties": writer_properties(columns)}
    if table is None:
        args["configuration"] = {STATS_COLUMNS: value}
    elif table.metadata().configuration.get(STATS_COLUMNS) != value:
        table.alter.set_table_properties({STATS_COLUMNS: value})
    return args
