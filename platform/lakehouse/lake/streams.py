"""Tables written as they are produced: batches handed to delta-rs one at a time.

A ``BatchStream`` holds a schema and a function that produces its batches; every write attempt
(a commit race is retried) produces them again. delta-rs commits only after the last batch, so
a producer that raises aborts the write with nothing committed: a check that needs every row
(a landing budget, a file found unreadable half-way) can still stop the publish. delta-rs
wraps the producer's exception in its own error; the write re-raises the producer's own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import pyarrow as pa


@dataclass(frozen=True)
class BatchStream:
    """A table as a stream: ``produce()`` yields its batches (of ``schema``), once per write."""

    schema: pa.Schema
    produce: Callable[[], Iterable[pa.RecordBatch]]


class StreamFeed:
    """One pass of a ``BatchStream`` into a writer: counts rows, checks each batch (``check``
    raises to abort) and keeps what the producer raised, for the writer to re-raise."""

    def __init__(
        self, stream: BatchStream, check: Callable[[pa.RecordBatch], None] | None = None
    ) -> None:
        self.stream = stream
        self.check = check
        self.rows = 0
        self.error: BaseException | None = None

    def _batches(self) -> Iterator[pa.RecordBatch]:
        try:
            for batch in self.stream.produce():
                if batch.schema != self.stream.schema:
                    batch = pa.RecordBatch.from_arrays(batch.columns, schema=self.stream.schema)
                if self.check is not None:
                    self.check(batch)
                self.rows += batch.num_rows
                yield batch
        except Exception as error:  # not GeneratorExit: the writer closing the stream
            self.error = error
            raise

    def reader(self) -> pa.RecordBatchReader:
        """The batches as a reader for ``write_deltalake``."""
        return pa.RecordBatchReader.from_batches(self.stream.schema, self._batches())
