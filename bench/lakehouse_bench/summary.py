"""Reduce the raw samples to medians (with min and max), ratios and the targets' verdicts."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from typing import Any

TARGETS = {
    "overhead": 1.5,
    "incremental": 1.1,
    "memory": 2.0,
    "small_day": 5.0,
    "range_backfill": 1.2,
    "huge_day": 6.0,
}
"""Issue 16's targets: platform/baseline excluding start-up (``LARGE_DAY_OVERHEAD`` from
``LARGE_DAY_ROWS`` orders a day), day-N/day-1, peak working set / Arrow size of a day, seconds
of a small day (1 k orders) excluding start-up, platform/baseline of a backfill by range, peak
resident set (GB, 10^9 bytes) of the run's process on a large day (``--huge-day``, 5 M orders)."""
GB = 1e9
LARGE_DAY_ROWS = 1_000_000
LARGE_DAY_OVERHEAD = 1.15


def target(name: str, rows_per_day: int) -> float:
    """The limit of target ``name`` at ``rows_per_day`` orders a day."""
    if name == "overhead" and rows_per_day >= LARGE_DAY_ROWS:
        return LARGE_DAY_OVERHEAD
    return TARGETS[name]


LAYERS = ("bronze", "silver", "gold")


def stats(values: Iterable[float]) -> dict[str, float]:
    """Median, min and max of ``values`` (zeros when there are none)."""
    numbers = list(values)
    if not numbers:
        return {"median": 0.0, "min": 0.0, "max": 0.0, "n": 0}
    return {
        "median": statistics.median(numbers),
        "min": min(numbers),
        "max": max(numbers),
        "n": len(numbers),
    }


def ratio(numerator: dict[str, float], denominator: dict[str, float], of: str = "median") -> float:
    """Ratio of two medians (or of two minima, ``of="min"``); 0 when the denominator is 0."""
    return numerator[of] / denominator[of] if denominator[of] else 0.0


def _compare(name: str, ours: list[dict[str, Any]], theirs: list[dict[str, Any]]) -> dict[str, Any]:
    """Wall and CPU seconds of two sets of samples, and their ratios (median, min, CPU)."""
    wall = {
        "ours": stats(r["seconds"] for r in ours),
        "theirs": stats(r["seconds"] for r in theirs),
    }
    cpu = {
        "ours": stats(r["cpu_seconds"] for r in ours),
        "theirs": stats(r["cpu_seconds"] for r in theirs),
    }
    return {
        "name": name,
        "wall": wall,
        "cpu": cpu,
        "ratio": ratio(wall["ours"], wall["theirs"]),
        "ratio_of_minima": ratio(wall["ours"], wall["theirs"], "min"),
        "ratio_cpu": ratio(cpu["ours"], cpu["theirs"]),
    }


def layers(run: dict[str, Any]) -> dict[str, float]:
    """A platform run's seconds per layer, and the framework's own time between steps."""
    steps = run.get("steps", {})
    split: dict[str, float] = {
        layer: sum(s for k, s in steps.items() if k.startswith(layer)) for layer in LAYERS
    }
    split["framework"] = run["seconds"] - sum(steps.values())
    return split


