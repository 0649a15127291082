"""A run's steps on threads of the run's process: steps that do not depend on each other at once.

Dagster's in-process executor runs one step after another; its multiprocess executor starts a
process per step (~2 s of imports each on this machine). The platform's steps spend most of their
time in DuckDB, Arrow and delta-rs, which release the GIL, so on threads the bronze and silver
steps of different sources share the cores: a 100 k-order day's bronze and silver took 6.9 s one
after another and 5.0 s two at a time (``bench/RESULTS.md``).

This loop is Dagster's ``inner_plan_execution_iterator`` with threads: the steps' events come
back on a queue, and only this thread touches the plan's state. A step starts when a thread is
free and, if other steps run, its weight and theirs are known and together within the budget
(their memory adds up), or all but the heaviest within a quarter of it (a large step's light
companions). Among ready steps the one heading the longest chain of steps starts
first (after Dagster's priority tag), a step's time estimated from its weight and its own cost
(``STEP_SECONDS_TAG``): a light step a long chain waits for is not left last, and the daily
marts' dbt build (mostly Python, one core) starts while the largest source's silver (mostly
DuckDB, every core) still runs instead of after it.
A stop (the run worker's termination signal, captured; the headless supervisor's request,
:func:`~lakehouse.operations.signals.stop_thread`, acted on at the loop's next turn; or an
exception raised in this thread) is passed on to every running step, whose failure events are
still reported.
"""

from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field

from dagster._core.errors import DagsterExecutionInterruptedError
from dagster._core.events import DagsterEvent
from dagster._core.execution.compute_logs import create_compute_log_file_key
from dagster._core.execution.context.system import (
    PlanExecutionContext,
    PlanOrchestrationContext,
    StepExecutionContext,
)
from dagster._core.execution.plan.active import ActiveExecution
from dagster._core.execution.plan.execute_plan import _trigger_hook, dagster_event_sequence_for_step
from dagster._core.execution.plan.instance_concurrency_context import InstanceConcurrencyContext
from dagster._core.execution.plan.plan import ExecutionPlan
from dagster._core.execution.plan.step import ExecutionStep

from lakehouse.lake.memory import step_running
from lakehouse.operations.signals import raise_in, stops_asked_here
from lakehouse.policy.assets import STEP_SECONDS_TAG

Weigh = Callable[[ExecutionStep], int | None]
"""What a step weighs (the bytes it reads); None: it runs alone."""
WeighFor = Callable[[PlanOrchestrationContext], Weigh]
"""A run's weights, from its context."""
PRIORITY_TAG = "dagster/priority"

COMPANION_SHARE = 4
"""A step over the budget still runs beside steps weighing together at most this fraction of
the budget: a 1 M-order day's other sources run beside ``web_events`` (1.76 GB) instead of
after it, the day's peak growing by their ~0.1 GB (``bench/RESULTS.md``)."""
STEP_SECONDS = 0.15
"""A step's own cost when its tags do not say: Dagster's events, opening and committing tables
(a small source's bronze or silver step at 100 k orders, ``make bench``)."""
BYTES_PER_SECOND = 120_000_000
"""Landing bytes a bronze or silver step reads per second (the largest source of a 100 k-order
day, on two cores)."""

POLL_SECONDS = 0.2
"""How often the loop looks for a captured termination signal while steps run."""


@dataclass
class _Done:
    """A step's thread ended; ``error`` is what escaped Dagster's own handling (an interrupt)."""

    key: str
    error: BaseException | None


@dataclass
class _Running:
    step: ExecutionStep
    context: StepExecutionContext
    thread: threading.Thread
    events: list[DagsterEvent] = field(default_factory=list)


def _number(tag: str | None, default: float) -> float:
    """A tag's value as a number; ``default`` when absent or not a number."""
    try:
        return default if tag is None else float(tag)
    except ValueError:
        return default


