"""The measurements: each runs the platform or the baseline in a subprocess on the same data.

Every function returns plain JSON-able samples; :mod:`lakehouse_bench.summary` reduces them.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from lakehouse.gold.project import DBT_PROJECT_DIR, PARTITIONED_MARTS
from lakehouse_bench.procmem import ProcessRun, run_measured

BIN = Path(sys.executable).parent
BASELINE = Path(__file__).with_name("baseline.py")
INTERPRETER_ABORT = 134
"""SIGABRT at exit: 'terminate called without an active exception' after threaded scans."""
DAILY_SELECTION = " or ".join(
    ["group:bronze", "group:silver", *(f'key:"gold/{mart}"' for mart in PARTITIONED_MARTS)]
)
"""The assets of ``daily_lakehouse``, as a ``lakehouse materialize --select`` string."""


class BenchError(RuntimeError):
    """A measured process failed; the message names it and the log to read."""


@dataclass
class Bench:
    """Where one benchmark works: generated landing files, scratch roots, environment, log."""

    work: Path
    landing: Path
    env: Mapping[str, str]
    log: Path
    abnormal_exits: list[dict[str, Any]]

    def root(self, name: str) -> Path:
        """A fresh lakehouse root under the work folder."""
        path = self.work / "roots" / name
        shutil.rmtree(path, ignore_errors=True)
        return path

    def run(
        self, name: str, command: list[str], root: Path | None = None, result: bool = False
    ) -> tuple[ProcessRun, dict[str, Any]]:
        """Run ``command`` (with ``LAKEHOUSE_ROOT=root``); its JSON ``--result`` if asked."""
        env = dict(self.env)
        if root is not None:
            env["LAKEHOUSE_ROOT"] = str(root)
        result_file = self.work / "results" / f"{name}.json"
        result_file.parent.mkdir(parents=True, exist_ok=True)
        result_file.unlink(missing_ok=True)
        if result:
            command = [*command, "--result", str(result_file)]
        done = run_measured(command, env, self.log)
        data = json.loads(result_file.read_text()) if result and result_file.exists() else {}
        if done.returncode == INTERPRETER_ABORT and (data or not result):
            self.abnormal_exits.append({"name": name, "returncode": done.returncode})
        elif done.returncode != 0 or (result and not data):
            raise BenchError(
                f"{name} failed (exit {done.returncode}): {' '.join(command)}; see {self.log}"
            )
        failed = [s for s in _runs(data) if not s.get("success", True)]
        if failed:
            raise BenchError(f"{name}: a run failed: {failed[0].get('errors')}; see {self.log}")
        return done, data


def _runs(data: dict[str, Any]) -> list[dict[str, Any]]:
    backfill = data.get("backfill", {})
    runs = [data["run"]] if "run" in data else []
    return runs + backfill.get("days", []) + ([backfill["gold"]] if "gold" in backfill else [])


def _worker(task: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "lakehouse_bench.worker", task, *args]


def _baseline(root: Path, landing: Path, start: date, end: date) -> list[str]:
    return [
        sys.executable,
        str(BASELINE),
        "--landing",
        str(landing),
        "--root",
        str(root),
        "--start",
        start.isoformat(),
        "--end",
        end.isoformat(),
    ]


def fixed_costs(bench: Bench, repeat: int, parse: bool = True) -> dict[str, list[Any]]:
    """Definitions import, a trivial Dagster run, and dbt's start-up and parse (unless not
    ``parse``), per repeat."""
    samples: dict[str, list[Any]] = {
        k: [] for k in ("defs_import", "trivial", "dbt_version", "dbt_parse", "dbt_parse_partial")
    }
    root = bench.root("fixed")
    dbt = [str(BIN / "dbt")]
    project = ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    for n in range(repeat):
        done, _ = bench.run(
            "defs_import", [sys.executable, "-c", "import lakehouse.definitions"], root
        )
        samples["defs_import"].append(done.as_dict())
        done, data = bench.run(f"trivial_{n}", _worker("trivial"), root, result=True)
        samples["trivial"].append({"process": done.as_dict(), **data})
        done, _ = bench.run("dbt_version", [*dbt, "--version"], root)
        samples["dbt_version"].append(done.as_dict())
        target = bench.work / "dbt-parse" / str(n)
        paths = ["--target-path", str(target), "--log-path", str(target / "logs")]
        for key in ("dbt_parse", "dbt_parse_partial") if parse else ():
            done, _ = bench.run(key, [*dbt, "parse", *project, *paths, "--quiet"], root)
            samples[key].append(done.as_dict())
    return samples


def single_day(
    bench: Bench, day: date, repeat: int, name: str = "day", baseline: bool = True
) -> dict[str, list[Any]]:
    """One day from landing to the daily marts on an empty lakehouse, per repeat: the platform
    in process (``daily_lakehouse`` executed in a worker) and, with ``baseline``, the baseline
    script."""
    samples: dict[str, list[Any]] = {"platform": [], "baseline": [], "roots": []}
    iso = day.isoformat()
    for n in range(repeat):
        root = bench.root(f"platform_{name}_{n}")
        done, data = bench.run(f"platform_{name}_{n}", _worker("day", "--day", iso), root, True)
        samples["platform"].append({"process": done.as_dict(), **data})
        roots = {"platform": str(root)}
        if baseline:
            base = bench.root(f"baseline_{name}_{n}")
            done, data = bench.run(
                f"baseline_{name}_{n}", _baseline(base, bench.landing, day, day), None, True
            )
            samples["baseline"].append({"process": done.as_dict(), **data})
            roots["baseline"] = str(base)
        samples["roots"].append(roots)
    return samples


def one_day(bench: Bench, day: date, repeat: int, cli: bool = True) -> dict[str, list[Any]]:
    """``single_day``, and the same day as ``lakehouse materialize`` (process start-up
    included) unless ``cli`` is False."""
    samples = single_day(bench, day, repeat)
    samples["cli"] = []
    iso = day.isoformat()
    for n in range(repeat if cli else 0):
        command = [str(BIN / "lakehouse"), "materialize", "--start", iso, "--end", iso]
        done, _ = bench.run(
            f"cli_day_{n}", [*command, "--select", DAILY_SELECTION], bench.root(f"cli_{n}")
        )
        samples["cli"].append(done.as_dict())
    return samples


def platform_backfill(bench: Bench, first: date, last: date, by_range: bool) -> dict[str, Any]:
    """Every day from ``first`` to ``last`` on an empty lakehouse: bronze and silver one run
    per day, or (``by_range``) one run per range of up to 31 days; the marts in one run."""
    name = "platform_range_backfill" if by_range else "platform_backfill"
    root = bench.root(name)
    args = ["--start", first.isoformat(), "--end", last.isoformat()]
    done, data = bench.run(
        name, _worker("backfill", *args, *(["--by-range"] if by_range else [])), root, True
    )
    return {"process": done.as_dict(), **data, "root": str(root), "by_range": by_range}


def baseline_backfill(bench: Bench, first: date, last: date) -> dict[str, Any]:
    """Every day from ``first`` to ``last`` with the baseline script, on an empty lakehouse."""
    base = bench.root("baseline_backfill")
    done, data = bench.run(
        "baseline_backfill", _baseline(base, bench.landing, first, last), None, True
    )
    return {"process": done.as_dict(), **data, "root": str(base)}


def incremental(
    bench: Bench, small: dict[str, str], large: dict[str, str], day: date, repeat: int
) -> dict[str, list[Any]]:
    """Re-runs of the same ``day`` on a one-day lakehouse and on the backfilled one, per repeat.

    ``small`` and ``large`` map ``platform`` / ``baseline`` to lakehouse roots, both holding
    ``day`` (the newest day). The same input on both isolates the cost of the tables' size;
    samples alternate so both see the same machine load.
    """
    samples: dict[str, list[Any]] = {
        k: [] for k in ("platform_1", "platform_n", "baseline_1", "baseline_n")
    }
    worker = _worker("day", "--day", day.isoformat())
    for n in range(repeat):
        for size, roots in (("1", small), ("n", large)):
            name = f"incremental_{size}_{n}"
            done, data = bench.run(f"platform_{name}", worker, Path(roots["platform"]), True)
            samples[f"platform_{size}"].append({"process": done.as_dict(), **data})
            command = _baseline(Path(roots["baseline"]), bench.landing, day, day)
            done, data = bench.run(f"baseline_{name}", command, None, True)
            samples[f"baseline_{size}"].append({"process": done.as_dict(), **data})
    return samples
