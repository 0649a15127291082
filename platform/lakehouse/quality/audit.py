"""Audit a staged table against its contract: the blocking checks of write-audit-publish."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa
import pyarrow.dataset as pads

from lakehouse.lake import duck
from lakehouse.lake.memory import release_unused_memory
from lakehouse.lake.spool import Rows, row_count
from lakehouse.quality.names import CHECKS, CheckName
from lakehouse.sources import SourceSpec
from lakehouse.sources.types import quote

SAMPLE_ROWS = 5


@dataclass(frozen=True, kw_only=True)
class CheckOutcome:
    """The result of one check, with the evidence a reader needs; blocking per ``CHECKS``."""

    name: CheckName
    passed: bool
    description: str
    observed: float | int | str | None = None
    threshold: float | int | str | None = None
    failing_rows: int = 0
    sample: Sequence[Mapping[str, object]] = field(default_factory=list)

    @property
    def blocking(self) -> bool:
        """True when a failure of this check stops publishing."""
        return CHECKS[self.name].blocking

    def metadata(self) -> dict[str, float | int | str | list[dict[str, object]]]:
        """Plain metadata: observed, threshold, failing rows and a (PII-masked) sample."""
        data: dict[str, float | int | str | list[dict[str, object]]] = {
            "failing_rows": self.failing_rows
        }
        if self.observed is not None:
            data["observed"] = self.observed
        if self.threshold is not None:
            data["threshold"] = self.threshold
        if self.sample:
            data["sample"] = [{k: _plain(v) for k, v in row.items()} for row in self.sample]
        return data


def _plain(value: object) -> object:
    return value if isinstance(value, int | float | str | bool) or value is None else str(value)


def _failing(
    con: duckdb.DuckDBPyConnection, condition: str, name: CheckName, description: str
) -> CheckOutcome:
    count = con.sql(f"SELECT count(*) FROM staged WHERE {condition}").fetchall()[0][0]
    sample = []
    if count:
        relation = con.sql(f"SELECT * FROM staged WHERE {condition} LIMIT {SAMPLE_ROWS}")
        sample = relation.to_arrow_table().to_pylist()
    return CheckOutcome(
        name=name,
        passed=count == 0,
        description=description,
        observed=count,
        threshold=0,
        failing_rows=count,
        sample=sample,
    )


def check_schema(
    con: duckdb.DuckDBPyConnection, spec: SourceSpec, expected: pa.Schema
) -> CheckOutcome:
    """Columns and types of the staged table equal the contract's."""
    found = con.sql("SELECT * FROM staged LIMIT 0").to_arrow_table().schema
    want = {f.name: str(f.type) for f in expected}
    got = {f.name: str(f.type) for f in found}
    problems = [f"missing {n} ({t})" for n, t in want.items() if n not in got]
    problems += [
        f"{n}: expected {t}, found {got[n]}" for n, t in want.items() if n in got and got[n] != t
    ]
    problems += [f"unexpected {n} ({t})" for n, t in got.items() if n not in want]
    return CheckOutcome(
        name=CheckName.CONTRACT_SCHEMA,
        passed=not problems,
        description=CHECKS[CheckName.CONTRACT_SCHEMA].description,
        observed="; ".join(problems) or "as declared",
        threshold="as declared",
    )


def check_not_null(con: duckdb.DuckDBPyConnection, spec: SourceSpec) -> CheckOutcome:
    """Required columns (and keys) hold no NULL."""
    required = [c.name for c in spec.columns if not c.nullable or c.name in spec.keys]
    condition = " OR ".join(f"{quote(c)} IS NULL" for c in required) or "false"
    return _failing(con, condition, CheckName.NOT_NULL, f"No NULL in {', '.join(required)}.")


def check_unique_keys(con: duckdb.DuckDBPyConnection, spec: SourceSpec) -> CheckOutcome:
    """The business keys are unique."""
    keys = ", ".join(quote(k) for k in spec.keys)
    condition = f"({keys}) IN (SELECT ({keys}) FROM staged GROUP BY {keys} HAVING count(*) > 1)"
    return _failing(con, condition, CheckName.UNIQUE_KEYS, f"Keys {spec.keys} are unique.")


