"""Compare two versions of a data contract: which changes break producers or consumers.

Contracts of any kind (source declarations today, gold marts later) are first turned into the
neutral ``Contract`` below; the comparison knows nothing about where they came from. Tightening
a rule is breaking (data that passed before may now be rejected, or readers lose something
they relied on); loosening it, or adding something optional, is not.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

_DECIMAL = re.compile(r"^decimal\((\d+),\s*(\d+)\)$")
_INTEGER_DIGITS = {"int": 10, "bigint": 19}


class Severity(StrEnum):
    """How a change lands on the table's producers and consumers."""

    BREAKING = "breaking"
    NON_BREAKING = "non-breaking"


@dataclass(frozen=True)
class ColumnContract:
    """What a contract promises about one column."""

    name: str
    type: str
    nullable: bool = True
    unique: bool = False
    accepted_values: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    references: str | None = None
    pii: str | None = None
    landed_name: str | None = None
    """The column producers deliver (None when the platform derives it)."""
    description: str = ""


@dataclass(frozen=True)
class Setting:
    """A contract-level setting and when a change to it is breaking.

    ``changed``: any change; ``lowered`` / ``raised``: a move down / up (by ``levels`` order
    when given, else by value); ``never``: informational (descriptions, non-blocking checks).
    """

    value: object
    breaking_when: Literal["changed", "lowered", "raised", "never"] = "changed"
    levels: tuple[object, ...] = ()


@dataclass(frozen=True)
class Contract:
    """A table's contract: its columns and its contract-level settings."""

    name: str
    columns: tuple[ColumnContract, ...]
    settings: dict[str, Setting] = field(default_factory=dict)


@dataclass(frozen=True)
class Change:
    """One difference between two versions of a contract."""

    where: str
    """The contract file, relative to the repository root."""
    column: str | None
    severity: Severity
    message: str

    def __str__(self) -> str:
        target = f" column {self.column}:" if self.column else ""
        return f"{self.severity.upper():<12} {self.where}:{target} {self.message}"


def _decimal(type_: str) -> tuple[int, int] | None:
    match = _DECIMAL.match(type_)
    return (int(match[1]), int(match[2])) if match else None


def compare_types(old: str, new: str) -> tuple[Literal["same", "widened", "narrowed"], str]:
    """Whether every value of ``old`` fits ``new`` (widened) or not (narrowed), and why."""
    if old == new:
        return "same", ""
    if old == "unspecified":
        # A mart column's type declared for the first time: the column itself did not change.
        return "widened", "type declared"
    old_dec, new_dec = _decimal(old), _decimal(new)
    if old_dec and new_dec:
        (p, s), (p2, s2) = old_dec, new_dec
        if s2 < s:
            return "narrowed", f"scale {s} → {s2} drops decimal places"
        if p2 - s2 < p - s:
            return "narrowed", f"integer digits {p - s} → {p2 - s2}"
        return "widened", ""
    if new == "string":
        return "narrowed", "readers computing on the column break when it becomes text"
    if old == "string":
        return "narrowed", "text that does not parse as the new type is rejected"
    if old in _INTEGER_DIGITS:
        if new in _INTEGER_DIGITS:
            fits = _INTEGER_DIGITS[new] >= _INTEGER_DIGITS[old]
            return ("widened", "") if fits else ("narrowed", "large values overflow")
        if new == "double":
            return "widened", ""
        if new_dec:
            digits = new_dec[0] - new_dec[1]
            if digits >= _INTEGER_DIGITS[old]:
                return "widened", ""
            return "narrowed", f"{digits} integer digits cannot hold every {old}"
    if old_dec and new in _INTEGER_DIGITS:
        if old_dec[1] == 0 and old_dec[0] < _INTEGER_DIGITS[new]:
            return "widened", ""
        return "narrowed", "decimal places or large values are lost"
    if old_dec and new == "double":
        return "narrowed", "exact decimals become approximate doubles"
    if old == "double" and (new in _INTEGER_DIGITS or new_dec):
        return "narrowed", "fractions and large values are lost"
    if old == "date" and new == "timestamp":
        return "widened", ""
    if old == "timestamp" and new == "date":
        return "narrowed", "the time of day is lost"
    return "narrowed", "incompatible types"


