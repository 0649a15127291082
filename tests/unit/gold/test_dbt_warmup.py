"""dbt's warm-up: started once per process and project, it leaves the parse in memory and
rehearses a build that selects nothing."""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path
from typing import Any

import pytest

from lakehouse.gold import dbt_in_process, dbt_parse_cache, dbt_warmup
from lakehouse.gold.dbt_parse_cache import ParseCache, ParseKey


@pytest.fixture
def cache(monkeypatch: pytest.MonkeyPatch) -> ParseCache:
    """The parse cache the warm-up fills, empty, with no warm-up started in this process."""
    fresh = ParseCache()
    monkeypatch.setattr(dbt_warmup, "PARSES", fresh)
    monkeypatch.setattr(dbt_warmup, "_STARTED", {})
    return fresh


def test_the_warm_up_runs_once_and_leaves_the_parse_in_memory(
    project: Path, cache: ParseCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = ParseKey(project, project)
    thread = dbt_warmup.warm_dbt(key)
    assert dbt_warmup.warm_dbt(key) is thread  # once per process and project
    thread.join(timeout=120)

    assert not thread.is_alive()
    assert key.cache_file().is_file()  # parsed (and saved) by the warm-up

    def no_reading(*_: object) -> None:
        raise AssertionError("the build should find the warm-up's parse in memory")

    monkeypatch.setattr(dbt_parse_cache, "_read", no_reading)
    monkeypatch.setattr(dbt_parse_cache, "_parse", no_reading)
    manifest = cache.manifest(key)
    assert manifest is not None and "model.lakehouse.orders_daily" in manifest.nodes


def test_a_failing_warm_up_leaves_the_work_to_the_build(
    project: Path, cache: ParseCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = ParseKey(project, project)

    def no_dbt() -> None:
        raise ImportError("no module named dbt (a broken installation)")

    monkeypatch.setattr(dbt_warmup, "import_dbt", no_dbt)

    dbt_warmup.warm_dbt(key).join(timeout=120)

    assert not key.cache_file().is_file()  # it stopped at the import, raising nothing
    assert cache.manifest(key) is not None  # the build parses itself


def test_the_warm_up_rehearses_a_build_that_selects_nothing(
    project: Path, cache: ParseCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = ParseKey(project, project)
    calls: list[tuple[list[str], bool]] = []
    real = dbt_warmup.invoke_dbt

    def recording(runner: Any, args: list[str]) -> Any:
        result = real(runner, args)
        calls.append((list(args), result.success))
        return result

    monkeypatch.setattr(dbt_warmup, "invoke_dbt", recording)
    scratch = Path(tempfile.gettempdir())
    before = set(scratch.glob(f"lakehouse-dbt-{os.getpid()}-warm-up-*"))

    dbt_warmup.warm_dbt(key).join(timeout=120)

    assert len(calls) == 1
    args, succeeded = calls[0]
    assert args[0] == "build" and args[args.index("--exclude") + 1] == "fqn:*"
    assert args[args.index("--project-dir") + 1] == str(project)
    assert succeeded  # dbt loaded the project, profile and adapter without an error
    assert (
        set(scratch.glob(f"lakehouse-dbt-{os.getpid()}-warm-up-*")) == before
    )  # its logs folder is gone
    assert not (project / "target" / "run_results.json").exists()  # it wrote no artifact


def test_without_a_parse_the_warm_up_does_not_rehearse(
    project: Path, cache: ParseCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = ParseKey(project, project)
    monkeypatch.setattr(cache, "manifest", lambda _key: None)  # the project does not parse
    rehearsed: list[object] = []
    monkeypatch.setattr(dbt_warmup, "rehearse", lambda *args: rehearsed.append(args))

    dbt_warmup.warm_dbt(key).join(timeout=120)

    assert rehearsed == []  # a rehearsal would have parsed: the build's own work


def test_dbt_is_imported_by_one_thread_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """dbt-duckdb's modules import each other: a second thread importing them while the first
    is inside the cycle gets a half-initialised module, so the second waits for the first."""
    inside, release = threading.Event(), threading.Event()
    imported: list[tuple[str, str]] = []

    def slow_import(name: str) -> object:
        if threading.current_thread().name == "first" and not imported:
            inside.set()
            release.wait(timeout=30)
        imported.append((threading.current_thread().name, name))
        return None

    monkeypatch.setattr(dbt_in_process.importlib, "import_module", slow_import)
    first = threading.Thread(target=dbt_in_process.import_dbt, name="first")
    second = threading.Thread(target=dbt_in_process.import_dbt, name="second")
    first.start()
    assert inside.wait(timeout=30)
    second.start()
    second.join(timeout=0.5)
    assert second.is_alive() and imported == []  # the second waits for the first's imports
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)
    modules = list(dbt_in_process.DBT_MODULES)
    assert imported == [("first", m) for m in modules] + [("second", m) for m in modules]