def check_accepted_values(con: duckdb.DuckDBPyConnection, spec: SourceSpec) -> CheckOutcome:
    """Enumerated columns only hold accepted values."""
    parts = []
    for c in spec.columns:
        if c.accepted_values:
            values = ", ".join("'" + v.replace("'", "''") + "'" for v in c.accepted_values)
            parts.append(f"{quote(c.name)} NOT IN ({values})")
    condition = " OR ".join(parts) or "false"
    return _failing(
        con, condition, CheckName.ACCEPTED_VALUES, "Enumerated columns hold accepted values."
    )


def check_ranges(con: duckdb.DuckDBPyConnection, spec: SourceSpec) -> CheckOutcome:
    """Numeric columns lie within their declared min and max."""
    parts = []
    for c in spec.columns:
        if c.min is not None:
            parts.append(f"{quote(c.name)} < {c.min}")
        if c.max is not None:
            parts.append(f"{quote(c.name)} > {c.max}")
    condition = " OR ".join(parts) or "false"
    return _failing(con, condition, CheckName.VALUE_RANGES, "Numeric columns lie in their ranges.")


def check_table_unique_keys(
    rest: pa.Table | pads.Scanner, rows: Rows, spec: SourceSpec, scope: str = "rows kept"
) -> CheckOutcome:
    """The keys of the table after a publish are unique: ``rows`` plus the ``rest`` it keeps.

    ``rows`` is what the publishing commit writes, ``rest`` the key columns of every row of
    the table that commit leaves in place (all of its other partitions, or those that can
    meet ``rows``' keys, which ``scope`` then names): a scanner of them (and a spool of
    ``rows``) streams into DuckDB's aggregation instead of being held.
    """
    keys = ", ".join(quote(k) for k in spec.keys)
    if isinstance(rest, pa.Table):
        kept, kept_rows = rest.select(spec.keys), rest.num_rows
    else:
        kept, kept_rows = rest, rest.count_rows()
    con = duck.connect()
    try:
        con.register("kept", kept)
        con.register("written", rows.select(spec.keys) if isinstance(rows, pa.Table) else rows)
        con.execute(
            f"CREATE TEMP TABLE duplicated AS SELECT {keys}, count(*) AS copies FROM "
            f"(SELECT {keys} FROM kept UNION ALL SELECT {keys} FROM written) "
            f"GROUP BY ALL HAVING count(*) > 1"
        )
        count, copies = con.sql("SELECT count(*), sum(copies) FROM duplicated").fetchall()[0]
        sample = con.sql(f"SELECT * FROM duplicated LIMIT {SAMPLE_ROWS}").to_arrow_table()
    finally:
        con.close()
        release_unused_memory()  # the whole table's keys were hashed
    return CheckOutcome(
        name=CheckName.TABLE_UNIQUE_KEYS,
        passed=count == 0,
        description=f"Keys {spec.keys} are unique across the table ({kept_rows} {scope}, "
        f"{row_count(rows)} written).",
        observed=count,
        threshold=0,
        failing_rows=int(copies or 0),
        sample=sample.to_pylist(),
    )


ROW_CHECKS: tuple[Callable[[duckdb.DuckDBPyConnection, SourceSpec], CheckOutcome], ...] = (
    check_not_null,
    check_unique_keys,
    check_accepted_values,
    check_ranges,
)


def audit(staged: Rows, spec: SourceSpec, expected: pa.Schema) -> list[CheckOutcome]:
    """Run every blocking contract check over the staged rows."""
    con = duck.connect()
    try:
        con.register("staged", staged)
        outcomes = [check_schema(con, spec, expected)]
        outcomes += [check(con, spec) for check in ROW_CHECKS]
    finally:
        con.close()
    return outcomes
