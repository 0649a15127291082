"""The benchmark's Markdown report, and the machine it ran on."""

from __future__ import annotations

import os
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = ("dagster", "dagster-dbt", "deltalake", "duckdb", "pyarrow", "dbt-core", "dbt-duckdb")
MIB = 1024 * 1024
FRAMEWORK = "wall minus summed step times (Dagster between steps; negative: steps ran at once)"


def _proc_value(path: str, key: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def machine_info() -> dict[str, Any]:
    """Cores, memory, CPU, load, Python and the versions of the stack."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    memory_kb = _proc_value("/proc/meminfo", "MemTotal").split()[0]
    return {
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)),
        "memory_bytes": int(memory_kb) * 1024 if memory_kb.isdigit() else None,
        "cpu": _proc_value("/proc/cpuinfo", "model name"),
        "load_before": os.getloadavg(),
        "python": platform.python_version(),
        "system": platform.platform(),
        "bytecode_writes_disabled": bool(os.environ.get("PYTHONDONTWRITEBYTECODE")),
        "versions": versions,
    }


def _s(stat: dict[str, float]) -> str:
    """``median (min-max)`` seconds; ``—`` when not measured."""
    if stat["n"] == 0:
        return "—"
    if stat["n"] > 1:
        return f"{stat['median']:.2f} s ({stat['min']:.2f}-{stat['max']:.2f})"
    return f"{stat['median']:.2f} s"


def _mib(value: float) -> str:
    return f"{value / MIB:,.0f} MiB" if abs(value) >= 10 * MIB else f"{value / MIB:.1f} MiB"


def _m(stat: dict[str, float]) -> str:
    if stat["n"] == 0:
        return "—"
    if stat["n"] > 1:
        return f"{_mib(stat['median'])} ({_mib(stat['min'])}-{_mib(stat['max'])})"
    return _mib(stat["median"])


def _rate(value: float) -> str:
    return f"{value:,.0f}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def _targets(summary: dict[str, Any], rows_per_day: int) -> list[str]:
    small = summary["small_day"]["rows_per_day"]
    fill = summary["throughput"]
    names = {
        "overhead": "platform / baseline, one day, excluding start-up",
        "incremental": "day N / day 1 (one day's run, tables holding N days vs 1)",
        "memory": "peak working set / Arrow size of the day",
        "small_day": f"one day, {small:,} orders, bronze → gold, all sources, excl. process "
        "start-up (s)",
        "range_backfill": f"{fill['days']}-day backfill, {rows_per_day:,} orders/day, "
        "platform/baseline (range path)",
    }
    if summary["huge_day"] is not None:
        huge = summary["huge_day"]["rows_per_day"]
        names["huge_day"] = (
            f"one day, {huge:,} orders: peak resident set of the run's process (GB, 10^9 bytes)"
        )
    rows = [
        [names[k], f"≤ {t['target']}", f"{t['measured']:.2f}", "yes" if t["met"] else "**no**"]
        for k, t in summary["targets"].items()
    ]
    return ["## Targets", "", *_table(["target", "limit", "measured", "met"], rows), ""]


def _ratios(c: dict[str, Any]) -> str:
    return f"{c['ratio']:.2f} (of minima {c['ratio_of_minima']:.2f})"


def _overhead(o: dict[str, Any], day: str) -> list[str]:
    pl, bl, c = o["platform_layers"], o["baseline_phases"], o["in_process"]
    rows = [
        [
            "wall, excluding process start-up",
            _s(c["wall"]["ours"]),
            _s(c["wall"]["theirs"]),
            _ratios(c),
        ],
        [
            "CPU (process + children), excluding start-up",
            _s(c["cpu"]["ours"]),
            _s(c["cpu"]["theirs"]),
            f"{c['ratio_cpu']:.2f}",
        ],
        [
            "wall, including process start-up (`lakehouse materialize` / "
            "`python bench/lakehouse_bench/baseline.py`)",
            _s(o["platform_cli"]),
            _s(o["baseline_process"]),
            f"{o['ratio_with_startup']:.2f}",
        ],
    ]
    parts = [
        [layer, _s(pl[layer]), _s(bl[layer]) if layer in bl else "—"]
        for layer in ("bronze", "silver", "gold")
    ]
    parts.append([FRAMEWORK, _s(pl["framework"]), "—"])
    parts.append(["process start-up (imports, definitions)", _s(o["platform_startup"]), "—"])
    return [
        "## 1. Platform overhead: one day, landing → bronze → silver → daily marts",
        "",
        f"The newest day ({day}) materialised on an empty lakehouse.",
        "",
        *_table(["one day on an empty lakehouse", "platform", "baseline", "ratio"], rows),
        "",
        "Where the time goes (platform: sum of the layer's step times in the run):",
        "",
        *_table(["part", "platform", "baseline"], parts),
        "",
    ]


def _incremental(i: dict[str, Any], days: int) -> list[str]:
    rows = []
    for label, c in (
        ("platform (`daily_lakehouse`), wall", i["platform"]),
        ("baseline, wall", i["baseline"]),
    ):
        rows.append([label, _s(c["wall"]["theirs"]), _s(c["wall"]["ours"]), _ratios(c)])
        rows.append(
            [
                label.replace("wall", "CPU"),
                _s(c["cpu"]["theirs"]),
                _s(c["cpu"]["ours"]),
                f"{c['ratio_cpu']:.2f}",
            ]
        )
    d1, dn = i["platform_layers_day_1"], i["platform_layers_day_n"]
    parts = [[part, _s(d1[part]), _s(dn[part])] for part in ("bronze", "silver", "gold")]
    parts.append([FRAMEWORK, _s(d1["framework"]), _s(dn["framework"])])
    return [
        f"## 2. Incremental cost: one day's run with tables holding 1 day vs {days} days",
        "",
        f"The newest day ({i['rows_day']:,} rows landed) re-run on a lakehouse holding only that "
        f"day and on the backfilled one holding {days} days, excluding process start-up; each "
        "run in a fresh process, the two alternating so that both see the same machine load.",
        "",
        *_table(["re-run of one day", "1 day", f"{days} days", "ratio"], rows),
        "",
        "Platform, per layer (wall):",
        "",
        *_table(["part", "1 day", f"{days} days"], parts),
        "",
    ]


def _backfill_cells(f: dict[str, Any] | None) -> list[str]:
    """One platform backfill's cells of the throughput table (``—`` when not run)."""
    if f is None:
        return ["—"] * 10
    s, r, o, m = f["seconds"], f["rows_per_second"], f["orders_per_second"], f["memory"]
    return [
        f"{s['excluding']:.1f} s",
        f"{s['including']:.1f} s",
        f"{_rate(r['excluding'])} / {_rate(r['including'])}",
        f"{_rate(o['excluding'])} / {_rate(o['including'])}",
        f"{f['runs']} runs, {f['bronze_silver_seconds']:.1f} s",
        f"{f['gold_run']:.1f} s",
        _mib(m["peak_rss"]),
        _mib(m["peak_child"]),
        _mib(m["peak_total"]),
        _mib(m["rss_before"]),
    ]


def _throughput(t: dict[str, Any]) -> list[str]:
    b = t["baseline"]
    s, r, o, m = b["seconds"], b["rows_per_second"], b["orders_per_second"], b["memory"]
    labels = [
        "time, excluding process start-up",
        "time, including process start-up",
        "rows/s, all sources (excl. / incl. start-up)",
        "orders/s (excl. / incl. start-up)",
        "bronze + silver (platform: its runs; baseline: per day)",
        "daily marts, one run over the range",
        "peak RSS, main process",
        "peak RSS, largest child (dbt)",
        "peak RSS, all processes",
        "RSS before the work (imports done)",
    ]
    baseline = [
        f"{s['excluding']:.1f} s",
        f"{s['including']:.1f} s",
        f"{_rate(r['excluding'])} / {_rate(r['including'])}",
        f"{_rate(o['excluding'])} / {_rate(o['including'])}",
        _s(b["days"]),
        f"{b['gold']:.1f} s",
        _mib(m["peak_rss"]),
        "—",
        _mib(m["peak_rss"]),
        _mib(m["rss_before"]),
    ]
    columns = zip(
        labels, _backfill_cells(t["per_day"]), _backfill_cells(t["by_range"]), baseline, strict=True
    )
    header = ["backfill", "platform, a run per day", "platform, by range", "baseline"]
    return [
        f"## 3. Throughput: backfill of {t['days']} days ({t['orders']:,} orders, "
        f"{t['rows']:,} rows in all sources)",
        "",
        "By range: bronze and silver in one run per range of up to 31 days (one commit per "
        "table per range), as `lakehouse materialize --by-range` and the UI's backfills run; "
        f"platform / baseline {t['ratio_by_range']:.2f}, excluding start-up.",
        "",
        *_table(header, [list(row) for row in columns]),
        "",
    ]


def _days(small: dict[str, Any], huge: dict[str, Any] | None) -> list[str]:
    rows = []
    for label, day in (("small", small), ("large", huge)):
        if day is None:
            rows.append([f"{label} day: not run (`--huge-day`)", "—", "—", "—", "—", "—"])
            continue
        c, layers = day["compare"], day["platform_layers"]
        split = " / ".join(f"{layers[k]['median']:.2f}" for k in ("bronze", "silver", "gold"))
        baseline = "not run (holds whole tables in Arrow)" if c is None else _s(c["wall"]["theirs"])
        rows.append(
            [
                f"one day, {day['rows_per_day']:,} orders, bronze → gold, all sources, "
                "excl. process start-up",
                _s(day["platform_wall"]),
                baseline,
                "—" if c is None else f"{c['ratio']:.2f}",
                split,
                _m(day["platform_peak_rss"]),
            ]
        )
    header = [
        "day generated alone",
        "platform",
        "baseline",
        "ratio",
        "bronze / silver / gold",
        "platform peak RSS",
    ]
    return ["## 6. Small and large days", "", *_table(header, rows), ""]


def _memory(m: dict[str, Any]) -> list[str]:
    rows = [
        [
            "platform run (worker process)",
            _m(m["platform_peak_rss"]),
            _m(m["platform_rss_before"]),
            _m(m["platform_working"]),
            f"{m['ratio']:.2f}",
        ],
        ["dbt (child of the run)", _m(m["platform_peak_child"]), "—", "—", "—"],
        ["platform, all processes", _m(m["platform_peak_total"]), "—", "—", "—"],
        [
            "`lakehouse materialize` (largest process / all)",
            f"{_m(m['cli_peak_rss'])} / {_m(m['cli_peak_total'])}",
            "—",
            "—",
            "—",
        ],
        [
            "baseline",
            _m(m["baseline_peak_rss"]),
            _m(m["baseline_rss_before"]),
            _m(m["baseline_working"]),
            f"{m['baseline_ratio']:.2f}",
        ],
        [
            "platform re-run of the day, tables holding N days",
            "—",
            "—",
            _m(m["platform_day_n_working"]),
            f"{m['ratio_day_n']:.2f}",
        ],
    ]
    return [
        f"## 4. Peak memory of one day (Arrow size of the day as landed: {_mib(m['arrow_day'])})",
        "",
        *_table(
            ["process", "peak RSS", "before the run", "working set (peak - before)", "÷ Arrow day"],
            rows,
        ),
        "",
    ]


def _fixed(f: dict[str, Any]) -> list[str]:
    rows = [
        ['definitions load, `python -c "import lakehouse.definitions"`', _s(f["defs_import"])],
        ["definitions load in process (imports + build)", _s(f["defs_in_process"])],
        ["run worker start-up (interpreter, imports, definitions)", _s(f["worker_startup"])],
        ["trivial one-op run, first in a process", _s(f["trivial_first"])],
        ["trivial one-op run, warm", _s(f["trivial_warm"])],
        ["trivial run process (interpreter, dagster import, two runs)", _s(f["trivial_process"])],
        ["`dbt --version`", _s(f["dbt_version"])],
        ["`dbt parse`, full (fresh target)", _s(f["dbt_parse"])],
        ["`dbt parse`, partial (nothing changed)", _s(f["dbt_parse_partial"])],
    ]
    return ["## 5. Fixed costs", "", *_table(["cost", "median (min-max)"], rows), ""]


def _quick(summary: dict[str, Any]) -> list[str]:
    if not summary.get("quick"):
        return []
    return [
        "**--quick: a check of the harness, not a measurement** (no CLI run, no dbt parse, no "
        "backfill a run per day, the one-day runs stand in for the re-runs).",
        "",
    ]


def render_markdown(results: dict[str, Any]) -> str:
    """The report of one benchmark run, as Markdown."""
    s, c, machine = results["summary"], results["config"], results["machine"]
    raw = results["raw"]
    versions = ", ".join(f"{k} {v}" for k, v in machine["versions"].items())
    equal = raw["outputs_equal"]
    same = all(v for part in equal.values() for v in part.values())
    aborts = raw["abnormal_exits"]
    lines = [
        "# Benchmark results",
        "",
        f"Command: `{results['command']}`  ",
        f"Scale: {c['rows_per_day']:,} orders/day, {c['days']} days ({c['first_day']} .. "
        f"{c['last_day']}), median of {c['repeat']} run(s) with (min-max); "
        f"{results['seconds'] / 60:.1f} min in all.  ",
        f"Machine: {machine['cores']} cores ({machine['cpu']}), "
        f"{(machine['memory_bytes'] or 0) / MIB / 1024:.0f} GiB, load average before "
        f"{machine['load_before'][0]:.2f}, at the start of each measured process "
        f"{s['load']['min']:.1f}-{s['load']['max']:.1f} (median {s['load']['median']:.1f}), "
        f"after {machine['load_after'][0]:.2f}; Python "
        f"{machine['python']}; {versions}.",
        "",
        *_quick(s),
        *_targets(s, c["rows_per_day"]),
        *_overhead(s["overhead"], str(c["last_day"])),
        *_incremental(s["incremental"], s["days"]),
        *_throughput(s["throughput"]),
        *_memory(s["memory"]),
        *_fixed(s["fixed"]),
        *_days(s["small_day"], s["huge_day"]),
        "## Checks",
        "",
        f"- Baseline and platform marts identical (one day; backfill): {'yes' if same else 'NO'} "
        f"({equal}).",
        f"- Processes that aborted at exit (exit 134): {aborts or 'none'}.",
        "",
    ]
    return "\n".join(lines)
