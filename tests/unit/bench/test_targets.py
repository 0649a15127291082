"""The benchmark holds each figure against issue 16's target for its scale."""

from lakehouse_bench.summary import LARGE_DAY_OVERHEAD, TARGETS, target


def test_a_large_day_is_held_to_the_tighter_overhead_target() -> None:
    assert target("overhead", 1_000_000) == LARGE_DAY_OVERHEAD == 1.15
    assert target("overhead", 100_000) == TARGETS["overhead"] == 1.5


def test_the_other_targets_do_not_depend_on_the_scale() -> None:
    for name in ("incremental", "memory", "small_day", "range_backfill"):
        assert target(name, 1_000) == target(name, 5_000_000) == TARGETS[name]
