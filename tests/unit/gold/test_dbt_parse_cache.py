"""The saved dbt parse: made once, loaded by any later build, redone when its inputs change."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lakehouse.gold import dbt_parse_cache
from lakehouse.gold.dbt_parse_cache import ParseCache, ParseKey, starts_from_saved_parse


def _models(manifest: object) -> set[str]:
    nodes = manifest.nodes  # type: ignore[attr-defined]
    return {n.name for n in nodes.values() if n.resource_type == "model"}


def test_a_parse_is_saved_and_loaded_by_another_process(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = ParseKey(project, project)
    first = ParseCache().manifest(key)
    assert first is not None and "orders_daily" in _models(first)
    assert key.cache_file().is_file()

    def no_parse(*_: object) -> None:
        raise AssertionError("a saved, current parse should be loaded, not redone")

    monkeypatch.setattr(dbt_parse_cache, "_parse", no_parse)
    again = ParseCache().manifest(key)  # a new process: nothing in memory
    assert again is not None and _models(again) == _models(first)
    assert again is not first, "every build gets a copy of its own (compiling changes it)"
    # A full parse builds dbt's lookups: the copy must still resolve sources and refs.
    source = next(iter(again.sources.values()))
    found = again.resolve_source(source.source_name, source.name, "lakehouse", "lakehouse")
    assert found is not None and found.unique_id == source.unique_id
    assert again.resolve_ref(None, "orders_daily", None, None, "lakehouse", "lakehouse")


def test_an_edited_project_is_parsed_again(project: Path) -> None:
    key = ParseKey(project, project)
    cache = ParseCache()
    assert "orders_weekly" not in _models(cache.manifest(key))

    (project / "models" / "marts" / "orders_weekly.sql").write_text(
        "select 1 as week\n", encoding="utf-8"
    )
    assert "orders_weekly" in _models(cache.manifest(key))
    assert "orders_weekly" in _models(ParseCache().manifest(key)), "the saved parse was replaced"


def test_a_project_that_does_not_parse_gives_no_manifest(project: Path) -> None:
    (project / "models" / "marts" / "broken.sql").write_text(
        "select {{ ref('no_such_model') }}\n", encoding="utf-8"
    )
    key = ParseKey(project, project)
    assert ParseCache().manifest(key) is None
    assert not key.cache_file().exists()


def test_a_parse_is_current_only_while_the_variables_it_read_are_unchanged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LAKEHOUSE_TEST_PARSED", "a")
    parse = dbt_parse_cache._Parse(("stamp",), {"LAKEHOUSE_TEST_PARSED": "a"}, b"")
    assert parse.current(("stamp",))
    assert not parse.current(("other stamp",))
    monkeypatch.setenv("LAKEHOUSE_TEST_PARSED", "b")
    assert not parse.current(("stamp",))
    monkeypatch.delenv("LAKEHOUSE_TEST_PARSED")
    assert not parse.current(("stamp",))
    assert "LAKEHOUSE_TEST_PARSED" not in os.environ
    unset = dbt_parse_cache._Parse(("stamp",), {"LAKEHOUSE_TEST_PARSED": None}, b"")
    assert unset.current(("stamp",)), "read while unset (dbt's default): holds while unset"
    monkeypatch.setenv("LAKEHOUSE_TEST_PARSED", "now set")
    assert not unset.current(("stamp",))


def test_a_half_written_saved_parse_is_ignored(project: Path) -> None:
    key = ParseKey(project, project)
    key.cache_file().parent.mkdir(parents=True, exist_ok=True)
    key.cache_file().write_bytes(b"\x80\x04 cut short")
    assert "orders_daily" in _models(ParseCache().manifest(key))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["build", "--select", "orders_daily"], True),
        (["run"], True),
        (["test"], True),
        (["parse"], False),
        (["ls", "--resource-type", "model"], False),
        (["build", "--vars", '{"min_date": "2026-01-01"}'], False),
        (["build", '--vars={"a": 1}'], False),
        (["build", "--target", "prod"], False),
        (["build", "-t", "prod"], False),
        (["run", "--profile=other"], False),
        (["test", "--project-dir", "/elsewhere"], False),
    ],
)
def test_only_builds_without_vars_start_from_a_saved_parse(args: list[str], expected: bool) -> None:
    assert starts_from_saved_parse(args) is expected


@pytest.mark.parametrize("added", ["seeds/countries.csv", "snapshots/s.sql", "packages.yml"])
def test_any_file_dbt_parses_changes_the_stamp(project: Path, added: str) -> None:
    key = ParseKey(project, project)
    before = key.stamp()
    (project / added).parent.mkdir(parents=True, exist_ok=True)
    (project / added).write_text("x\n", encoding="utf-8")
    assert key.stamp() != before
