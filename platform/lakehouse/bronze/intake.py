"""Landing intake: landing days' files streamed into bronze, each accepted or rejected whole.

The files are read once, a block at a time, and their rows handed to the bronze write as they
are parsed (``IntakeStream``): a day's memory is a few blocks, not its files. A file is decided
when read to its end, and the landing checks when every file is: a file rejected after some of
its rows were handed over, or columns the write did not expect, make the write start again
(nothing was committed; the rejected file is not read again); a blocking check aborts it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import pyarrow as pa

from lakehouse.bronze.table import bronze_rows, bronze_schema
from lakehouse.lake.quarantine import QUARANTINE_SCHEMA
from lakehouse.lake.results import WriteResult
from lakehouse.lake.streams import BatchStream
from lakehouse.landing.files import (
    BLOCK_BYTES,
    LandingFileError,
    LandingFileReader,
    SchemaDriftError,
)
from lakehouse.quality.audit import CheckOutcome
from lakehouse.sources import SourceSpec

PEEK_BYTES = 1024 * 1024
"""Text read to learn the columns a day's first file holds, before the write starts."""


@dataclass(frozen=True)
class AcceptedFile:
    """A file taken in: its rows went to bronze."""

    uri: str
    rows: int
    columns: tuple[str, ...]
    size_bytes: int


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

    landed: list[AcceptedFile]
    rejected: list[RejectedFile]

    @property
    def landed_rows(self) -> int:
        """Rows delivered: taken in plus rejected (rejected rows are counted where possible)."""
        return self.accepted_rows + self.rejected_rows

    @property
    def accepted_rows(self) -> int:
        """Rows in the files taken in."""
        return sum(f.rows for f in self.landed)

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

    @property
    def columns(self) -> list[str]:
        """The landed columns of the files taken in, in order of appearance."""
        return list(dict.fromkeys(c for f in self.landed for c in f.columns))


def combined(intakes: Sequence[Intake]) -> Intake:
    """The files of several intakes as one."""
    return Intake([f for i in intakes for f in i.landed], [f for i in intakes for f in i.rejected])


class IntakeBlocked(Exception):
    """A blocking landing check failed: the write was aborted, nothing was published."""


class _WriteAgain(Exception):
    """The write saw rows it must not keep (a file rejected late, other columns): start again."""


def _reader(
    uri: str, spec: SourceSpec, storage_options: Mapping[str, str] | None, **kw: int
) -> LandingFileReader:
    expected = {c.landed_name: c.type for c in spec.columns if c.landed_name}
    return LandingFileReader(
        uri,
        spec.landing,
        spec.landed_columns,
        storage_options,
        expected_types=expected,
        allow_extra_columns=spec.quality.schema_drift == "additive",
        **kw,
    )


@dataclass
class IntakeStream:
    """Landing days' files read once into one bronze write (``stream()``), file by file.

    After a write (aborted or not) ``intakes`` holds each day's accepted and rejected files
    and ``outcomes`` each day's landing checks (``checks``); a failing blocking check aborts
    the write (``IntakeBlocked``). ``write_intake`` runs a write until it settles.
    """

    files: Mapping[date, Sequence[str]]
    spec: SourceSpec
    ingested_at: datetime
    storage_options: Mapping[str, str] | None = None
    checks: Callable[[Intake], list[CheckOutcome]] | None = None
    block_bytes: int = BLOCK_BYTES
    table_columns: Sequence[str] = ()
    """The landed columns the bronze table already has (a file may bring them back)."""
    columns: list[str] = field(default_factory=list)
    intakes: dict[date, Intake] = field(default_factory=dict)
    outcomes: dict[date, list[CheckOutcome]] = field(default_factory=dict)
    _rejected: dict[str, RejectedFile] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.ingested_at.tzinfo is None:
            raise ValueError("ingested_at must be timezone-aware (UTC)")
        self.columns = self._first_columns()

    def _first_columns(self) -> list[str]:
        """The columns of the first file that parses, from its first block, then the declared
        ones and the table's it lacks (a guess the write corrects by starting again when the
        files taken in hold others, or in another order)."""
        for uris in (self.files[day] for day in sorted(self.files)):
            for uri in uris:
                reader = _reader(uri, self.spec, self.storage_options, block_bytes=PEEK_BYTES)
                blocks = reader.blocks()
                try:
                    next(blocks, None)
                except LandingFileError:
                    continue
                finally:
                    blocks.close()
                if reader.columns:
                    # Files taken in hold the declared columns; the table's may come back.
                    known = [*self.spec.landed_columns, *self.table_columns]
                    return list(dict.fromkeys([*reader.columns, *known]))
        return list(self.spec.landed_columns)

    @property
    def schema(self) -> pa.Schema:
        """The bronze schema this attempt writes."""
        return bronze_schema(self.columns)

    def stream(self) -> BatchStream:
        """The days' bronze rows as a stream for one write attempt."""
        return BatchStream(self.schema, self._produce)

    def _produce(self) -> Iterator[pa.RecordBatch]:
        again = False  # once set, files are only read to decide them: this write is aborted
        self.intakes, self.outcomes = {}, {}
        for day in sorted(self.files):
            landed: list[AcceptedFile] = []
            rejected: list[RejectedFile] = []
            for uri in self.files[day]:
                if uri in self._rejected:
                    rejected.append(self._rejected[uri])
                    continue
                reader = _reader(uri, self.spec, self.storage_options, block_bytes=self.block_bytes)
                handed = False
                try:
                    for block in reader.blocks():
                        again = again or any(c not in self.columns for c in block.column_names)
                        if not again:
                            rows = bronze_rows(block, self.columns, uri, day, self.ingested_at)
                            yield from rows.to_batches()
                            handed = True
                except LandingFileError as error:
                    self._rejected[uri] = RejectedFile(uri, error.kind, str(error), error.rows)
                    rejected.append(self._rejected[uri])
                    again = again or handed
                    continue
                landed.append(
                    AcceptedFile(uri, reader.rows, tuple(reader.columns), reader.size_bytes)
                )
            self.intakes[day] = Intake(landed, rejected)
            if self.checks is not None:
                self.outcomes[day] = self.checks(self.intakes[day])
        # Nothing taken in: the declared columns, never a rejected file's.
        found = combined(list(self.intakes.values())).columns or list(self.spec.landed_columns)
        if found != self.columns:
            self.columns, again = found, True
        # Blocked is decided by the files alone: no second read of a day that will not publish.
        if any(o.blocking and not o.passed for day in self.outcomes.values() for o in day):
            raise IntakeBlocked
        if again:
            raise _WriteAgain


def write_intake(
    intake: IntakeStream, write: Callable[[BatchStream], WriteResult]
) -> WriteResult | None:
    """Run ``write`` on the intake's stream until it settles: its result, or None when a
    blocking landing check failed (nothing was written). Each new attempt knows more (a file
    rejected, the columns), so attempts are bounded by the files."""
    attempts = sum(len(uris) for uris in intake.files.values()) + 2
    for _ in range(attempts):
        try:
            return write(intake.stream())
        except IntakeBlocked:
            return None
        except _WriteAgain:
            continue
    raise RuntimeError(
        f"the landing files of {intake.spec.name} changed on each of {attempts} reads; "
        "re-run the partition once the delivery is complete"
    )


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
