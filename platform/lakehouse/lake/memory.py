"""Give memory back between the large steps of a day, so one step's peak does not add to the
next one's.

Both engines keep what a finished query or table freed, for reuse: DuckDB's buffer pool up to
its memory limit, Arrow's allocator (mimalloc) its pages. Measured on a 300 k-order day, the
silver step of the largest source left ~0.7 GB in DuckDB's cache and ~0.7 GB in Arrow's
(``bench/RESULTS.md``); the following steps then peaked on top of it.

Steps of a run may run at once, on threads of one process (``operations.step_threads``). DuckDB's
cache is trimmed by lowering its memory limit for a moment, which a query of another running step
could run into: DuckDB is trimmed only when one step runs alone.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pyarrow as pa

from lakehouse.lake import duck

_LOCK = threading.Lock()
_STEPS_RUNNING = [0]


@contextmanager
def step_running() -> Iterator[None]:
    """Count a step as running in this process while the block runs (the step threads')."""
    with _LOCK:
        _STEPS_RUNNING[0] += 1
    try:
        yield
    finally:
        with _LOCK:
            _STEPS_RUNNING[0] -= 1


def release_unused_memory() -> None:
    """Return the memory DuckDB and Arrow hold cached but unused to the operating system
    (DuckDB's only while no other step of the process runs)."""
    with _LOCK:
        alone = _STEPS_RUNNING[0] <= 1
    if alone:
        duck.trim_buffer_pool()
    pa.default_memory_pool().release_unused()
