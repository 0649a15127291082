"""Fixtures: the Terraform under infra/terraform parsed with python-hcl2, one object per folder.

Blocks written once for several things (``for_each`` over a map in ``locals``) are read back per
instance (``instances``, ``statements``), as if each had been written out."""

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
PLATFORM = "platform"  # the composite module every environment calls; it calls all the others
MODULES = (
    "encryption",
    "lake_storage",
    "network",
    "secrets",
    "iam",
    "database",
    "dagster_ecs",
    "ui_access",
    PLATFORM,
)
ENVS = ("staging", "prod")

_OPTIONS = SerializationOptions(
    with_comments=False, explicit_blocks=False, strip_string_quotes=True
)
_LOCAL = re.compile(r"\$\{local\.([A-Za-z_][A-Za-z0-9_]*)\}")
_LOCAL_MAP = re.compile(r"\$\{local\.([A-Za-z_][A-Za-z0-9_]*)\}$")
_EACH_VALUE = re.compile(r"\$\{each\.value((?:\.[A-Za-z_][A-Za-z0-9_]*)*)\}")


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

    def instances(self, type_: str, kind: str = "resource") -> dict[str, dict[str, Any]]:
        """Blocks of one type by instance: by name, or by key where ``for_each`` iterates a map
        in ``locals`` (``each.key`` and ``each.value...`` replaced by that entry's values)."""
        found: dict[str, dict[str, Any]] = {}
        for name, body in self._labelled(kind, type_).items():
            entries = self.for_each_entries(body)
            if entries is None:
                found[name] = body
                continue
            for key, entry in entries.items():
                found[key] = _substitute(body, key, entry)
        return found

    def for_each_entries(self, body: dict[str, Any]) -> dict[str, Any] | None:
        """The map a block's ``for_each = local.x`` iterates, or None (no such ``for_each``, or
        ``local.x`` is computed, e.g. a ``for`` expression, rather than written out)."""
        match = _LOCAL_MAP.match(str(body.get("for_each", "")))
        entries = self.locals[match.group(1)] if match else None
        return entries if isinstance(entries, dict) else None

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

    def policy_documents(self) -> dict[str, list[dict[str, Any]]]:
        """Raw statements of every ``aws_iam_policy_document`` by document name; a document
        rendered per entry of a ``locals`` map (``for_each`` + ``dynamic "statement"``) counts
        once per entry, under the entry's key, with the entry's statements."""
        documents: dict[str, list[dict[str, Any]]] = {}
        for name, body in self.data("aws_iam_policy_document").items():
            entries = self.for_each_entries(body)
            if entries is not None and not body.get("statement"):
                documents.update(entries)
            else:
                documents[name] = body.get("statement", [])
        return documents

    def statements(self, document: str) -> list[Statement]:
        """The statements of policy document ``document`` (see ``policy_documents``), locals
        resolved."""
        return [
            Statement(
                sid=raw.get("sid", ""),
                effect=raw.get("effect", "Allow"),
                actions=tuple(_as_list(raw.get("actions", []))),
                resources=tuple(self.resolve(r) for r in _as_list(raw.get("resources", []))),
                conditions=tuple(self._local_value(c) for c in raw.get("condition", [])),
            )
            for raw in self.policy_documents()[document]
        ]

    def _local_value(self, value: Any) -> Any:
        """``value``, or the local it names when it is exactly ``${local.x}``."""
        match = _LOCAL_MAP.match(value) if isinstance(value, str) else None
        return self.locals[match.group(1)] if match else value

    def _local_text(self, match: re.Match[str]) -> str:
        local = self.locals.get(match.group(1))
        return local if isinstance(local, str) else match.group(0)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _substitute(node: Any, key: str, entry: Any) -> Any:
    """``node`` with ``each.key`` and ``each.value...`` taken from one ``for_each`` entry: a
    string that is only ``${each.value.x}`` becomes the value itself (any type); inside longer
    strings, values that are strings are spliced in."""
    if isinstance(node, dict):
        return {k: _substitute(v, key, entry) for k, v in node.items()}
    if isinstance(node, list):
        return [_substitute(v, key, entry) for v in node]
    if not isinstance(node, str):
        return node
    whole = _EACH_VALUE.fullmatch(node)
    if whole:
        return _lookup(entry, whole.group(1))
    node = node.replace("${each.key}", key).replace("each.key", f'"{key}"')

    def splice(match: re.Match[str]) -> str:
        value = _lookup(entry, match.group(1))
        return value if isinstance(value, str) else match.group(0)

    return _EACH_VALUE.sub(splice, node)


def _lookup(entry: Any, path: str) -> Any:
    for part in path.split(".")[1:]:
        entry = entry[part]
    return entry


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
