"""Data diff of a branch's tables against the base at the pinned versions, by key, in DuckDB.

Only the partitions the branch changed are read: a seeded branch table starts as a copy of
the pinned base (version 0), so the partitions whose files changed since are the ones whose
rows may differ. Sample keys are masked when a key column is PII.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from deltalake import DeltaTable

from lakehouse.branches.pins import Branch
from lakehouse.lake import duck
from lakehouse.lake.branch_store import seeded_version
from lakehouse.lake.catalog import discover_tables
from lakehouse.lake.reader import arrow_dataset
from lakehouse.sources import LANDING_DATE, SourceSpec

SAMPLE_SIZE = 5
MASK = "***"


@dataclass
class TableDiff:
    """How one branch table differs from its base at the pinned version."""

    table: str
    keys: list[str]
    base_version: int | None
    branch_version: int
    partitions: list[str] | None = None
    """The partition values compared (None: the whole table)."""
    added_columns: list[str] = field(default_factory=list)
    removed_columns: list[str] = field(default_factory=list)
    retyped_columns: list[str] = field(default_factory=list)
    base_rows: int = 0
    branch_rows: int = 0
    only_in_base: int = 0
    only_in_branch: int = 0
    changed_rows: int = 0
    column_changes: dict[str, int] = field(default_factory=dict)
    samples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def differs(self) -> bool:
        """True when schema or rows differ."""
        return bool(
            self.added_columns
            or self.removed_columns
            or self.retyped_columns
            or self.only_in_base
            or self.only_in_branch
            or self.changed_rows
        )

    def as_json(self) -> dict[str, Any]:
        """The diff as plain JSON values."""
        return {**asdict(self), "differs": self.differs}


def table_keys(
    table: str,
    specs: Mapping[str, SourceSpec],
    mart_keys: Mapping[str, Sequence[str]] | None = None,
) -> tuple[list[str], set[str]]:
    """The key columns of a lakehouse table and its PII columns: from the declarations, or
    for a mart from ``mart_keys`` (its uniqueness test in the dbt YAML, ``gold.keys``)."""
    if mart_keys and table in mart_keys:
        return list(mart_keys[table]), set()
    layer, name = table.split("/", 1)
    history = name.endswith("_history") and name.removesuffix("_history") in specs
    spec = specs.get(name.removesuffix("_history") if history else name)
    if spec is None or layer not in ("silver", "bronze"):
        return [], set()
    keys = [*spec.keys, LANDING_DATE] if history or layer == "bronze" else list(spec.keys)
    return keys, set(spec.pii_columns)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def changed_partitions(
    table: DeltaTable, storage_options: Mapping[str, str] | None = None
) -> tuple[str, list[Any]] | None:
    """(partition column, values) whose files changed since the seed, or None (compare all)."""
    seed = seeded_version(table)
    columns = table.metadata().partition_columns
    if seed is None or len(columns) != 1:
        return None
    column = f"partition.{columns[0]}"
    uri = table.table_uri
    seeded = DeltaTable(uri, version=seed, storage_options=dict(storage_options or {}) or None)
    before = pa.table(seeded.get_add_actions(flatten=True))
    after = pa.table(table.get_add_actions(flatten=True))
    old, new = set(before.column("path").to_pylist()), set(after.column("path").to_pylist())
    values = {
        v
        for actions, paths in ((before, old - new), (after, new - old))
        for p, v in zip(
            actions.column("path").to_pylist(), actions.column(column).to_pylist(), strict=True
        )
        if p in paths
    }
    return columns[0], sorted(values, key=str)


def _read(table: DeltaTable, where: tuple[str, list[Any]] | None) -> pa.Table:
    dataset = arrow_dataset(table)
    if where is None:
        return dataset.to_table()
    column, values = where
    typed = pa.array(values).cast(dataset.schema.field(column).type)
    return dataset.to_table(filter=pc.field(column).isin(typed))


def _shown(value: Any, masked: bool) -> Any:
    if masked:
        return MASK
    return value if isinstance(value, int | float | str) or value is None else str(value)


def _samples(con: duckdb.DuckDBPyConnection, sql: str, keys: list[str], pii: set[str]) -> list:
    rows = con.execute(f"{sql} limit {SAMPLE_SIZE}").fetchall()
    return [{k: _shown(v, k in pii) for k, v in zip(keys, row, strict=True)} for row in rows]


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    found = con.execute(f"select count(*) from ({sql})").fetchone()
    return int(found[0]) if found else 0


def _compare_keyed(
    con: duckdb.DuckDBPyConnection, diff: TableDiff, common: list[str], pii: set[str]
) -> None:
    keys = [_q(k) for k in diff.keys]

    def on(a: str, b: str) -> str:
        return " and ".join(f"{a}.{k} is not distinct from {b}.{k}" for k in keys)

    key_list = ", ".join(keys)
    anti = "select {k} from {a} x where not exists (select 1 from {b} y where {on})"
    only_base = anti.format(k=key_list, a="base", b="branch", on=on("x", "y"))
    only_branch = anti.format(k=key_list, a="branch", b="base", on=on("x", "y"))
    diff.only_in_base = _count(con, only_base)
    diff.only_in_branch = _count(con, only_branch)
    tests = {c: f"b.{_q(c)}::varchar is distinct from r.{_q(c)}::varchar" for c in common}
    tests.update({c: f"r.{_q(c)} is not null" for c in diff.added_columns})
    tests.update({c: f"b.{_q(c)} is not null" for c in diff.removed_columns})
    joined = f"from base b join branch r on {on('b', 'r')}"
    if tests:
        sums = ", ".join(f"count(*) filter (where {t})" for t in tests.values())
        any_change = " or ".join(f"({t})" for t in tests.values())
        counts = con.execute(
            f"select count(*) filter (where {any_change}), {sums} {joined}"
        ).fetchone()
        assert counts is not None
        diff.changed_rows = counts[0]
        diff.column_changes = {c: n for c, n in zip(tests, counts[1:], strict=True) if n}
        changed = f"select {', '.join('b.' + k for k in keys)} {joined} where {any_change}"
        diff.samples["changed"] = _samples(con, changed, diff.keys, pii)
    diff.samples["only_in_base"] = _samples(con, only_base, diff.keys, pii)
    diff.samples["only_in_branch"] = _samples(con, only_branch, diff.keys, pii)


def _compare_rows(con: duckdb.DuckDBPyConnection, diff: TableDiff, common: list[str]) -> None:
    cols = ", ".join(f"{_q(c)}::varchar" for c in common)
    minus = "select {c} from {a} except all select {c} from {b}"
    diff.only_in_base = _count(con, minus.format(c=cols, a="base", b="branch"))
    diff.only_in_branch = _count(con, minus.format(c=cols, a="branch", b="base"))


def diff_table(
    table: str,
    branch_table: DeltaTable,
    base_table: DeltaTable | None,
    specs: Mapping[str, SourceSpec],
    storage_options: Mapping[str, str] | None = None,
    mart_keys: Mapping[str, Sequence[str]] | None = None,
) -> TableDiff:
    """Compare ``branch_table`` (latest) with ``base_table`` (pinned; None: the base lacks it)."""
    keys, pii = table_keys(table, specs, mart_keys)
    diff = TableDiff(
        table,
        keys,
        base_table.version() if base_table is not None else None,
        branch_table.version(),
    )
    where = changed_partitions(branch_table, storage_options) if base_table else None
    diff.partitions = [str(v) for v in where[1]] if where else None
    branch_schema = pa.schema(branch_table.schema().to_arrow())
    base_schema = pa.schema(base_table.schema().to_arrow()) if base_table else pa.schema([])
    diff.added_columns = [n for n in branch_schema.names if n not in base_schema.names]
    diff.removed_columns = [n for n in base_schema.names if n not in branch_schema.names]
    diff.retyped_columns = [
        f"{n}: {base_schema.field(n).type} -> {branch_schema.field(n).type}"
        for n in branch_schema.names
        if n in base_schema.names and base_schema.field(n).type != branch_schema.field(n).type
    ]
    diff.branch_rows = arrow_dataset(branch_table).count_rows()
    diff.base_rows = arrow_dataset(base_table).count_rows() if base_table else 0
    if where is not None and not where[1]:
        return diff  # no partition changed since the seed: the rows are the base's
    branch_rows = _read(branch_table, where)
    base_rows = _read(base_table, where) if base_table else branch_schema.empty_table()
    common = [n for n in branch_schema.names if n in base_schema.names and n not in keys]
    con = duck.connect()
    con.register("base", base_rows)
    con.register("branch", branch_rows)
    if keys and all(k in branch_schema.names for k in keys):
        _compare_keyed(con, diff, common, pii)
    else:
        _compare_rows(con, diff, [n for n in branch_schema.names if n in base_schema.names])
    con.close()
    return diff


def diff_branch(
    branch: Branch,
    specs: Sequence[SourceSpec],
    storage_options: Mapping[str, str] | None = None,
    tables: Sequence[str] | None = None,
    mart_keys: Mapping[str, Sequence[str]] | None = None,
) -> list[TableDiff]:
    """Diff every table the branch wrote (or ``tables``, ``silver/orders``) against the base;
    marts by ``mart_keys`` (default: the keys the branch's builds recorded)."""
    if mart_keys is None:
        mart_keys = {k: v for b in branch.builds for k, v in b.get("mart_keys", {}).items()}
    options = dict(storage_options or {}) or None
    by_name = {s.name: s for s in specs}
    found = discover_tables(branch.root, storage_options)
    own = {n.replace(".", "/"): uri for n, uri in found.items()}
    unknown = sorted(set(tables or ()) - set(own))
    if unknown:
        raise ValueError(
            f"branch {branch.name} has not written {', '.join(unknown)}; it wrote: "
            f"{', '.join(sorted(own)) or 'nothing (run lakehouse branch build)'}"
        )
    diffs = []
    for name in sorted(tables or own):
        pinned = branch.tables.get(name)
        base = (
            DeltaTable(f"{branch.base_root}/{name}", version=pinned, storage_options=options)
            if pinned is not None
            else None
        )
        own_table = DeltaTable(own[name], storage_options=options)
        diffs.append(diff_table(name, own_table, base, by_name, storage_options, mart_keys))
    return diffs
