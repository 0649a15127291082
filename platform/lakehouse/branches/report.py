"""A branch's data diff as Markdown or JSON, and canary thresholds checked against it."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from lakehouse.branches.diff import TableDiff

_THRESHOLD = re.compile(
    r"^(?P<table>[a-z0-9_]+\.[a-z0-9_]+)\.(?P<metric>[a-z0-9_]+)\s*<=\s*(?P<limit>[0-9.]+)%$"
)


@dataclass(frozen=True)
class Threshold:
    """``layer.table.column<=X%``: at most X% of the base's rows may change in that column.

    ``rows`` as the column bounds the change in row count, ``changed_rows`` the rows that
    differ in any column or exist on one side only.
    """

    table: str
    metric: str
    limit_percent: float

    @classmethod
    def parse(cls, text: str) -> Threshold:
        """Parse ``gold.orders_daily.revenue<=0.5%``; raises ``ValueError`` naming the text."""
        match = _THRESHOLD.match(text.strip())
        if not match:
            raise ValueError(
                f"threshold {text!r} is not <layer>.<table>.<column|rows|changed_rows><=<n>% "
                "(e.g. silver.orders.order_total<=0.5%)"
            )
        return cls(match["table"].replace(".", "/"), match["metric"], float(match["limit"]))

    def observed_percent(self, diff: TableDiff) -> float:
        """The share of the base's rows this threshold measures, in percent."""
        if self.metric == "rows":
            changed = abs(diff.branch_rows - diff.base_rows)
        elif self.metric == "changed_rows":
            changed = diff.changed_rows + diff.only_in_base + diff.only_in_branch
        else:
            changed = diff.column_changes.get(self.metric, 0)
        return 100.0 * changed / max(diff.base_rows, 1)

    def __str__(self) -> str:
        return f"{self.table.replace('/', '.')}.{self.metric}<={self.limit_percent:g}%"


def evaluate(thresholds: Sequence[Threshold], diffs: Sequence[TableDiff]) -> list[str]:
    """One line per threshold, ``PASS``/``FAIL``; a threshold on a table not diffed passes."""
    by_table = {d.table: d for d in diffs}
    lines = []
    for threshold in thresholds:
        diff = by_table.get(threshold.table)
        if diff is None:
            lines.append(f"PASS {threshold}: table unchanged on the branch")
            continue
        observed = threshold.observed_percent(diff)
        verdict = "PASS" if observed <= threshold.limit_percent else "FAIL"
        lines.append(f"{verdict} {threshold}: observed {observed:.3f}%")
    return lines


def render_json(diffs: Sequence[TableDiff]) -> str:
    """The diffs as a JSON document."""
    body = {"differs": any(d.differs for d in diffs), "tables": [d.as_json() for d in diffs]}
    return json.dumps(body, indent=2, sort_keys=True, default=str)


def _table_md(diff: TableDiff) -> list[str]:
    scope = f"partitions {', '.join(diff.partitions)}" if diff.partitions else "whole table"
    if diff.partitions == []:
        scope = "no partition changed"
    lines = [
        f"### {diff.table} — {'DIFFERS' if diff.differs else 'identical'}",
        "",
        f"base version {diff.base_version} vs branch version {diff.branch_version}; "
        f"keys: {', '.join(diff.keys) or '(none: whole rows)'}; compared: {scope}",
        "",
        "| measure | value |",
        "| --- | --- |",
        f"| rows (base → branch) | {diff.base_rows} → {diff.branch_rows} |",
        f"| only in base | {diff.only_in_base} |",
        f"| only in branch | {diff.only_in_branch} |",
        f"| changed rows | {diff.changed_rows} |",
    ]
    for label, columns in (
        ("added columns", diff.added_columns),
        ("removed columns", diff.removed_columns),
        ("retyped columns", diff.retyped_columns),
    ):
        if columns:
            lines.append(f"| {label} | {', '.join(columns)} |")
    for column, count in sorted(diff.column_changes.items()):
        lines.append(f"| changed in `{column}` | {count} |")
    for kind, keys in sorted(diff.samples.items()):
        if keys:
            shown = "; ".join(", ".join(f"{k}={v}" for k, v in row.items()) for row in keys)
            lines.append(f"| sample keys {kind.replace('_', ' ')} | {shown} |")
    return [*lines, ""]


def render_markdown(diffs: Sequence[TableDiff], title: str) -> str:
    """The diffs as Markdown: a summary line, then one table per lakehouse table."""
    differing = [d for d in diffs if d.differs]
    lines = [
        f"## {title}",
        "",
        f"{len(differing)} of {len(diffs)} table(s) differ"
        + (f": {', '.join(d.table for d in differing)}" if differing else ""),
        "",
    ]
    for diff in diffs:
        lines += _table_md(diff)
    return "\n".join(lines)
