"""dbt made ready in the background while a run's earlier steps work.

The first dbt build in a process pays, inside the gold step, for importing dbt's CLI, tasks
and adapter (~0.7 s on two cores) and for loading the saved parse (unpickling it imports
dbt's contract classes). A run's resources are set up before its first step (in-process
executor), so the dbt resource starts this then, once per process, on a thread of its own:
bronze and silver, whose work is mostly outside the GIL, overlap it. The build then finds
the modules imported and the parse in memory; if the warm-up has not finished, the build
waits on the same import and parse locks, never doing the work twice.

Then the warm-up rehearses: a ``dbt build`` that selects nothing pays dbt's once-per-process
set-up (validating the project and profile builds their JSON schemas, registering the adapter
walks the stack for its behaviour flags, serialisers are generated, ~0.45 s of a 100 k-order
day's gold step, ``bench/RESULTS.md``). It runs no hook and opens no database; the build waits
for it if it is still running (dbt runs one invocation at a time).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from lakehouse.gold.dbt_in_process import import_dbt, invoke_dbt
from lakehouse.gold.dbt_parse_cache import PARSES, ParseKey, key_command, scratch_target

logger = logging.getLogger(__name__)

REHEARSAL = ("--exclude", "fqn:*")
"""The rehearsal build's selection: every node excluded."""

_LOCK = threading.Lock()
_STARTED: dict[ParseKey, threading.Thread] = {}


def rehearse(key: ParseKey, manifest: Any) -> bool:
    """Run a build of ``key``'s project that selects nothing, on ``manifest`` (a parsed
    ``Manifest`` of its own: dbt changes it); whether dbt succeeded. Its logs go to a scratch
    folder, removed after."""
    from dbt.cli.main import dbtRunner

    with scratch_target("warm-up") as scratch:
        args = key_command(key, "build", scratch, *REHEARSAL)
        return bool(invoke_dbt(dbtRunner(manifest=manifest), args).success)


def _warm(key: ParseKey) -> None:
    try:
        import_dbt()
        manifest = PARSES.manifest(key)
        if manifest is not None:  # without a parse, a rehearsal would parse: the build's work
            rehearse(key, manifest)
    except Exception:  # a warm-up only: the build reports its own errors
        logger.debug("dbt warm-up failed; the build will do the work itself", exc_info=True)


def warm_dbt(key: ParseKey) -> threading.Thread:
    """Start importing dbt and loading the saved parse of ``key`` in the background, once
    per process and project; the thread doing it (a running or finished one when started
    before)."""
    with _LOCK:
        thread = _STARTED.get(key)
        if thread is None:
            # Not a daemon: a process that ends meanwhile waits for it, never exits mid-import.
            thread = threading.Thread(target=_warm, args=(key,), name="dbt-warm-up")
            _STARTED[key] = thread
            thread.start()
        return thread
