"""A warm `lakehouse materialize`: definitions built once, each run a fork of this process.

Starting `lakehouse materialize` costs seconds of imports and definition building; a chaos
series starts two runs per iteration. This process builds the definitions for its
environment once, prints ``READY``, then for each JSON request on stdin (``{"args": [...],
"log": path}``) forks a child that runs exactly what `lakehouse materialize <args>` runs
(``materialize_days``, with its dead-run reaping, slot waits and signal handling), printing
``PID <pid>`` at once and ``EXIT <pid> <code>`` when the child ends. :class:`Zygote` is the
chaos runner's side of that conversation.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _materialize(defs: object, settings: object, argv: list[str]) -> int:
    from lakehouse.operations.headless import materialize_days
    from lakehouse.operations.signals import Stopped

    parser = argparse.ArgumentParser()
    parser.add_argument("--start", type=date.fromisoformat)
    parser.add_argument("--end", type=date.fromisoformat)
    parser.add_argument("--select")
    parser.add_argument("--slot-timeout", type=float, default=600)
    args = parser.parse_args(argv)
    try:
        failed = materialize_days(
            defs,  # type: ignore[arg-type]
            settings,  # type: ignore[arg-type]
            args.start,
            args.end,
            selection=args.select,
            slot_timeout_seconds=args.slot_timeout,
        )
    except Stopped as stopped:
        print(f"stopped by {stopped}: the run is canceled; tables keep their last commit")
        return 128 + stopped.signum
    return 1 if failed else 0


class Zygote:
    """``chaos/zygote.py`` for one environment: forks warm `lakehouse materialize` runs."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.logs = logs
        logs.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve())],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        self.exits: dict[int, int] = {}
        if self._line(180) != "READY":
            raise RuntimeError("the chaos zygote did not start")

    def _line(self, timeout: float) -> str | None:
        assert self.process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            if not selector.select(timeout):
                return None
        return self.process.stdout.readline().strip()

    def start(self, args: list[str], name: str) -> int:
        assert self.process.stdin is not None
        log = self.logs / f"{name}.log"
        self.process.stdin.write(json.dumps({"args": args, "log": str(log)}) + "\n")
        self.process.stdin.flush()
        line = self._line(30) or ""
        if not line.startswith("PID "):
            raise RuntimeError(f"the chaos zygote answered {line!r}")
        return int(line.split()[1])

    def poll(self, pid: int, timeout: float = 0) -> int | None:
        """The exit code of run ``pid`` if it ended within ``timeout`` s, else None."""
        deadline = time.monotonic() + timeout
        while pid not in self.exits:
            line = self._line(max(0.0, deadline - time.monotonic()))
            if line is None:
                return None
            if line.startswith("EXIT "):
                _, ended, code = line.split()
                self.exits[int(ended)] = int(code)
        return self.exits[pid]

    def wait(self, pid: int, timeout: float) -> int | None:
        """Wait for run ``pid``; SIGKILL it after ``timeout`` s (returns None then)."""
        code = self.poll(pid, timeout)
        if code is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            self.poll(pid, 30)
        return code

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(30)


def main() -> None:
    from lakehouse.definitions import build_definitions
    from lakehouse.settings import load_settings

    settings = load_settings()
    defs = build_definitions(settings)
    print("READY", flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            code = 70
            try:
                log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
                os.dup2(log, 1)
                os.dup2(log, 2)
                code = _materialize(defs, settings, request["args"])
            except BaseException as error:
                print(f"chaos zygote child: {error!r}", file=sys.stderr)
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        print(f"PID {pid}", flush=True)
        _, status = os.waitpid(pid, 0)
        print(f"EXIT {pid} {os.waitstatus_to_exitcode(status)}", flush=True)


if __name__ == "__main__":
    main()
