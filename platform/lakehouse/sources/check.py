"""``lakehouse sources check``: validate declarations without starting Dagster."""

from collections.abc import Sequence
from pathlib import Path

from lakehouse.sources.loader import SOURCES_DIR, SourceDeclarationError, load_source


def check_sources(paths: Sequence[Path] = ()) -> tuple[list[str], list[str]]:
    """Validate ``paths`` (default: every declaration of the platform).

    Returns the lines to print for valid files and the error lines (file:line: field: reason)
    for invalid ones; a file that does not exist is an error too.
    """
    files = list(paths) or sorted(SOURCES_DIR.glob("*.yaml"))
    valid: list[str] = []
    errors: list[str] = []
    for path in files:
        if not path.is_file():
            errors.append(f"{path}: no such file")
            continue
        try:
            spec = load_source(path)
        except SourceDeclarationError as exc:
            errors.extend(str(exc).splitlines())
            continue
        keys = ", ".join(spec.keys)
        valid.append(
            f"ok  {path}: {spec.kind} {spec.name}, {len(spec.columns)} columns, keys {keys}"
        )
    return valid, errors
