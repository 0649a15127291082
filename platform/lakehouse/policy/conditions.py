"""Declarative automation for the layers downstream of bronze (silver, and gold).

``eager()`` with two changes. It adds the blocking-check guard: a partition is never requested
on top of a parent whose blocking checks failed, nor of a missing or running parent. And it
drops eager's latest-partition-only window: a late delivery or a bronze-only backfill of an old
day flows downstream too. No double runs: a parent update made by a run that also targeted the
child (the landing sensor's daily run builds bronze and silver together) does not count, and a
request or an update resets the trigger (``since_last_handled``).

Dagster recognises "a run that also built the child" only for the parent's latest
materialisation and only through the run's asset selection, so a run over a range of days, or
two runs in parallel, had children built again whenever an automation tick read a parent's
update before the child's (ticks are not atomic). Runs that build the whole daily job for their
days (a complete landing day, ``lakehouse materialize``) therefore carry
``WHOLE_DAY_RUN_TAGS``, and the assets of that job ignore parent updates made by such runs
partition by partition; every run the landing sensor requests also names its assets
(``operations/jobs.py``, ``daily_run_keys``).
"""

import dagster as dg

AC = dg.AutomationCondition

WHOLE_DAY_RUN_TAGS = {"lakehouse/run_scope": "whole_day"}
"""Tags of a run that builds every asset of the daily job for its days."""


def _parents_updated(
    in_daily_job: bool, ignore: dg.AssetSelection | None
) -> dg.AutomationCondition:
    """``any_deps_updated`` (without the ``ignore`` parents); for an asset of the daily job,
    updates made by whole-day runs (which built this asset too) do not count."""
    updated = AC.any_deps_updated()
    if in_daily_job:
        elsewhere = (
            AC.newly_updated()
            & ~AC.executed_with_root_target()
            & ~AC.all_new_updates_have_run_tags(tag_values=WHOLE_DAY_RUN_TAGS)
        ).with_label("newly_updated_outside_whole_day_runs")
        updated = AC.any_deps_match(elsewhere | AC.will_be_requested()).with_label(
            "any_deps_updated"
        )
    return updated if ignore is None else updated.ignore(ignore)


def downstream_condition(
    ignore: dg.AssetSelection | None = None,
    *,
    whole_history: bool = False,
    in_daily_job: bool = False,
) -> dg.AutomationCondition:
    """Update when a parent updated, never on top of a missing, running or blocked parent.

    ``ignore``: parents that are never materialised themselves (gold's staging views, which
    dbt inlines), left out of every parent test. ``whole_history``: an unpartitioned asset over
    daily parents, which would count every never-landed day as a missing parent: only updates,
    runs in progress and blocking checks gate it. ``in_daily_job``: the asset is built by every
    whole-day run, whose parent updates therefore never trigger it.
    """
    updated, missing = _parents_updated(in_daily_job, ignore), AC.any_deps_missing()
    running, checks = AC.any_deps_in_progress(), AC.all_deps_blocking_checks_passed()
    if ignore is not None:
        missing, running, checks = (
            missing.ignore(ignore),
            running.ignore(ignore),
            checks.ignore(ignore),
        )
    condition = updated.since_last_handled() & ~running & ~AC.in_progress() & checks
    if not whole_history:
        condition = condition & ~missing
    return condition.with_label("downstream_of_healthy_parents")
