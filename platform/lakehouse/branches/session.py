"""Settings and definitions of a branch, derived from the base's settings (no environment read)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from lakehouse.branches.pins import base_root, branch_root
from lakehouse.settings import Settings
from lakehouse.sources import SOURCES_DIR, SourceSpec, load_sources


def base_settings(settings: Settings) -> Settings:
    """``settings`` without a branch: the base lakehouse."""
    return replace(settings, branch="", root=base_root(settings), base_root=base_root(settings))


def branch_settings(settings: Settings, name: str) -> Settings:
    """``settings`` on branch ``name`` (as ``LAKEHOUSE_BRANCH=name`` would give)."""
    base = base_root(settings)
    return replace(settings, branch=name, root=branch_root(settings, name), base_root=base)


def sources_dir(settings: Settings) -> Path:
    """Where the declarations are read: ``LAKEHOUSE_SOURCES_DIR``, else the package's folder."""
    return Path(settings.sources_dir) if settings.sources_dir else SOURCES_DIR


def specs(settings: Settings) -> list[SourceSpec]:
    """The source declarations the settings' definitions are built from."""
    return load_sources(sources_dir(settings))