def _layer_stats(runs: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    per_run = [layers(r) for r in runs]
    return {k: stats(p[k] for p in per_run) for k in (*LAYERS, "framework")}


def _startup(sample: dict[str, Any]) -> float:
    return sample["defs_loaded_at"] - sample["process"]["started_at"]


def _overhead(day: dict[str, Any]) -> dict[str, Any]:
    platform, baseline = day["platform"], day["baseline"]
    runs = [s["run"] for s in platform]
    result = {
        "in_process": _compare("platform / baseline", runs, baseline),
        "platform_startup": stats(_startup(s) for s in platform),
        "platform_cli": stats(s["seconds"] for s in day["cli"]),
        "baseline_process": stats(s["process"]["seconds"] for s in baseline),
        "platform_layers": _layer_stats(runs),
        "baseline_phases": {k: stats(s["phases"][k] for s in baseline) for k in LAYERS},
    }
    result["ratio_in_process"] = result["in_process"]["ratio"]
    result["ratio_with_startup"] = ratio(result["platform_cli"], result["baseline_process"])
    return result


def _incremental(step: dict[str, list[Any]], rows: dict[str, dict[str, int]]) -> dict[str, Any]:
    first = [s["run"] for s in step["platform_1"]]
    last = [s["run"] for s in step["platform_n"]]
    platform = _compare("platform, N days / 1 day", last, first)
    baseline = _compare("baseline, N days / 1 day", step["baseline_n"], step["baseline_1"])
    return {
        "platform": platform,
        "baseline": baseline,
        "platform_layers_day_1": _layer_stats(first),
        "platform_layers_day_n": _layer_stats(last),
        "rows_day": sum(rows[max(rows)].values()),
        "ratio": platform["ratio"],
    }


def _filled(sample: dict[str, Any] | None, rows: int, orders: int) -> dict[str, Any] | None:
    """Seconds, rates and memory of one platform backfill (None when it was not run)."""
    if sample is None:
        return None
    backfill = sample["backfill"]
    seconds = {
        "excluding": backfill["seconds"],
        "including": backfill["seconds"] + _startup(sample),
    }
    return {
        "seconds": seconds,
        "rows_per_second": {k: rows / v if v else 0.0 for k, v in seconds.items()},
        "orders_per_second": {k: orders / v if v else 0.0 for k, v in seconds.items()},
        "runs": len(backfill["days"]),
        "bronze_silver_runs": stats(d["seconds"] for d in backfill["days"]),
        "bronze_silver_seconds": sum(d["seconds"] for d in backfill["days"]),
        "gold_run": backfill["gold"]["seconds"],
        "memory": {
            "rss_before": backfill["rss_before"],
            "peak_rss": backfill["peak_rss"],
            "peak_child": sample["process"]["peak_largest_child"],
            "peak_total": sample["process"]["peak_total"],
        },
    }


def _throughput(fill: dict[str, Any], rows_by_day: dict[str, dict[str, int]]) -> dict[str, Any]:
    baseline = fill["baseline"]
    rows = sum(sum(day.values()) for day in rows_by_day.values())
    orders = sum(day.get("orders", 0) for day in rows_by_day.values())
    seconds = {"excluding": baseline["seconds"], "including": baseline["process"]["seconds"]}
    by_range = _filled(fill["platform_range"], rows, orders)
    assert by_range is not None
    return {
        "days": len(rows_by_day),
        "rows": rows,
        "orders": orders,
        "per_day": _filled(fill["platform"], rows, orders),
        "by_range": by_range,
        "baseline": {
            "seconds": seconds,
            "rows_per_second": {k: rows / v if v else 0.0 for k, v in seconds.items()},
            "orders_per_second": {k: orders / v if v else 0.0 for k, v in seconds.items()},
            "days": stats(baseline["per_day_seconds"]),
            "gold": baseline["phases"]["gold"],
            "memory": {"rss_before": baseline["rss_before"], "peak_rss": baseline["peak_rss"]},
        },
        "ratio_by_range": by_range["seconds"]["excluding"] / seconds["excluding"]
        if seconds["excluding"]
        else 0.0,
    }


def _single_day(day: dict[str, Any] | None) -> dict[str, Any] | None:
    """A day generated alone at its own scale: the platform (in process) against the baseline
    (a large day: the platform alone, ``compare`` None)."""
    if day is None:
        return None
    runs = [s["run"] for s in day["platform"]]
    baseline = day.get("baseline") or []
    return {
        "rows_per_day": day["rows_per_day"],
        "platform_wall": stats(r["seconds"] for r in runs),
        "compare": _compare("platform / baseline", runs, baseline) if baseline else None,
        "platform_layers": _layer_stats(runs),
        "platform_peak_rss": stats(r["peak_rss"] for r in runs),
    }


def _memory(day: dict[str, Any], step: dict[str, Any], arrow: dict[str, Any]) -> dict[str, Any]:
    arrow_day = sum(arrow["day"].values())

    def working(run: dict[str, Any]) -> float:
        return run["peak_rss"] - run["rss_before"]

    platform = [s["run"] for s in day["platform"]]
    processes = [s["process"] for s in day["platform"]]
    last = [s["run"] for s in step["platform_n"]]
    result = {
        "arrow_day": arrow_day,
        "platform_peak_rss": stats(r["peak_rss"] for r in platform),
        "platform_rss_before": stats(r["rss_before"] for r in platform),
        "platform_working": stats(working(r) for r in platform),
        "platform_peak_child": stats(p["peak_largest_child"] for p in processes),
        "platform_peak_total": stats(p["peak_total"] for p in processes),
        "platform_day_n_working": stats(working(r) for r in last),
        "cli_peak_rss": stats(s["peak_rss"] for s in day["cli"]),
        "cli_peak_total": stats(s["peak_total"] for s in day["cli"]),
        "baseline_peak_rss": stats(s["peak_rss"] for s in day["baseline"]),
        "baseline_rss_before": stats(s["rss_before"] for s in day["baseline"]),
        "baseline_working": stats(working(s) for s in day["baseline"]),
    }
    result["ratio"] = result["platform_working"]["median"] / arrow_day if arrow_day else 0.0
    result["ratio_day_n"] = (
        result["platform_day_n_working"]["median"] / arrow_day if arrow_day else 0.0
    )
    result["baseline_ratio"] = result["baseline_working"]["median"] / arrow_day if arrow_day else 0
    return result


def _fixed(fixed: dict[str, list[Any]], day: dict[str, Any]) -> dict[str, Any]:
    def wall(key: str) -> dict[str, float]:
        return stats(s["seconds"] for s in fixed[key])

    return {
        "defs_import": wall("defs_import"),
        "defs_in_process": stats(s["defs_seconds"] for s in day["platform"]),
        "worker_startup": stats(_startup(s) for s in day["platform"]),
        "trivial_first": stats(s["first_seconds"] for s in fixed["trivial"]),
        "trivial_warm": stats(s["warm_seconds"] for s in fixed["trivial"]),
        "trivial_process": stats(s["process"]["seconds"] for s in fixed["trivial"]),
        "dbt_version": wall("dbt_version"),
        "dbt_parse": wall("dbt_parse"),
        "dbt_parse_partial": wall("dbt_parse_partial"),
    }


def _verdict(measured: float, limit: float) -> dict[str, Any]:
    return {"target": limit, "measured": measured, "met": measured <= limit}


def summarise(raw: dict[str, Any], days: int, rows_per_day: int) -> dict[str, Any]:
    """Every figure of the report, from the raw samples of :func:`lakehouse_bench.run_bench`."""
    day, fill, step = raw["one_day"], raw["backfill"], raw["incremental"]
    summary: dict[str, Any] = {
        "overhead": _overhead(day),
        "incremental": _incremental(step, raw["rows_by_day"]),
        "throughput": _throughput(fill, raw["rows_by_day"]),
        "memory": _memory(day, step, raw["arrow_bytes"]),
        "fixed": _fixed(raw["fixed"], day),
        "small_day": _single_day(raw["small_day"]),
        "huge_day": _single_day(raw.get("huge_day")),
        "quick": raw.get("quick", False),
    }
    small, huge = summary["small_day"], summary["huge_day"]
    measured = {
        "overhead": summary["overhead"]["ratio_in_process"],
        "incremental": summary["incremental"]["ratio"],
        "memory": max(summary["memory"]["ratio"], summary["memory"]["ratio_day_n"]),
        "small_day": small["platform_wall"]["median"],
        "range_backfill": summary["throughput"]["ratio_by_range"],
    }
    if huge is not None:
        measured["huge_day"] = huge["platform_peak_rss"]["max"] / GB
    summary["targets"] = {
        name: _verdict(value, target(name, rows_per_day)) for name, value in measured.items()
    }
    summary["days"] = days
    summary["load"] = stats(_loads(raw))
    return summary


def _loads(node: object) -> list[float]:
    """The load average at the start of every measured process."""
    if isinstance(node, dict):
        found = [node["load"]] if isinstance(node.get("load"), float) else []
        return found + [x for v in node.values() for x in _loads(v)]
    if isinstance(node, list):
        return [x for v in node for x in _loads(v)]
    return []
