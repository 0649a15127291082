"""LAKEHOUSE_BRANCH points the root, the resource and its store at the branch's folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from lakehouse.lake.branch_store import BranchStore
from lakehouse.lake.resource import LakehouseResource
from lakehouse.settings import SettingsError, load_settings


def test_a_branch_setting_makes_the_branch_folder_the_root(tmp_path: Path) -> None:
    root = str(tmp_path / "lake")
    settings = load_settings({"LAKEHOUSE_ROOT": root, "LAKEHOUSE_BRANCH": "new_mart"})
    assert settings.branch == "new_mart"
    assert settings.root == f"{root}/_branches/new_mart"
    assert settings.base_root == root
    plain = load_settings({"LAKEHOUSE_ROOT": root})
    assert (plain.branch, plain.root, plain.base_root) == ("", root, root)


def test_a_branch_name_must_be_a_path_part(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"LAKEHOUSE_BRANCH='\.\./prod'"):
        load_settings({"LAKEHOUSE_ROOT": str(tmp_path), "LAKEHOUSE_BRANCH": "../prod"})


def test_the_branch_resource_hands_out_a_branch_store(tmp_path: Path) -> None:
    settings = load_settings({"LAKEHOUSE_ROOT": str(tmp_path), "LAKEHOUSE_BRANCH": "b1"})
    resource = LakehouseResource.from_settings(settings)
    assert resource.branch == "b1"
    store = resource.store()
    assert isinstance(store, BranchStore) and store.root == f"{tmp_path}/_branches/b1"
    base = LakehouseResource.from_settings(load_settings({"LAKEHOUSE_ROOT": str(tmp_path)}))
    assert type(base.store()).__name__ == "DeltaStore"
