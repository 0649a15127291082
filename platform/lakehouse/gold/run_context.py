"""What one dbt invocation builds against, handed over at run time rather than as dbt vars.

dbt re-parses the whole project whenever its ``--vars`` change (~4 s), so a window passed as
vars made every daily run pay a full parse. Instead the Python side writes the run's context
(the lakehouse root the run reads and writes, the window of business dates and the memory
limit of dbt's DuckDB database) to
``<dbt target path>/lakehouse_run.json`` before it starts dbt; the project's on-run-start hook
(macro ``configure_lakehouse_run``) hands the file to the ``lakehouse`` plugin, which resolves
every source and mart against that root and exposes the window to the macros. Nothing the
parser sees changes between days, so the manifest stays valid (partial parsing).

Run by hand, dbt still takes the vars ``lakehouse_root``, ``min_date``, ``max_date`` (or
``LAKEHOUSE_ROOT``) when there is no context file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lakehouse.gold.window import DateWindow

RUN_CONTEXT_FILE = "lakehouse_run.json"
"""The context file, in the target path of the dbt invocation it is for."""


class RunContextError(ValueError):
    """A dbt run has no lakehouse root, or its context file is malformed."""


@dataclass(frozen=True)
class RunContext:
    """The lakehouse root a dbt run reads and writes (a branch root on a branch) and its window."""

    root: str
    window: DateWindow | None = None
    memory_limit: str | None = None
    """What dbt's DuckDB database holds before it spills (None: DuckDB's default)."""

    def as_json(self) -> dict[str, Any]:
        """The context as plain JSON values."""
        window = self.window.dbt_vars() if self.window is not None else {}
        limit = {"memory_limit": self.memory_limit} if self.memory_limit else {}
        return {"root": self.root, **window, **limit}

    @classmethod
    def from_json(cls, data: dict[str, Any], where: str) -> RunContext:
        """Parse what :meth:`as_json` wrote; raises ``RunContextError`` naming ``where``."""
        root = str(data.get("root") or "").strip()
        if not root:
            raise RunContextError(f"{where}: no lakehouse root ('root')")
        return cls(
            root.rstrip("/"),
            DateWindow.from_vars(data.get("min_date"), data.get("max_date")),
            str(data.get("memory_limit") or "") or None,
        )

    def write(self, target_path: Path) -> Path:
        """Write the context into the dbt target path ``target_path``; returns the file."""
        target_path.mkdir(parents=True, exist_ok=True)
        path = target_path / RUN_CONTEXT_FILE
        path.write_text(json.dumps(self.as_json(), sort_keys=True), encoding="utf-8")
        return path


def resolve_run_context(
    context_file: str | None, root: str | None, min_date: object, max_date: object
) -> RunContext:
    """The run's context: the context file when it exists, else the root and window given
    (the vars, or ``LAKEHOUSE_ROOT``, of a dbt run by hand).

    Raises:
        RunContextError: no context file and no root.
        WindowError: a malformed window.
    """
    if context_file:
        path = Path(context_file)
        if path.is_file():
            return RunContext.from_json(json.loads(path.read_text(encoding="utf-8")), str(path))
    if not (root or "").strip():
        raise RunContextError(
            "LAKEHOUSE_ROOT is not set: export the lakehouse root (a folder or s3:// URI, e.g. "
            "LAKEHOUSE_ROOT=$PWD/.lakehouse/dev/$USER) before running dbt"
        )
    return RunContext(str(root).strip().rstrip("/"), DateWindow.from_vars(min_date, max_date))
