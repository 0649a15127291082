"""The threaded executor: independent steps at once, within the weight budget, in dependency
order, the longest chain (estimated time) first; a failing step fails the run, not its
neighbours; a stop reaches every running step."""

from __future__ import annotations

import faulthandler
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import dagster as dg
import pytest

from lakehouse.operations import signals
from lakehouse.operations.executor import execute_in_process, threaded_executor
from lakehouse.operations.signals import stop_thread
from lakehouse.operations.step_threads import BYTES_PER_SECOND
from lakehouse.policy.assets import STEP_SECONDS_TAG

BARRIER_SECONDS = 20.0
RUN_END_SECONDS = 120.0


@dataclass
class Journal:
    """When each op ran, and how many ran at once at most."""

    spans: dict[str, tuple[float, float]] = field(default_factory=dict)
    started: list[str] = field(default_factory=list)
    running: int = 0
    most: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def enter(self, name: str) -> float:
        with self.lock:
            self.started.append(name)
            self.running += 1
            self.most = max(self.most, self.running)
        return time.monotonic()

    def leave(self, name: str, began: float) -> None:
        with self.lock:
            self.running -= 1
            self.spans[name] = (began, time.monotonic())


def _job(
    journal: Journal,
    weights: Mapping[str, int | None],
    body: Callable[[str], None] = lambda _: time.sleep(0.2),
    deps: Mapping[str, list[str]] | None = None,
    tags: Mapping[str, Mapping[str, str]] | None = None,
) -> dg.JobDefinition:
    """A job of one asset per name in ``weights`` (``deps``: upstream names, ``tags``: op
    tags), each running ``body`` and journaled; steps weigh ``weights[name]``."""
    deps = deps or {}
    tags = tags or {}

    def make(name: str) -> dg.AssetsDefinition:
        @dg.asset(
            name=name, deps=[dg.AssetKey(d) for d in deps.get(name, [])], op_tags=tags.get(name)
        )
        def run() -> None:
            began = journal.enter(name)
            try:
                body(name)
            finally:
                journal.leave(name, began)

        return run

    def weigh_for(_context: object) -> Callable[[Any], int | None]:
        return lambda step: weights[step.key]

    defs = dg.Definitions(
        assets=[make(n) for n in weights],
        jobs=[dg.define_asset_job("all", selection="*")],
        executor=threaded_executor(weigh_for),
    )
    return defs.resolve_job_def("all")


def _run(
    job: dg.JobDefinition, config: Mapping[str, Any] | None = None
) -> dg.ExecuteInProcessResult:
    run_config = {"execution": {"config": dict(config)}} if config else None
    with dg.instance_for_test() as instance:
        return execute_in_process(
            job, instance=instance, run_config=run_config, raise_on_error=False
        )


def _overlap(journal: Journal, a: str, b: str) -> bool:
    (a0, a1), (b0, b1) = journal.spans[a], journal.spans[b]
    return a0 < b1 and b0 < a1


def test_independent_steps_run_at_once() -> None:
    # Each step waits for the other: the run passes only if both run at the same time.
    barrier = threading.Barrier(2, timeout=BARRIER_SECONDS)
    journal = Journal()
    job = _job(journal, {"a": 1, "b": 1}, body=lambda _: barrier.wait())
    result = _run(job)
    assert result.success
    assert journal.most == 2


def test_max_concurrent_one_runs_steps_one_after_another() -> None:
    journal = Journal()
    result = _run(_job(journal, {"a": 1, "b": 1, "c": 1}), {"max_concurrent": 1})
    assert result.success
    assert journal.most == 1


def test_steps_over_the_budget_or_without_a_weight_run_alone() -> None:
    journal = Journal()
    job = _job(journal, {"big": 600, "also_big": 600, "unweighed": None, "small": 10})
    result = _run(job, {"concurrent_input_bytes": 1000})
    assert result.success
    assert not _overlap(journal, "big", "also_big")
    for other in ("big", "also_big", "small"):
        assert not _overlap(journal, "unweighed", other)
    # Within the budget, the small step keeps a big one company.
    assert _overlap(journal, "small", "big") or _overlap(journal, "small", "also_big")


