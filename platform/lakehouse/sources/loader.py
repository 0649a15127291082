"""Load and validate source declarations, with errors that name the file, line and field."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from lakehouse.sources.spec import SourceSpec

SOURCES_DIR = Path(__file__).parent


class SourceDeclarationError(ValueError):
    """A source YAML file is malformed; the message says file, line, field and reason."""


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML was built with it (~10x faster), else the Python one."""


def _line_index(node: yaml.Node, path: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], int]:
    """Map every key path in a YAML document to its 1-based line."""
    lines = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = (*path, key_node.value)
            lines.update(_line_index(value_node, child))
            lines[child] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines.update(_line_index(item, (*path, index)))
    return lines


def _nearest_line(lines: dict[tuple[Any, ...], int], loc: tuple[Any, ...]) -> int:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return 1


def _locate(
    loc: tuple[Any, ...], message: str, lines: dict[tuple[Any, ...], int]
) -> tuple[tuple[Any, ...], str]:
    """A whole-declaration error that starts with a field's name points at that field."""
    if loc:
        return loc, message
    head, _, rest = message.partition(" ")
    path = tuple(head.split("."))
    if path in lines and rest:
        return path, rest
    if message.startswith("a key column"):
        return ("keys",), message
    return loc, message


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc]
    return "".join(parts).lstrip(".") or "(document)"


def parse_source(text: str, origin: str) -> SourceSpec:
    """Parse one declaration; ``origin`` names it in errors.

    Raises:
        SourceDeclarationError: invalid YAML or an invalid declaration.
    """
    try:
        data = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise SourceDeclarationError(f"{origin}:{line}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise SourceDeclarationError(f"{origin}:1: expected a mapping with name, landing, columns")
    try:
        return SourceSpec.model_validate(data)
    except ValidationError as exc:
        # The document's node tree only for the error's line numbers (parsing is costly).
        lines = _line_index(yaml.compose(text, Loader=_LOADER))
        problems = []
        for error in exc.errors():
            message = error["msg"].removeprefix("Value error, ")
            loc, message = _locate(tuple(error["loc"]), message, lines)
            problems.append(
                f"{origin}:{_nearest_line(lines, loc)}: field '{_field_name(loc)}': {message}"
            )
        raise SourceDeclarationError("\n".join(problems)) from None


def load_source(path: Path) -> SourceSpec:
    """Load one declaration file; its ``name`` must match the file name."""
    spec = parse_source(path.read_text(encoding="utf-8"), str(path))
    if spec.name != path.stem:
        raise SourceDeclarationError(
            f"{path}:1: field 'name': {spec.name!r} must match the file name {path.stem!r}"
        )
    return spec


def load_sources(directory: Path = SOURCES_DIR) -> list[SourceSpec]:
    """Load every ``*.yaml`` declaration in ``directory``, sorted by name."""
    return _sorted_unique(load_source(p) for p in sorted(directory.glob("*.yaml")))


def _sorted_unique(specs: Iterable[SourceSpec]) -> list[SourceSpec]:
    result = sorted(specs, key=lambda s: s.name)
    if not result:
        raise SourceDeclarationError("no source declarations (*.yaml) found")
    return result
