"""Landing intake: accept or reject each of a day's files against the source's contract."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import pyarrow as pa

from lakehouse.lake.quarantine import QUARANTINE_SCHEMA
from lakehouse.landing.files import (
    LandedFile,
    LandingFileError,
    SchemaDriftError,
    read_landing_file,
)
from lakehouse.sources import SourceSpec


@dataclass(frozen=True)
class RejectedFile:
    """A file quarantined whole: unreadable, or its columns break the contract."""

    uri: str
    kind: str
    reason: str
    rows: int


@dataclass(frozen=True)
class Intake:
    """A day's files split into taken-in and rejected ones."""

    landed: list[LandedFile]
    rejected: list[RejectedFile]

    @property
    def landed_rows(self) -> int:
        """Rows delivered: taken in plus rejected (rejected rows are counted where possible)."""
        return self.accepted_rows + self.rejected_rows

    @property
    def accepted_rows(self) -> int:
        """Rows in the files taken in."""
        return sum(f.table.num_rows for f in self.landed)

    @property
    def rejected_rows(self) -> int:
        """Rows in the rejected files."""
        return sum(f.rows for f in self.rejected)

    @property
    def rejected_share(self) -> float:
        """Share of delivered rows that were rejected with their file."""
        return self.rejected_rows / self.landed_rows if self.landed_rows else 0.0

    @property
    def drifted(self) -> list[RejectedFile]:
        """Files rejected for schema drift: they block the partition."""
        return [f for f in self.rejected if f.kind == SchemaDriftError.kind]


def take_in(
    uris: Sequence[str], spec: SourceSpec, storage_options: Mapping[str, str] | None = None
) -> Intake:
    """Read every file; unreadable or drifted files are rejected with their reason, not raised."""
    expected = {c.landed_name: c.type for c in spec.columns if c.landed_name}
    landed: list[LandedFile] = []
    rejected: list[RejectedFile] = []
    for uri in uris:
        try:
            landed.append(
                read_landing_file(
                    uri,
                    spec.landing,
                    spec.landed_columns,
                    storage_options,
                    expected_types={k: v for k, v in expected.items() if k},
                    allow_extra_columns=spec.quality.schema_drift == "additive",
                )
            )
        except LandingFileError as error:
            rejected.append(RejectedFile(uri, error.kind, str(error), error.rows))
    return Intake(landed, rejected)


def rejected_files_table(
    rejected: Sequence[RejectedFile], day: date, ingested_at: datetime
) -> pa.Table:
    """Quarantine rows for rejected files (``level`` = file, ``rows`` = rows it held)."""
    count = len(rejected)
    return pa.Table.from_pydict(
        {
            "reason": [f"{f.kind}: {f.reason}" for f in rejected],
            "record": [None] * count,
            "level": ["file"] * count,
            "rows": [f.rows for f in rejected],
            "_source_file": [f.uri for f in rejected],
            "_ingested_at": [ingested_at] * count,
            "_landing_date": [day] * count,
        },
        schema=QUARANTINE_SCHEMA,
    )
