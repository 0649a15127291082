"""Fixtures: the Terraform under infra/terraform parsed with python-hcl2, one object per folder."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hcl2 import SerializationOptions, loads

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"
TERRAFORM = INFRA / "terraform"
MODULES = ("encryption", "lake_storage", "network", "secrets", "iam", "database", "dagster_ecs")
ENVS = ("staging", "prod")

_OPTIONS = SerializationOptions(
    with_comments=False, explicit_blocks=False, strip_string_quotes=True
)
_LOCAL = re.compile(r"\$\{local\.([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Statement:
    """One IAM policy statement as written in an ``aws_iam_policy_document``."""

    sid: str
    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    conditions: tuple[dict[str, Any], ...]

    def condition_values(self, variable: str) -> list[str]:
        """Values of every condition on ``variable``."""
        return [v for c in self.conditions if c["variable"] == variable for v in c["values"]]


@dataclass(frozen=True)
class TerraformDir:
    """The blocks of every ``*.tf`` file in one folder (a module or an environment root)."""

    path: Path
    blocks: Mapping[str, list[dict[str, Any]]]

    def _labelled(self, kind: str, type_: str) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for block in self.blocks.get(kind, []):
            for name, body in block.get(type_, {}).items():
                found[name] = body
        return found

    def resources(self, type_: str) -> dict[str, dict[str, Any]]:
        """Resources of one type, by name."""
        return self._labelled("resource", type_)

    def data(self, type_: str) -> dict[str, dict[str, Any]]:
        """Data sources of one type, by name."""
        return self._labelled("data", type_)

    def named(self, kind: str) -> dict[str, dict[str, Any]]:
        """Singly-labelled blocks (``variable``, ``output``, ``module``), by name."""
        found: dict[str, dict[str, Any]] = {}
        for block in self.blocks.get(kind, []):
            found.update(block)
        return found

    @property
    def locals(self) -> dict[str, Any]:
        """Every ``locals`` entry of the folder."""
        merged: dict[str, Any] = {}
        for block in self.blocks.get("locals", []):
            merged.update(block)
        return merged

    def resolve(self, value: str) -> str:
        """``value`` with every ``${local.x}`` that holds a string replaced by its text."""
        for _ in range(10):
            replaced = _LOCAL.sub(lambda m: self._local_text(m), value)
            if replaced == value:
                return value
            value = replaced
        return value

    def statements(self, document: str) -> list[Statement]:
        """The statements of ``data "aws_iam_policy_document" <document>``, locals resolved."""
        body = self.data("aws_iam_policy_document")[document]
        return [
            Statement(
                sid=raw.get("sid", ""),
                effect=raw.get("effect", "Allow"),
                actions=tuple(_as_list(raw.get("actions", []))),
                resources=tuple(self.resolve(r) for r in _as_list(raw.get("resources", []))),
                conditions=tuple(raw.get("condition", [])),
            )
            for raw in body.get("statement", [])
        ]

    def _local_text(self, match: re.Match[str]) -> str:
        local = self.locals.get(match.group(1))
        return local if isinstance(local, str) else match.group(0)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@cache
def load_dir(path: Path) -> TerraformDir:
    """Parse every ``*.tf`` file in ``path``; a syntax error names the file."""
    blocks: dict[str, list[dict[str, Any]]] = {}
    files = sorted(path.glob("*.tf"))
    if not files:
        raise FileNotFoundError(f"no *.tf files in {path}")
    for file in files:
        try:
            parsed = loads(file.read_text(), serialization_options=_OPTIONS)
        except Exception as error:
            raise AssertionError(f"{file} does not parse as HCL: {error}") from error
        for kind, entries in parsed.items():
            blocks.setdefault(kind, []).extend(entries)
    return TerraformDir(path=path, blocks=blocks)


@pytest.fixture(scope="session")
def module() -> Callable[[str], TerraformDir]:
    """``module("iam")``: a parsed module under infra/terraform/modules."""
    return lambda name: load_dir(TERRAFORM / "modules" / name)


@pytest.fixture(scope="session")
def env() -> Callable[[str], TerraformDir]:
    """``env("prod")``: a parsed environment root under infra/terraform/envs."""
    return lambda name: load_dir(TERRAFORM / "envs" / name)