def test_a_step_over_the_budget_runs_beside_light_steps_only() -> None:
    # "huge" is over the budget: "light" (within a quarter of it) may keep it company, "heavy"
    # may not. "huge" and "light" each wait for the other: the run passes only if they overlap.
    barrier = threading.Barrier(2, timeout=BARRIER_SECONDS)
    journal = Journal()
    weights = {"huge": 5000, "light": 200, "heavy": 600}

    def body(name: str) -> None:
        if name == "heavy":
            time.sleep(0.2)
        else:
            barrier.wait()

    result = _run(_job(journal, weights, body=body), {"concurrent_input_bytes": 1000})
    assert result.success
    assert _overlap(journal, "huge", "light")
    assert not _overlap(journal, "huge", "heavy")


def test_a_step_starts_after_its_upstream_steps() -> None:
    journal = Journal()
    job = _job(journal, {"up": 1, "side": 1, "down": 1}, deps={"down": ["up"]})
    result = _run(job)
    assert result.success
    assert journal.spans["down"][0] >= journal.spans["up"][1]


def test_the_longest_chain_starts_first() -> None:
    # "light" weighs nothing but "heavy_after" waits for it: its chain (~2 s of bytes) is longer
    # than "mid" (~1 s).
    journal = Journal()
    weights = {"light": 0, "heavy_after": 2 * BYTES_PER_SECOND, "mid": BYTES_PER_SECOND}
    job = _job(journal, weights, deps={"heavy_after": ["light"]})
    result = _run(job, {"max_concurrent": 1})
    assert result.success
    assert journal.started == ["light", "heavy_after", "mid"]


def test_a_step_s_own_cost_counts_in_its_chain() -> None:
    # "slow_after" reads nothing but costs 5 s of its own (a dbt build): the chain through it
    # outlasts "big" (~3 s of bytes), so "small" starts first although "big" weighs more.
    journal = Journal()
    weights = {"big": 3 * BYTES_PER_SECOND, "small": 0, "slow_after": 0}
    job = _job(
        journal,
        weights,
        deps={"slow_after": ["small"]},
        tags={"slow_after": {STEP_SECONDS_TAG: "5"}},
    )
    result = _run(job, {"max_concurrent": 1})
    assert result.success
    assert journal.started == ["small", "slow_after", "big"]


def test_a_failing_step_fails_the_run_and_skips_its_downstream_only() -> None:
    def body(name: str) -> None:
        if name == "broken":
            raise ValueError("bad input")
        time.sleep(0.2)

    journal = Journal()
    job = _job(journal, {"broken": 1, "after": 1, "fine": 1}, body=body, deps={"after": ["broken"]})
    result = _run(job)
    assert not result.success
    assert "fine" in journal.spans
    assert "after" not in journal.spans
    failed = [e.step_key for e in result.all_events if e.is_step_failure]
    assert failed == ["broken"]


def test_a_stop_asked_of_the_run_reaches_every_running_step(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As the headless supervisor stops a run: the loop is asked (it raises at its next turn,
    # never inside Dagster's bookkeeping) and passes the stop on to the steps.
    both_running = threading.Barrier(3, timeout=BARRIER_SECONDS)

    def body(_: str) -> None:
        both_running.wait()
        deadline = time.monotonic() + BARRIER_SECONDS
        while time.monotonic() < deadline:  # Python code: an async exception lands here
            time.sleep(0.01)

    journal = Journal()
    job = _job(journal, {"a": 1, "b": 1}, body=body)
    outcome: dict[str, dg.ExecuteInProcessResult] = {}

    def run() -> None:
        outcome["result"] = _run(job)

    runner = threading.Thread(target=run)
    raised_in: list[threading.Thread] = []  # the asynchronous path, for the loop's thread only
    monkeypatch.setattr(signals, "raise_in", lambda thread, _: raised_in.append(thread))
    runner.start()
    both_running.wait()
    stop_thread(runner, KeyboardInterrupt)
    runner.join(RUN_END_SECONDS)  # the run's own teardown too, slow on a loaded machine
    if runner.is_alive():  # where every thread is, for the report
        faulthandler.dump_traceback(all_threads=True)
    assert not runner.is_alive()
    assert raised_in == []  # the loop was asked, not interrupted wherever it was
    result = outcome["result"]
    assert not result.success
    failures = {
        e.step_key: e.step_failure_data.error.cls_name
        for e in result.all_events
        if e.is_step_failure and e.step_failure_data.error
    }
    assert failures == {"a": "KeyboardInterrupt", "b": "KeyboardInterrupt"}
    assert set(journal.spans) == {"a", "b"} and journal.running == 0
    for began, ended in journal.spans.values():  # the steps stopped, not ran to the deadline
        assert ended - began < BARRIER_SECONDS / 2
