"""Declarative automation for the layers downstream of bronze (silver, and gold).

``eager()`` with two changes. It adds the blocking-check guard: a partition is never requested
on top of a parent whose blocking checks failed, nor of a missing or running parent. And it
drops eager's latest-partition-only window: a late delivery or a bronze-only backfill of an old
day flows downstream too. No double runs: a parent update made by a run that also targeted the
child (the landing sensor's daily run builds bronze and silver together) does not count, and a
request or an update resets the trigger (``since_last_handled``). Dagster knows what a run
targeted only from its asset selection, so every run the platform requests names its assets: a
run without one is followed by a second run of its children whenever an automation tick sees a
parent updated before the child (``operations/jobs.py``, ``daily_run_keys``).
"""

import dagster as dg

AC = dg.AutomationCondition


def downstream_condition(
    ignore: dg.AssetSelection | None = None, *, whole_history: bool = False
) -> dg.AutomationCondition:
    """Update when a parent updated, never on top of a missing, running or blocked parent.

    ``ignore``: parents that are never materialised themselves (gold's staging views, which
    dbt inlines), left out of every parent test. ``whole_history``: an unpartitioned asset over
    daily parents, which would count every never-landed day as a missing parent: only updates,
    runs in progress and blocking checks gate it.
    """
    updated, missing = AC.any_deps_updated(), AC.any_deps_missing()
    running, checks = AC.any_deps_in_progress(), AC.all_deps_blocking_checks_passed()
    if ignore is not None:
        updated, missing = updated.ignore(ignore), missing.ignore(ignore)
        running, checks = running.ignore(ignore), checks.ignore(ignore)
    condition = updated.since_last_handled() & ~running & ~AC.in_progress() & checks
    if not whole_history:
        condition = condition & ~missing
    return condition.with_label("downstream_of_healthy_parents")
