"""Declarative automation for the layers downstream of bronze (silver, and gold).

``eager()`` with two changes. It adds the blocking-check guard: a partition is never requested
on top of a parent whose blocking checks failed, nor of a missing or running parent. And it
drops eager's latest-partition-only window: a late delivery or a bronze-only backfill of an old
day flows downstream too. No double runs: a parent update made by a run that also targeted the
child (the landing sensor's daily run builds bronze and silver together) does not count, and a
request or an update resets the trigger (``since_last_handled``).
"""

import dagster as dg

AC = dg.AutomationCondition


def downstream_condition() -> dg.AutomationCondition:
    """Update when a parent updated, never on top of a missing, running or blocked parent."""
    return (
        AC.any_deps_updated().since_last_handled()
        & ~AC.any_deps_missing()
        & ~AC.any_deps_in_progress()
        & ~AC.in_progress()
        & AC.all_deps_blocking_checks_passed()
    ).with_label("downstream_of_healthy_parents")
