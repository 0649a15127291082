"""Stopping a headless run on SIGINT/SIGTERM within seconds, and bounding its waits for slots.

Dagster's in-process executor defers SIGINT/SIGTERM while it waits for a concurrency slot (it
only checks for interrupts inside step code, and busy-waits on the slot), so a headless run
could neither be stopped nor give up. Here the run executes in a worker thread; the main
thread owns the signals, watches the run's slot claims, and interrupts the worker: the
threaded executor's loop is asked and stops its steps at its next turn; any other work takes
an asynchronous exception, raised at its next Python instruction. A run still busy in native
code after the grace period is marked canceled and the process exits: a Delta commit is
atomic, so every table stays at its last committed version.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import Generic, TypeVar

import dagster as dg

from lakehouse.operations.dead_runs import free_run

T = TypeVar("T")
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
POLL_SECONDS = 0.5


class Stopped(Exception):
    """A stop signal ended the headless materialisation."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class SlotWaitTimeout(Exception):
    """Raised in a run that waited for a concurrency slot longer than allowed."""


@dataclass
class StopRequest:
    """The first stop signal received while :func:`stop_signals` is active.

    ``wake`` is set on every signal (and by a finishing run), so a waiting supervisor acts on
    the signal at once rather than at its next poll.
    """

    signum: int | None = None
    at: float = 0.0
    wake: threading.Event = field(default_factory=threading.Event)

    def sleep(self, seconds: float) -> None:
        """Sleep up to ``seconds``; return early when a signal (or a finishing run) wakes us."""
        self.wake.wait(seconds)
        self.wake.clear()


@contextmanager
def stop_signals() -> Iterator[StopRequest]:
    """Record SIGINT/SIGTERM instead of raising; restores the previous handlers on exit."""
    request = StopRequest()

    def _handler(signum: int, _frame: FrameType | None) -> None:
        if request.signum is None:
            request.signum, request.at = signum, time.monotonic()
        request.wake.set()

    previous = {sig: signal.signal(sig, _handler) for sig in STOP_SIGNALS}
    try:
        yield request
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def raise_in(thread: threading.Thread, error: type[BaseException]) -> None:
    """Raise ``error`` in ``thread`` at its next Python instruction (not inside native code)."""
    assert thread.ident is not None
    thread_id = ctypes.c_ulong(thread.ident)
    ctypes.pythonapi.PyThreadState_SetAsyncExc(thread_id, ctypes.py_object(error))


StopHandler = Callable[[type[BaseException]], None]
"""Asked to stop the work of the thread that registered it by raising the given error."""

_HANDLERS_LOCK = threading.Lock()
_HANDLERS: dict[int, StopHandler] = {}


@contextmanager
def stops_asked_here(handler: StopHandler) -> Iterator[None]:
    """While active, :func:`stop_thread` of the current thread calls ``handler`` instead of
    raising asynchronously: the thread raises at a point of its choosing (the threaded
    executor's loop, which would otherwise take the exception wherever it is, perhaps inside
    Dagster's bookkeeping holding a lock)."""
    ident = threading.get_ident()
    with _HANDLERS_LOCK:
        _HANDLERS[ident] = handler
    try:
        yield
    finally:
        with _HANDLERS_LOCK:
            _HANDLERS.pop(ident, None)


def stop_thread(thread: threading.Thread, error: type[BaseException]) -> None:
    """Make ``thread`` raise ``error``: through its handler when it registered one
    (:func:`stops_asked_here`), else at its next Python instruction (:func:`raise_in`)."""
    with _HANDLERS_LOCK:
        handler = _HANDLERS.get(thread.ident or -1)
        if handler is not None:
            handler(error)
            return
    raise_in(thread, error)


