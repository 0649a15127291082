"""Local scratch folders of a step (the silver spool, DuckDB's spill, dbt's scratch targets),
and the sweep of those a killed process left behind.

A process removes its scratch folders when it ends normally (``TemporaryDirectory``, DuckDB on
close, dbt's scratch targets after the invocation); one killed mid-step (an out-of-memory kill,
a stopped container, a terminated run worker) cannot. Each folder's name carries its process
id, so a later step removes the folders of processes that are gone: a long-lived worker
machine does not fill its disk with dead steps' rows. A folder is kept while its process
lives, and for ``STALE_AFTER`` seconds after its last change in any case (a process id seen
from another PID namespace sharing the folder).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lakehouse.lake.duck import SPILL_PREFIX

SPOOL_PREFIX = "lakehouse-spool-"
"""Silver's spool folders: ``<TMPDIR>/lakehouse-spool-<pid>-<source>-<random>``."""
DBT_PREFIX = "lakehouse-dbt-"
"""dbt's scratch targets (a warm-up's or a parse's logs): ``lakehouse-dbt-<pid>-<purpose>-...``."""

STALE_AFTER = 600.0
"""Seconds after its last change before a dead process's folder is removed."""


def _owner(name: str) -> int | None:
    """The process id a scratch folder's name carries (None: not a scratch folder)."""
    for prefix in (SPOOL_PREFIX, SPILL_PREFIX, DBT_PREFIX):
        if name.startswith(prefix):
            pid = name.removeprefix(prefix).split("-", 1)[0]
            return int(pid) if pid.isdigit() else None
    return None


def _alive(pid: int) -> bool:
    """Whether process ``pid`` of this machine lives (another user's counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def process_gone(pid: int) -> bool:
    """Whether process ``pid`` of this machine has ended (never this process itself)."""
    return pid != os.getpid() and not _alive(pid)


def sweep_stale_scratch(folder: Path | None = None, now: float | None = None) -> list[Path]:
    """Remove the scratch folders in ``folder`` (default: the temporary folder) whose process
    is gone and that have not changed for ``STALE_AFTER`` seconds; the folders removed."""
    folder = Path(tempfile.gettempdir()) if folder is None else folder
    now = time.time() if now is None else now
    removed = []
    for entry in folder.iterdir():
        pid = _owner(entry.name)
        if pid is None or not process_gone(pid):
            continue
        try:
            if not entry.is_dir() or now - entry.stat().st_mtime < STALE_AFTER:
                continue
            shutil.rmtree(entry)
        except OSError:  # removed meanwhile, or not ours to remove: left as it is
            continue
        removed.append(entry)
    return removed


def owned_folder_prefix(kind: str, purpose: str) -> str:
    """The name prefix of a scratch folder of this process: ``<kind><pid>-<purpose>-``, which
    the sweep removes once the process is gone (``kind``: ``SPOOL_PREFIX`` or ``DBT_PREFIX``)."""
    return f"{kind}{os.getpid()}-{purpose}-"


@contextmanager
def spool_folder(purpose: str) -> Iterator[Path]:
    """A new local folder for this step's spool (removed at the end), after sweeping the
    scratch folders of dead processes."""
    sweep_stale_scratch()
    with tempfile.TemporaryDirectory(prefix=owned_folder_prefix(SPOOL_PREFIX, purpose)) as folder:
        yield Path(folder)