def _step_thread(
    context: StepExecutionContext, key: str, out: queue.Queue[tuple[str, DagsterEvent] | _Done]
) -> None:
    """Run one step, putting its events on ``out`` and a ``_Done`` last."""
    error: BaseException | None = None
    try:
        with step_running():
            for event in dagster_event_sequence_for_step(context):
                out.put((key, event))
    except BaseException as escaped:  # an interrupt, re-raised by Dagster after its failure event
        error = escaped
    finally:
        out.put(_Done(key, error))


def threaded_plan_iterator(
    job_context: PlanExecutionContext,
    execution_plan: ExecutionPlan,
    max_concurrent: int,
    weigh: Weigh,
    budget: int,
) -> Iterator[DagsterEvent]:
    """Execute ``execution_plan``'s steps, up to ``max_concurrent`` at once, steps running
    together weighing at most ``budget``; their events."""
    with (
        InstanceConcurrencyContext(job_context.instance, job_context.dagster_run) as concurrency,
        execution_plan.start(
            retry_mode=job_context.retry_mode,
            instance_concurrency_context=concurrency,
            step_dependency_config=job_context.step_dependency_config,
        ) as active,
        ExitStack() as capture,
    ):
        manager = job_context.instance.compute_log_manager
        log_key = manager.build_log_key_for_run(job_context.run_id, create_compute_log_file_key())
        log_context = capture.enter_context(manager.capture_logs(log_key))
        step_keys = [step.key for step in execution_plan.get_steps_to_execute_in_topo_order()]
        yield DagsterEvent.capture_logs(job_context, step_keys, log_key, log_context)
        deps = execution_plan.get_executable_step_deps()
        loop = _ThreadedLoop(job_context, active, max_concurrent, weigh, budget, deps)
        yield from loop.run()