@dataclass
class SlotWait:
    """Which pool a run waits for and who holds it; gives up after ``timeout_seconds``."""

    pools: list[str]
    timeout_seconds: float
    since: float | None = None
    reported: set[tuple[str, str]] = field(default_factory=set)

    def check(self, instance: dg.DagsterInstance, run_id: str, label: str) -> bool:
        """Print a line per new wait; True once the run has waited longer than allowed."""
        waiting = []
        if self.pools and instance.event_log_storage.supports_global_concurrency_limits:
            infos = instance.event_log_storage.get_concurrency_infos(self.pools)
            for pool, info in infos.items():
                for step in info.pending_steps:
                    if step.run_id == run_id and step.assigned_timestamp is None:
                        holders = sorted({s.run_id for s in info.claimed_slots if s.run_id})
                        waiting.append((pool, step.step_key, holders))
        if not waiting:
            self.since = None
            return False
        now = time.monotonic()
        self.since = self.since or now
        for pool, step_key, holders in waiting:
            if (pool, step_key) not in self.reported:
                self.reported.add((pool, step_key))
                held = ", ".join(f"run {h}" for h in holders) or "no run (limit 0?)"
                print(
                    f"{label}  {step_key} waits for a slot of pool {pool}, held by {held} "
                    f"(gives up after {self.timeout_seconds:.0f} s)",
                    flush=True,
                )
        return now - self.since > self.timeout_seconds


@dataclass
class Supervised(Generic[T]):
    """The outcome of :func:`supervise`: the target's value, or why it was ended."""

    value: T | None = None
    error: BaseException | None = None
    slot_timeout: bool = False


def supervise(
    target: Callable[[], T],
    *,
    instance: dg.DagsterInstance,
    run_id: str,
    label: str,
    stop: StopRequest,
    slots: SlotWait,
    grace_seconds: float = 7.0,
) -> Supervised[T]:
    """Run ``target`` (one in-process Dagster run) in a worker thread and watch it.

    On a stop signal the run is asked to cancel and interrupted; if it has not ended after
    ``grace_seconds`` it is marked canceled, its slots freed, and the process exits. Raises
    :class:`Stopped` after a stop signal; returns the target's value otherwise.
    """
    outcome: Supervised[T] = Supervised()

    def _work() -> None:
        try:
            outcome.value = target()
        except BaseException as exc:
            outcome.error = exc
        finally:
            stop.wake.set()

    worker = threading.Thread(target=_work, name=f"run-{run_id[:8]}", daemon=True)
    worker.start()
    interrupted = False
    while worker.is_alive():
        stop.sleep(POLL_SECONDS)
        if not worker.is_alive():
            break
        if stop.signum is not None:
            if not interrupted:
                _cancel(instance, run_id, label, stop.signum)
                stop_thread(worker, KeyboardInterrupt)
                interrupted = True
            elif time.monotonic() - stop.at > grace_seconds:
                _force_cancel(instance, run_id, label)
                os._exit(128 + stop.signum)
        elif not outcome.slot_timeout and slots.check(instance, run_id, label):
            outcome.slot_timeout = True
            stop_thread(worker, SlotWaitTimeout)
    free_run(instance, run_id)
    if stop.signum is not None:
        _finish_cancel(instance, run_id)
        raise Stopped(stop.signum)
    return outcome


def _cancel(instance: dg.DagsterInstance, run_id: str, label: str, signum: int) -> None:
    name = signal.Signals(signum).name
    print(f"{label}  {name}: canceling run {run_id}", file=sys.stderr, flush=True)
    run = instance.get_run_by_id(run_id)
    if run is not None and not run.is_finished:
        instance.report_run_canceling(run, f"Canceled by {name} to lakehouse materialize.")


def _finish_cancel(instance: dg.DagsterInstance, run_id: str) -> None:
    run = instance.get_run_by_id(run_id)
    if run is not None and not run.is_finished:
        instance.report_run_canceled(run, "Canceled by a stop signal to lakehouse materialize.")


def _force_cancel(instance: dg.DagsterInstance, run_id: str, label: str) -> None:
    print(f"{label}  run {run_id} did not stop in time: marked canceled", file=sys.stderr)
    _finish_cancel(instance, run_id)
    free_run(instance, run_id)
    sys.stdout.flush()
    sys.stderr.flush()
