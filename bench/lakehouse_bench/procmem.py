"""Resident memory and wall time of processes, from ``/proc`` (Linux; psutil is not installed).

A process's own peak comes from ``VmHWM`` (reset through ``/proc/self/clear_refs``) or from
``wait4``; the peak of a process tree, summed over its processes, is polled.
"""

from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

POLL_SECONDS = 0.1


def _status(pid: int | str) -> dict[str, int]:
    """``VmRSS`` and ``VmHWM`` of a process in bytes ({} once it is gone)."""
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                name, number, _unit = line.split()
                values[name.rstrip(":")] = int(number) * 1024
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return {}
    return values


def rss() -> int:
    """This process's resident set now, in bytes."""
    return _status("self").get("VmRSS", 0)


def peak_rss(reset: bool = False) -> int:
    """This process's peak resident set in bytes; ``reset`` starts counting again from now."""
    if reset:
        Path("/proc/self/clear_refs").write_text("5")
    return _status("self").get("VmHWM", 0)


def cpu_seconds() -> float:
    """CPU time of this process and of its children that have been waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _name(pid: int) -> str:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (FileNotFoundError, ProcessLookupError):
        return "?"
    words = [Path(a.decode(errors="replace")).name for a in argv[:3] if a]
    if len(words) > 1 and words[0].startswith("python"):
        words = words[1:]
    return " ".join(words[:2])


def descendants(root: int) -> list[int]:
    """Every live process below ``root`` (children, grandchildren, ...)."""
    parents: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_text()
        except (FileNotFoundError, ProcessLookupError):
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        children = parents.get(todo.pop(), [])
        found.extend(children)
        todo.extend(children)
    return found


@dataclass
class TreePeak:
    """Peaks of a process tree while it was watched (bytes)."""

    total: int = 0
    children: dict[str, int] = field(default_factory=dict)

    @property
    def largest_child(self) -> int:
        """Peak of the largest single child process (0 without children)."""
        return max(self.children.values(), default=0)

    def as_dict(self) -> dict[str, Any]:
        return {"total": self.total, "largest_child": self.largest_child, "children": self.children}


class TreeWatch:
    """Poll the resident memory of ``root`` and its descendants in a background thread.

    ``total`` is the largest sum of resident sets seen at one poll; each child's peak is its
    own ``VmHWM`` when last seen (a child that lives shorter than a poll may be missed).
    """

    def __init__(self, root: int | None = None, interval: float = POLL_SECONDS) -> None:
        self.root = root or os.getpid()
        self.interval = interval
        self.peak = TreePeak()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _sample(self) -> None:
        total = _status(self.root).get("VmRSS", 0)
        for pid in descendants(self.root):
            status = _status(pid)
            total += status.get("VmRSS", 0)
            key = f"{pid} {_name(pid)}"
            self.peak.children[key] = max(self.peak.children.get(key, 0), status.get("VmHWM", 0))
        self.peak.total = max(self.peak.total, total)

    def _poll(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass(frozen=True)
class ProcessRun:
    """A finished subprocess: exit code, wall time and memory (bytes)."""

    command: list[str]
    returncode: int
    seconds: float
    started_at: float
    load: float  # one-minute load average when it started
    cpu_seconds: float  # user + system, the process and its waited children
    # Largest single process of the tree (wait4: the process or a waited child); a process
    # that resets its own count (peak_rss(reset=True)) reports its peak since the last reset.
    peak_rss: int
    peak: TreePeak
    log: Path

    def as_dict(self) -> dict[str, Any]:
        return {
            "command": self.command,
            "returncode": self.returncode,
            "seconds": self.seconds,
            "started_at": self.started_at,
            "load": self.load,
            "cpu_seconds": self.cpu_seconds,
            "peak_rss": self.peak_rss,
            "peak_total": self.peak.total,
            "peak_largest_child": self.peak.largest_child,
        }


def run_measured(
    command: Sequence[str], env: Mapping[str, str], log: Path, cwd: Path | None = None
) -> ProcessRun:
    """Run ``command`` to completion, output to ``log``; time it and watch its memory."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        out.write(f"$ {' '.join(command)}\n".encode())
        out.flush()
        load = os.getloadavg()[0]
        started_at = time.time()
        started = time.perf_counter()
        process = subprocess.Popen(
            list(command), env=dict(env), stdout=out, stderr=subprocess.STDOUT, cwd=cwd
        )
        with TreeWatch(process.pid) as watch:
            _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return ProcessRun(
        command=list(command),
        returncode=process.returncode,
        seconds=seconds,
        started_at=started_at,
        load=load,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        peak_rss=usage.ru_maxrss * 1024,
        peak=watch.peak,
        log=log,
    )
