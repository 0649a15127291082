"""dbt's warm-up: started once per process and project, it leaves the parse in memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from lakehouse.gold import dbt_parse_cache, dbt_warmup
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
    monkeypatch.setattr(dbt_warmup, "MODULES", ("lakehouse.no_such_module",))

    dbt_warmup.warm_dbt(key).join(timeout=120)

    assert not key.cache_file().is_file()  # it stopped at the import, raising nothing
    assert cache.manifest(key) is not None  # the build parses itself
