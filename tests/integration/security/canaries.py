"""Planted PII: unique names, emails and phones in every fault the generator injects.

A generated landing zone gets, for ``customers`` (the source with PII columns), one canary
per fault, planted in the rows or files that fault touches, over three landing days:

- day A runs to gold: a duplicate delivery (planted row published once, quarantined once),
  late rows and an empty file (rejected; it holds no value);
- day B is blocked at silver: null keys, untypable values, a missing required email (rows
  quarantined; the candidate, a valid planted row, staged);
- day C is blocked at bronze: additive and breaking schema drift, a truncated file, a
  corrupt file, a malformed row and a missing column (files rejected).
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lakehouse.datagen import generate

DAY_A, DAY_B, DAY_C = date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3)
ROWS_PER_DAY = 20
SEED = 7
HEADER = "customer_id,name,email,phone,country,signup_date,updated_at"
Row = dict[str, str]


@dataclass(frozen=True)
class Canary:
    """One planted person. ``token`` is in both the name and the email; ``digits`` the phone."""

    fault: str
    token: str
    digits: str
    upper: bool = False

    @classmethod
    def new(cls, fault: str, upper: bool = False) -> Canary:
        marker = uuid.uuid4()
        return cls(fault, f"canary{marker.hex[:16]}", str(marker.int)[-12:], upper)

    @property
    def name(self) -> str:
        """Sorts before every generated name, so it would be a column's min statistic."""
        return f"Aaaa {self.token.capitalize()}"

    @property
    def email(self) -> str:
        email = f"0pii-{self.token}@example.com"
        return email.upper() if self.upper else email

    @property
    def phone(self) -> str:
        return f"+0{self.digits}"

    @property
    def needles(self) -> tuple[str, str]:
        return self.token, self.digits


def _row(line: str, header: list[str]) -> Row | None:
    fields = line.rstrip("\r").split(",")
    return dict(zip(header, fields, strict=True)) if len(fields) == len(header) else None


def plant(path: Path, canary: Canary, pick: Callable[[Row], bool] = lambda _: True) -> None:
    """Put ``canary`` into the first complete, not yet planted data row of a CSV that ``pick``s.

    Raises ``LookupError`` when no row fits (the fault did not touch the file as expected).
    """
    lines = path.read_text().split("\n")
    header = lines[0].rstrip("\r").split(",")
    values = {"name": canary.name, "email": canary.email, "email_address": canary.email}
    values["phone"] = canary.phone
    for i, line in enumerate(lines[1:], start=1):
        row = _row(line, header)
        if row is None or "canary" in line or not pick(row):
            continue
        fields = [values.get(column, row[column]) for column in header]
        lines[i] = ",".join(fields) + ("\r" if line.endswith("\r") else "")
        path.write_text("\n".join(lines))
        return
    raise LookupError(f"no row of {path} to plant the {canary.fault} canary in")


def _faulted(scratch: Path, *faults: str) -> Path:
    """Day A's customers folder generated with ``faults`` (same seed: the same rows)."""
    out = scratch / "_".join(faults)
    generate(str(out), DAY_A, 1, ROWS_PER_DAY, seed=SEED, faults=faults, fault_source="customers")
    return out / "customers" / DAY_A.isoformat()


def _person(customer_id: str, canary: Canary, **values: str) -> str:
    row = {
        "customer_id": customer_id,
        "name": canary.name,
        "email": canary.email,
        "phone": canary.phone,
        "country": "DE",
        "signup_date": "2024-01-01",
        "updated_at": "2026-01-02T08:00:00+00:00",
    } | values
    return ",".join(row.values())


def plant_landing(landing: Path, scratch: Path) -> list[Canary]:
    """Generate days A..C into ``landing`` and plant a canary in every fault; the canaries."""
    generate(str(landing), DAY_A, 3, ROWS_PER_DAY, seed=SEED)
    folder = landing / "customers"
    planted: list[Canary] = []

    def canary(fault: str, upper: bool = False) -> Canary:
        planted.append(Canary.new(fault, upper))
        return planted[-1]

    day_a = folder / DAY_A.isoformat()
    shutil.rmtree(day_a)
    faults = ("duplicate_delivery", "late_rows", "empty_file")
    shutil.copytree(_faulted(scratch, *faults), day_a)
    duplicate, late = canary("duplicate_delivery"), canary("late_rows", upper=True)
    for delivery in ("part01", "part01_redelivery"):  # identical files: one delivered twice
        path = day_a / f"customers_20260101_{delivery}.csv"
        plant(path, duplicate)
        plant(path, late, lambda row: row["updated_at"] < DAY_A.isoformat())
    assert (day_a / "customers_20260101_part98.csv").stat().st_size == 0  # empty: no value

    day_b = folder / DAY_B.isoformat()
    plant(next(day_b.glob("*.csv")), canary("blocked_candidate"))
    nulls = day_b / "customers_20260102_null_keys.csv"
    shutil.copy(_faulted(scratch, "null_keys") / "customers_20260101_part01.csv", nulls)
    plant(nulls, canary("null_keys"), lambda row: not row["customer_id"])
    bad = _person("C202601029000001", canary("bad_types"), signup_date="31.02.", updated_at="x")
    missing = _person("C202601029000002", canary("null_required_email", upper=True), email="")
    with nulls.open("a") as out:
        out.write(f"{bad}\n{missing}\n")

    day_c = folder / DAY_C.isoformat()
    for fault in ("schema_drift_additive", "schema_drift_breaking", "truncated_file"):
        path = day_c / f"customers_20260103_{fault}.csv"
        shutil.copy(_faulted(scratch, fault) / "customers_20260101_part01.csv", path)
        plant(path, canary(fault))
    corrupt = day_c / "customers_20260103_corrupt_file.csv"
    garbage = (_faulted(scratch, "corrupt_file") / "customers_20260101_part99.csv").read_bytes()
    person = _person("C202601039000000", canary("corrupt_file"))
    corrupt.write_bytes(garbage[:16] + f"\n{HEADER}\n{person}\n".encode() + garbage[16:])
    extra = _person("C202601039000001", canary("malformed_row")) + ",one,field too many"
    fine = _person("C202601039000002", canary("malformed_row_neighbour"))
    (day_c / "customers_20260103_malformed.csv").write_text(f"{HEADER}\n{fine}\n{extra}\n")
    short = _person("C202601039000003", canary("missing_column")).split(",")
    del short[3]  # no phone
    no_phone = HEADER.replace(",phone", "")
    (day_c / "customers_20260103_missing_column.csv").write_text(f"{no_phone}\n{','.join(short)}\n")
    return planted