class _ThreadedLoop:
    """The scheduling loop of one run (see the module's docstring)."""

    def __init__(
        self,
        job_context: PlanExecutionContext,
        active: ActiveExecution,
        max_concurrent: int,
        weigh: Weigh,
        budget: int,
        deps: Mapping[str, set[str]],
    ) -> None:
        self.job_context = job_context
        self.dependents: dict[str, list[str]] = {}
        for key, upstream in deps.items():
            for up in upstream:
                self.dependents.setdefault(up, []).append(key)
        self.chains: dict[str, float] = {}
        self.active = active
        self.max_concurrent = max(1, max_concurrent)
        self.weigh = weigh
        self.budget = budget
        self.weights: dict[str, int | None] = {}
        self.running: dict[str, _Running] = {}
        self.waiting: list[ExecutionStep] = []
        self.queue: queue.Queue[tuple[str, DagsterEvent] | _Done] = queue.Queue()
        self.stopping = False
        self.step_error: BaseException | None = None
        self.asked: type[BaseException] | None = None
        self.asked_event = threading.Event()

    def ask_to_stop(self, error: type[BaseException]) -> None:
        """Raise ``error`` in the loop at its next turn (within ``POLL_SECONDS``)."""
        self.asked = self.asked or error
        self.asked_event.set()

    def run(self) -> Iterator[DagsterEvent]:
        with stops_asked_here(self.ask_to_stop):
            yield from self._loop()

    def _loop(self) -> Iterator[DagsterEvent]:
        try:
            while self.running or not (self.stopping or self.active.is_complete):
                if self.asked is not None and not self.stopping:
                    raise self.asked()
                if self.active.check_for_interrupts():
                    self._stop(DagsterExecutionInterruptedError)
                yield from self._start_steps()
                if not self.running:
                    if not self.stopping:
                        self.asked_event.wait(self.active.sleep_interval())
                    continue
                yield from self._next_event()
        except GeneratorExit:
            self._stop(DagsterExecutionInterruptedError)
            raise
        except BaseException as error:  # a stop raised in this thread, or a step's error re-raised
            own = error is self.step_error or isinstance(error, Exception)
            self._stop(DagsterExecutionInterruptedError if own else type(error))
            while self.running:
                yield from self._next_event()
            raise
        if self.stopping:
            raise DagsterExecutionInterruptedError

    def _stop(self, error: type[BaseException]) -> None:
        if not self.stopping:
            self.stopping = True
            self.active.mark_interrupted()
        for running in self.running.values():
            raise_in(running.thread, error)

    def _weight(self, step: ExecutionStep) -> int | None:
        if step.key not in self.weights:
            self.weights[step.key] = self.weigh(step)
        return self.weights[step.key]

    def _seconds(self, step: ExecutionStep) -> float:
        """The step's estimated time: its own cost plus its weight at ``BYTES_PER_SECOND``."""
        own = _number(step.tags.get(STEP_SECONDS_TAG), STEP_SECONDS)
        return own + (self._weight(step) or 0) / BYTES_PER_SECOND

    def _chain(self, key: str) -> float:
        """The estimated time of the longest chain of steps from ``key`` on."""
        if key not in self.chains:
            step = self.active.get_step_by_key(key)
            below = [self._chain(k) for k in self.dependents.get(key, [])]
            self.chains[key] = self._seconds(step) + max(below, default=0.0)
        return self.chains[key]

    def _order(self, step: ExecutionStep) -> tuple[float, float]:
        """Sort key: higher priority first, then the longer chain."""
        return -_number(step.tags.get(PRIORITY_TAG), 0), -self._chain(step.key)

    def _fits(self, step: ExecutionStep) -> bool:
        """Whether ``step`` may start beside the running steps: every weight known, and all
        within the budget or all but the heaviest within ``1 / COMPANION_SHARE`` of it."""
        if not self.running:
            return True
        weights = [self._weight(s) for s in (step, *(r.step for r in self.running.values()))]
        known = [w for w in weights if w is not None]
        if len(known) != len(weights):
            return False
        beside_heaviest = sum(known) - max(known)
        return sum(known) <= self.budget or beside_heaviest <= self.budget // COMPANION_SHARE

    def _start_steps(self) -> Iterator[DagsterEvent]:
        if self.stopping:
            return
        if not self.active.is_complete:
            self.waiting += self.active.get_steps_to_execute()
            yield from self.active.concurrency_event_iterator(self.job_context)
        self.waiting.sort(key=self._order)
        for step in list(self.waiting):
            if len(self.running) >= self.max_concurrent:
                return
            if self._fits(step):
                self.waiting.remove(step)
                self._start(step)

    def _start(self, step: ExecutionStep) -> None:
        context = self.job_context.for_step(step, self.active.get_known_state())
        thread = threading.Thread(
            target=contextvars.copy_context().run,
            args=(_step_thread, context, step.key, self.queue),
            name=f"step {step.key}",
        )
        self.running[step.key] = _Running(step, context, thread)
        thread.start()

    def _next_event(self) -> Iterator[DagsterEvent]:
        try:
            item = self.queue.get(timeout=POLL_SECONDS)
        except queue.Empty:
            # A stop that landed in a step thread after its last line never put its _Done.
            for key, running in list(self.running.items()):
                if not running.thread.is_alive() and self.queue.empty():
                    yield from self._finish(_Done(key, DagsterExecutionInterruptedError()))
            return
        if isinstance(item, _Done):
            yield from self._finish(item)
            return
        key, event = item
        self.running[key].events.append(event)
        yield event
        self.active.handle_event(event)

    def _finish(self, done: _Done) -> Iterator[DagsterEvent]:
        running = self.running.pop(done.key)
        running.thread.join()
        if done.error is not None and not isinstance(
            done.error, (DagsterExecutionInterruptedError, KeyboardInterrupt)
        ):  # raised by Dagster after the step's failure event when asked to (raise_on_error)
            self.step_error = done.error
            raise done.error
        self.active.verify_complete(self.job_context, done.key)
        for event in self.active.plan_events_iterator(self.job_context):
            running.events.append(event)
            yield event
        yield from _trigger_hook(running.context, running.events)
