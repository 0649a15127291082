"""dbt run inside the step's own process, seen by dagster-dbt as if it were a subprocess.

A ``dbt build`` started as a subprocess pays, every time, for a Python interpreter, dbt's and
dbt-duckdb's imports, the lakehouse plugin's imports (pyarrow, deltalake, DuckDB) and loading
the parsed project: most of a small day's gold step. The run process already holds all of
those modules, so :class:`InProcessDbt` runs the same command with dbt's programmatic entry
point (``dbtRunner``) on a thread and hands ``DbtCliInvocation`` the JSON log lines a
``dbt --log-format json`` process would print: dagster-dbt turns them into materialisations
and check results exactly as before.
"""

from __future__ import annotations

import importlib
import json
import queue
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

EXIT_SUCCESS, EXIT_FAILURE, EXIT_ERROR = 0, 1, 2
"""dbt's exit codes: success, a node failed (a model error, a failing test), dbt itself failed."""

ONE_AT_A_TIME = threading.Lock()
"""dbt keeps process-wide state (flags, adapters, the event manager): one invocation at a time."""

DBT_MODULES = ("dbt.cli.main", "dbt.adapters.duckdb", "dbt.adapters.duckdb.connections")
"""dbtRunner with the CLI and the tasks it imports; the DuckDB adapter and its plugin base."""
_IMPORTS = threading.Lock()


def import_dbt() -> None:
    """Import dbt's CLI and the DuckDB adapter, one thread at a time (a no-op once done).

    dbt-duckdb's modules import each other; while one thread (the warm-up) is inside that
    cycle, Python hands a second thread importing them (the build) the half-initialised
    module instead of waiting (``cannot import name 'DuckDBConnectionManager' from partially
    initialized module``), which failed a gold step. Every dbt import of the platform goes
    through here first.
    """
    with _IMPORTS:
        for module in DBT_MODULES:
            importlib.import_module(module)


def invoke_dbt(runner: Any, args: Sequence[str]) -> Any:
    """``runner.invoke(args)`` (a ``dbtRunner``), one invocation at a time, leaving no DuckDB
    environment behind.

    dbt-duckdb keeps the environment of the last invocation process-wide (its in-memory
    database, the plugins and their run context), and a later parse that finds one loads every
    plugin source through it: it would read the tables of that earlier run's lakehouse root
    (another branch, store or environment, perhaps gone) while only parsing, and keep the
    earlier run's data in memory meanwhile. Each invocation starts a fresh one instead.
    """
    import_dbt()
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with ONE_AT_A_TIME:
        try:
            return runner.invoke(list(args))
        finally:
            DuckDBConnectionManager.close_all_connections()


_SHOWN_LEVELS = frozenset({"info", "warn", "error"})
"""The levels dbt prints on stdout by default (``--log-level info``); debug goes to its file."""


class _Lines:
    """The ``stdout`` of an :class:`InProcessDbt`: its log lines (bytes), until dbt finishes."""

    def __init__(self, lines: queue.Queue[bytes | None]) -> None:
        self._lines = lines
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        while not self.closed:
            line = self._lines.get()
            if line is None:
                self.closed = True
                return
            yield line

    def __enter__(self) -> _Lines:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.closed = True


class InProcessDbt:
    """A dbt command running in this process, with the part of ``subprocess.Popen`` that
    ``DbtCliInvocation`` uses: ``args``, ``stdout``, ``wait``, ``returncode``,
    ``send_signal``.

    ``args`` is the command line a subprocess would get (the executable first, then dbt's
    arguments). Events reach ``stdout`` as dbt's JSON log lines, secrets scrubbed as dbt's
    own JSON logger scrubs them, at the levels dbt prints by default. With ``manifest`` (a
    parsed ``Manifest``, used once: compiling changes it) dbt skips parsing; ``run_results``
    is then where the run's results are written (the command passes ``--no-write-json``, so
    dbt writes neither the manifest nor the results itself).
    """

    def __init__(
        self, args: Sequence[str], manifest: object = None, run_results: Path | None = None
    ) -> None:
        self.args = list(args)
        self._manifest = manifest
        self._run_results = run_results
        self.returncode: int | None = None
        self._lines: queue.Queue[bytes | None] = queue.Queue()
        self.stdout = _Lines(self._lines)
        self._done = threading.Event()
        self._stopped: int | None = None
        # Not a daemon: the interpreter waits for dbt at exit instead of freezing the thread
        # inside DuckDB's C++ code (which aborts the process).
        self._thread = threading.Thread(target=self._run, name="dbt-in-process")
        self._thread.start()

    def _emit(self, message: object) -> None:
        from dbt_common.events.functions import msg_to_dict
        from dbt_common.exceptions import env_secrets, scrub_secrets
        from dbt_common.utils.encoding import ForgivingJSONEncoder

        info = getattr(message, "info", None)
        if getattr(info, "level", "info") not in _SHOWN_LEVELS:
            return
        line = json.dumps(msg_to_dict(message), sort_keys=True, cls=ForgivingJSONEncoder)  # type: ignore[arg-type]
        self._lines.put(scrub_secrets(line, env_secrets()).encode())

    def _fail(self, error: BaseException) -> None:
        line = {
            "info": {"level": "error", "msg": f"dbt failed in process: {error!r}", "name": "Note"},
            "data": {},
        }
        self._lines.put(json.dumps(line).encode())

    def _run(self) -> None:
        try:
            import_dbt()
            from dbt.cli.main import dbtRunner

            runner = dbtRunner(manifest=self._manifest, callbacks=[self._emit])  # type: ignore[arg-type]
            result = invoke_dbt(runner, self.args[1:])
            if self._run_results is not None and hasattr(result.result, "write"):
                result.result.write(str(self._run_results))  # type: ignore[union-attr]
            if result.success:
                self.returncode = EXIT_SUCCESS
            elif result.exception is None:
                self.returncode = EXIT_FAILURE
            else:
                self._fail(result.exception)
                self.returncode = EXIT_ERROR
        except BaseException as error:  # reported like dbt's own failure, never lost
            self._fail(error)
            self.returncode = EXIT_ERROR
        finally:
            self._lines.put(None)
            self._done.set()

    def wait(self, timeout: float | None = None) -> int:
        """Wait for dbt to finish; its exit code (``TimeoutError`` after ``timeout`` s).
        Once the step was interrupted (``send_signal``), returns at once: nothing waits for
        a build nobody will read."""
        if self._stopped is not None and not self._done.is_set():
            return -self._stopped
        if not self._done.wait(timeout):
            raise TimeoutError(f"dbt still running after {timeout} s")
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, signal: int) -> None:
        """The step was interrupted (dagster-dbt forwards the signal here). dbt cannot be
        stopped from outside its thread, so the step stops waiting for it; the process ends
        when dbt has finished (``lakehouse materialize`` exits at once). A mart is published
        by one atomic Delta commit, so a build cut short leaves every mart at a committed
        version."""
        self._stopped = signal
