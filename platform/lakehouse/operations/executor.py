"""The platform's executor: a run's steps on threads of its process, independent steps at once.

Selected for every job of the definitions; the UI's and the daemon's runs use it through the
run worker, headless runs through :func:`execute_in_process`. Run config
(``execution: config: ...``) sets ``max_concurrent`` (1: one step after another, like Dagster's
in-process executor) and ``concurrent_input_bytes``: a bronze or silver step joins running steps
only while the landing bytes they all read for a day stay within it, or those of all but the
largest within a quarter of it: the large steps of a large day run apart, each beside light
steps at most, and a day's peak memory stays near that of its largest step.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from functools import partial
from typing import Any, cast

import dagster as dg
from dagster._core.definitions.job_base import InMemoryJob
from dagster._core.events import DagsterEvent, EngineEventData
from dagster._core.execution.api import ExecuteRunWithPlanIterable
from dagster._core.execution.context.system import PlanOrchestrationContext
from dagster._core.execution.context_creation_job import PlanExecutionContextManager
from dagster._core.execution.execute_in_process import core_execute_in_process, merge_run_tags
from dagster._core.execution.plan.plan import ExecutionPlan
from dagster._core.execution.retries import RetryMode, get_retries_config
from dagster._core.executor.base import Executor

from lakehouse.operations.step_threads import WeighFor, threaded_plan_iterator

DEFAULT_MAX_CONCURRENT = 2
DEFAULT_CONCURRENT_INPUT_BYTES = 1 << 30


class ThreadedExecutor(Executor):
    """Executes a run's steps on up to ``max_concurrent`` threads of the run's process."""

    def __init__(
        self, retries: RetryMode, max_concurrent: int, input_bytes: int, weigh_for: WeighFor
    ) -> None:
        self._retries = retries
        self.max_concurrent = max_concurrent
        self.input_bytes = input_bytes
        self.weigh_for = weigh_for

    @property
    def retries(self) -> RetryMode:
        return self._retries

    def execute(
        self, plan_context: PlanOrchestrationContext, execution_plan: ExecutionPlan
    ) -> Iterator[DagsterEvent]:
        keys = execution_plan.step_keys_to_execute
        pid = os.getpid()
        yield DagsterEvent.engine_event(
            plan_context,
            f"Executing steps in process (pid: {pid}), up to {self.max_concurrent} at once",
            event_specific_data=EngineEventData.in_process(pid, keys),
        )
        iterator = partial(
            threaded_plan_iterator,
            max_concurrent=self.max_concurrent,
            weigh=self.weigh_for(plan_context),
            budget=self.input_bytes,
        )
        yield from ExecuteRunWithPlanIterable(
            execution_plan=plan_context.execution_plan,
            iterator=iterator,
            execution_context_manager=PlanExecutionContextManager(
                job=plan_context.job,
                retry_mode=plan_context.retry_mode,
                execution_plan=plan_context.execution_plan,
                run_config=plan_context.run_config,
                dagster_run=plan_context.dagster_run,
                instance=plan_context.instance,
                raise_on_error=plan_context.raise_on_error,
                output_capture=plan_context.output_capture,
            ),
        )


def threaded_executor(weigh_for: WeighFor) -> dg.ExecutorDefinition:
    """The executor definition, steps weighed by ``weigh_for``'s rule."""

    @dg.executor(
        name="lakehouse_threads",
        config_schema={
            "retries": get_retries_config(),
            "max_concurrent": dg.Field(
                int,
                default_value=DEFAULT_MAX_CONCURRENT,
                description="Steps running at once (1: one after another).",
            ),
            "concurrent_input_bytes": dg.Field(
                int,
                default_value=DEFAULT_CONCURRENT_INPUT_BYTES,
                description=(
                    "Landing bytes a day of the steps running at once may read together; a "
                    "step over it runs alone."
                ),
            ),
        },
    )
    def lakehouse_threads(init_context: dg.InitExecutorContext) -> ThreadedExecutor:
        """Steps on threads of the run's process, independent ones at once."""
        config = cast(dict[str, Any], init_context.executor_config)
        return ThreadedExecutor(
            RetryMode.from_config(config["retries"]) or RetryMode.ENABLED,
            int(config["max_concurrent"]),
            int(config["concurrent_input_bytes"]),
            weigh_for,
        )

    return lakehouse_threads


def execute_in_process(
    job: dg.JobDefinition,
    *,
    instance: dg.DagsterInstance,
    partition_key: str | None = None,
    asset_selection: list[dg.AssetKey] | None = None,
    run_config: Mapping[str, Any] | None = None,
    tags: Mapping[str, str] | None = None,
    run_id: str | None = None,
    raise_on_error: bool = True,
) -> dg.ExecuteInProcessResult:
    """``job.execute_in_process`` with the job's own executor (Dagster's swaps in its
    in-process one, which runs one step after another)."""
    selection = list(asset_selection or [])
    ephemeral = job.as_ephemeral_job(
        resource_defs={}, input_values={}, asset_selection=selection
    ).with_executor_def(job.executor_def)
    config = dict(run_config or {})
    if not config and ephemeral.partitioned_config and partition_key:
        config = dict(ephemeral.partitioned_config.get_run_config_for_partition_key(partition_key))
    return core_execute_in_process(
        job=InMemoryJob(job_def=ephemeral),
        run_config=config,
        instance=instance,
        output_capturing_enabled=True,
        raise_on_error=raise_on_error,
        run_tags=merge_run_tags(
            job_def=job,
            partition_key=partition_key,
            tags=tags,
            asset_selection=selection,
            instance=instance,
            run_config=config,
        ),
        run_id=run_id,
        asset_selection=frozenset(selection),
    )
