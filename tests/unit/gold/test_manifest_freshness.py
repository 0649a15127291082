"""The dbt manifest is re-parsed under ``dg dev`` only when a project file changed."""

import os
from pathlib import Path

from lakehouse.gold.assets import manifest_is_stale


def _project(root: Path) -> Path:
    (root / "models" / "marts").mkdir(parents=True)
    (root / "models" / "marts" / "m.sql").write_text("select 1")
    (root / "dbt_project.yml").write_text("name: x")
    (root / "target").mkdir()
    return root / "target" / "manifest.json"


def _age(path: Path, seconds: float) -> None:
    stamp = path.stat().st_mtime - seconds
    os.utime(path, (stamp, stamp))


def test_no_manifest_is_stale(tmp_path: Path) -> None:
    assert manifest_is_stale(tmp_path, _project(tmp_path))


def test_a_manifest_newer_than_every_file_is_fresh(tmp_path: Path) -> None:
    manifest = _project(tmp_path)
    manifest.write_text("{}")
    _age(tmp_path / "models" / "marts" / "m.sql", 60)
    _age(tmp_path / "dbt_project.yml", 60)

    assert not manifest_is_stale(tmp_path, manifest)


def test_an_edited_model_or_project_file_makes_it_stale(tmp_path: Path) -> None:
    manifest = _project(tmp_path)
    manifest.write_text("{}")
    _age(manifest, 60)
    _age(tmp_path / "dbt_project.yml", 120)

    assert manifest_is_stale(tmp_path, manifest)
    _age(tmp_path / "models" / "marts" / "m.sql", 120)
    assert not manifest_is_stale(tmp_path, manifest)
    (tmp_path / "dbt_project.yml").write_text("name: y")
    assert manifest_is_stale(tmp_path, manifest)