def _fmt(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    if isinstance(value, str) and len(value) > 60:
        return repr(value[:57] + "...")
    return "none" if value is None else str(value)


def _column_changes(old: ColumnContract, new: ColumnContract) -> list[tuple[bool, str]]:
    """(breaking, message) for each difference between two versions of one column."""
    out: list[tuple[bool, str]] = []
    verdict, why = compare_types(old.type, new.type)
    if verdict != "same":
        detail = f" ({why})" if why else ""
        out.append((verdict == "narrowed", f"type {verdict} {old.type} → {new.type}{detail}"))
    if old.nullable and not new.nullable:
        out.append((True, "became required (nullable: true → false): rows with nulls are rejected"))
    elif not old.nullable and new.nullable:
        out.append((False, "became nullable (nullable: false → true)"))
    if new.unique != old.unique:
        out.append((new.unique, "now unique" if new.unique else "no longer unique"))
    out.extend(_accepted_values(old.accepted_values, new.accepted_values))
    out.extend(_bound("min", old.min, new.min, tighter=lambda a, b: b > a))
    out.extend(_bound("max", old.max, new.max, tighter=lambda a, b: b < a))
    if new.references != old.references:
        breaking = new.references is not None
        out.append((breaking, f"references {_fmt(old.references)} → {_fmt(new.references)}"))
    if new.pii != old.pii:
        if new.pii is None:
            out.append((False, f"no longer masked (pii: {old.pii} → none): check this is meant"))
        else:
            out.append((True, f"masking {_fmt(old.pii)} → {new.pii}: published values change"))
    if old.landed_name and new.landed_name and old.landed_name != new.landed_name:
        out.append(
            (True, f"landed as {new.landed_name!r}, was {old.landed_name!r}: producers must rename")
        )
    elif old.landed_name is None and new.landed_name is not None:
        out.append((True, f"now landed (was derived): producers must send {new.landed_name!r}"))
    if new.description != old.description:
        out.append((False, "description changed"))
    return out


def _accepted_values(
    old: tuple[str, ...] | None, new: tuple[str, ...] | None
) -> list[tuple[bool, str]]:
    if old == new:
        return []
    if old is None:
        return [(True, f"now restricted to accepted_values {_fmt(new)}")]
    if new is None:
        return [(False, "accepted_values removed: any value is accepted")]
    out = []
    removed = [v for v in old if v not in new]
    added = [v for v in new if v not in old]
    if removed:
        out.append((True, f"accepted value(s) removed: {_fmt(removed)}"))
    if added:
        out.append((False, f"accepted value(s) added: {_fmt(added)}"))
    return out


def _bound(
    name: str, old: float | None, new: float | None, tighter: Callable[[float, float], bool]
) -> list[tuple[bool, str]]:
    if old == new:
        return []
    if old is None:
        return [(True, f"{name} {_fmt(new)} added")]
    if new is None:
        return [(False, f"{name} {_fmt(old)} removed")]
    verb = "tightened" if tighter(old, new) else "loosened"
    return [(verb == "tightened", f"{name} {verb} {_fmt(old)} → {_fmt(new)}")]


def _setting_breaks(old: Setting, new: Setting) -> bool:
    rule = new.breaking_when
    if rule in ("changed", "never"):
        return rule == "changed"
    levels = new.levels
    a, b = (levels.index(old.value), levels.index(new.value)) if levels else (old.value, new.value)
    try:
        return bool(b < a) if rule == "lowered" else bool(b > a)  # type: ignore[operator]
    except TypeError:
        return True


def _rename_hint(removed: ColumnContract, added: list[ColumnContract]) -> str:
    same_type = [c.name for c in added if c.type == removed.type]
    if not same_type:
        return ""
    names = " or ".join(repr(n) for n in same_type)
    return f" (likely renamed to {names}: same type {removed.type})"


def diff_contracts(old: Contract | None, new: Contract | None, where: str) -> list[Change]:
    """Every change from ``old`` to ``new`` (None: the contract did not exist / was removed)."""
    if old is None and new is None:
        return []
    if new is None:
        assert old is not None
        message = f"contract {old.name!r} removed: the table is no longer produced"
        return [Change(where, None, Severity.BREAKING, message)]
    if old is None:
        return [Change(where, None, Severity.NON_BREAKING, f"new contract {new.name!r}")]
    changes: list[Change] = []

    def add(column: str | None, breaking: bool, message: str) -> None:
        severity = Severity.BREAKING if breaking else Severity.NON_BREAKING
        changes.append(Change(where, column, severity, message))

    old_columns = {c.name: c for c in old.columns}
    new_columns = {c.name: c for c in new.columns}
    added = [c for c in new.columns if c.name not in old_columns]
    for column in old.columns:
        if column.name not in new_columns:
            hint = _rename_hint(column, added)
            add(column.name, True, f"removed{hint}: readers of {column.name!r} break")
            continue
        for breaking, message in _column_changes(column, new_columns[column.name]):
            add(column.name, breaking, message)
    for column in added:
        if column.nullable or column.landed_name is None:
            origin = "derived" if column.landed_name is None else "nullable"
            add(column.name, False, f"added ({origin}, {column.type})")
        else:
            add(
                column.name,
                True,
                f"added as required ({column.type}, nullable: false): producers must send it "
                "in every row, and partitions landed without it fail on re-run",
            )
    for name in sorted(set(old.settings) | set(new.settings)):
        before, after = old.settings.get(name), new.settings.get(name)
        before_value = before.value if before else None
        after_value = after.value if after else None
        if before_value == after_value:
            continue
        if before is None or after is None:
            breaking = (after or before).breaking_when != "never"  # type: ignore[union-attr]
        else:
            breaking = _setting_breaks(before, after)
        add(None, breaking, f"{name}: {_fmt(before_value)} → {_fmt(after_value)}")
    return changes


def is_breaking(changes: list[Change]) -> bool:
    """True if any change is breaking."""
    return any(c.severity is Severity.BREAKING for c in changes)
