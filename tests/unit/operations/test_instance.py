"""The CLI finds its Dagster instance by itself: the checkout's for the default root, a
scratch root's own, or the one named by DAGSTER_HOME / --instance."""

from pathlib import Path

import dagster as dg

from lakehouse.operations.instance import default_root, instance_home, open_instance
from lakehouse.settings import load_settings, project_dir


def test_the_default_root_records_in_the_checkouts_instance() -> None:
    settings = load_settings({"LAKEHOUSE_USER": "alice"})
    assert Path(settings.root) == default_root(settings, project_dir())
    assert instance_home(settings) == project_dir() / ".dagster"


def test_a_scratch_root_gets_its_own_instance(tmp_path: Path) -> None:
    settings = load_settings({"LAKEHOUSE_ROOT": str(tmp_path / "lake")})
    assert instance_home(settings) == (tmp_path / "lake" / ".dagster").resolve()
    instance = open_instance(settings)
    try:
        assert (tmp_path / "lake" / ".dagster" / "dagster.yaml").is_file()
        assert isinstance(instance, dg.DagsterInstance)
        assert Path(instance.root_directory).resolve() == (tmp_path / "lake" / ".dagster").resolve()
    finally:
        instance.dispose()


def test_dagster_home_and_the_instance_flag_override(tmp_path: Path) -> None:
    settings = load_settings(
        {"LAKEHOUSE_ROOT": str(tmp_path / "lake"), "DAGSTER_HOME": str(tmp_path / "home")}
    )
    assert instance_home(settings) == (tmp_path / "home").resolve()
    assert instance_home(settings, str(tmp_path / "flag")) == (tmp_path / "flag").resolve()
