"""A scanner for planted PII values: lakehouse files, Dagster storage, text.

Matching is case-insensitive (raw, lower- and upper-case variants alike). Parquet files are
compressed, so they are decoded: every column value, every row group's footer statistics
and the key-value metadata; any other file is searched as text.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq


@dataclass(frozen=True)
class Hit:
    """A planted value found: which one, and where (file or table, and what part of it)."""

    needle: str
    where: str

    def __str__(self) -> str:
        return f"{self.needle!r} in {self.where}"


def find(needles: Sequence[str], text: str, where: str) -> list[Hit]:
    """The needles ``text`` contains, ignoring case."""
    folded = text.casefold()
    return [Hit(n, where) for n in needles if n.casefold() in folded]


def parquet_texts(path: Path) -> Iterator[tuple[str, str]]:
    """(part, text) of a parquet file: ``values`` (decoded), ``footer`` (stats), ``metadata``."""
    parquet = pq.ParquetFile(path)
    meta = parquet.metadata
    yield "metadata", json.dumps({str(k): str(v) for k, v in (meta.metadata or {}).items()})
    stats = []
    for group in range(meta.num_row_groups):
        for index in range(meta.num_columns):
            statistics = meta.row_group(group).column(index).statistics
            if statistics is not None and statistics.has_min_max:
                stats.append(f"{statistics.min!r} {statistics.max!r}")
    yield "footer", "\n".join(stats)
    table = parquet.read()
    yield "values", "\n".join(repr(table.column(c).to_pylist()) for c in table.column_names)


def scan_parquet(path: Path, needles: Sequence[str]) -> list[Hit]:
    """Hits in a parquet file's values, footer statistics and metadata."""
    return [h for part, text in parquet_texts(path) for h in find(needles, text, f"{path} {part}")]


def sqlite_dump(path: Path) -> str:
    """Every row of every table of a SQLite database (its WAL included), as text."""
    con = sqlite3.connect(path)
    try:
        tables = [r[0] for r in con.execute("select name from sqlite_master where type='table'")]
        return "\n".join(
            repr(row)
            for table in tables
            for row in con.execute(f'select * from "{table}"')  # names from sqlite_master
        )
    finally:
        con.close()


def scan_tree(
    root: Path, needles: Sequence[str], skip: Iterable[Path] = (), sqlite: bool = True
) -> tuple[list[Hit], int]:
    """Hits in every file under ``root`` but ``skip``, and the number of files scanned.

    Parquet files are decoded; SQLite databases are dumped row by row (``sqlite``) and their
    bytes searched too; anything else is searched as UTF-8 text (undecodable bytes replaced).
    """
    skipped = {p.resolve() for p in skip}
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.resolve() not in skipped)
    # Every file's bytes first: opening a database (the dump) checkpoints its write-ahead log
    # into it and deletes the ``-wal`` and ``-shm`` files a running instance leaves beside it.
    texts = {p: p.read_bytes().decode("utf-8", "replace") for p in files if p.suffix != ".parquet"}
    hits: list[Hit] = []
    for path in files:
        if path.suffix == ".parquet":
            hits += scan_parquet(path, needles)
            continue
        if sqlite and path.suffix == ".db":
            hits += find(needles, sqlite_dump(path), f"{path} rows")
        hits += find(needles, texts[path], str(path))
    return hits, len(files)
