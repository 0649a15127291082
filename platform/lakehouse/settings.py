"""The platform's configuration: one object built from environment variables.

No other module reads ``os.environ``; everything asks :func:`get_settings`.
"""

from __future__ import annotations

import getpass
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path

DEV_PII_KEY = "dev-only-pii-key-not-secret"
"""Key for PII hashing in dev when ``LAKEHOUSE_PII_KEY`` is unset; staging and prod require one."""

_STORAGE_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ALLOW_HTTP",
    "AWS_S3_LOCKING_PROVIDER",
    "AWS_S3_ALLOW_UNSAFE_RENAME",
)


class Environment(StrEnum):
    """Deployment environments; they select configuration, never code paths."""

    DEV = "dev"
    STAGING = "staging"
    PROD = "prod"


class SettingsError(ValueError):
    """A setting is missing or invalid; the message names the environment variable."""


@dataclass(frozen=True)
class Settings:
    """Where the lakehouse lives and how to reach it."""

    env: Environment
    root: str
    landing: str
    user: str
    start_date: date
    pii_key_from_env: bool
    storage_options: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_local(self) -> bool:
        """True when the lakehouse root is on local disk."""
        return not re.match(r"^[a-z][a-z0-9+.-]*://", self.root) or self.root.startswith("file://")


def project_dir() -> Path:
    """The checkout the package runs from (holds ``workspace.yaml``), else the working directory."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "workspace.yaml").is_file() and (parent / "pyproject.toml").is_file():
            return parent
    return Path.cwd()


def _parse_env(value: str) -> Environment:
    try:
        return Environment(value.strip().lower())
    except ValueError:
        choices = ", ".join(e.value for e in Environment)
        raise SettingsError(
            f"LAKEHOUSE_ENV={value!r} is not an environment; use one of: {choices}"
        ) from None


def _parse_date(name: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise SettingsError(f"{name}={value!r} is not a date; use YYYY-MM-DD") from None


def _safe_user(raw: str) -> str:
    cleaned = re.sub(r"[^a-z0-9_]", "_", raw.lower()).strip("_")
    if not cleaned:
        raise SettingsError(f"LAKEHOUSE_USER={raw!r} has no usable characters; use [a-z0-9_]")
    return cleaned


def _current_user(environ: Mapping[str, str]) -> str:
    explicit = environ.get("LAKEHOUSE_USER")
    if explicit:
        return _safe_user(explicit)
    try:
        return _safe_user(getpass.getuser())
    except (KeyError, OSError, SettingsError):
        return "developer"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build settings from environment variables (``os.environ`` by default).

    Raises:
        SettingsError: a variable is missing or malformed; the message names it.
    """
    environ = os.environ if environ is None else environ
    env = _parse_env(environ.get("LAKEHOUSE_ENV", "dev"))
    user = _current_user(environ)
    base = project_dir() / ".lakehouse"
    root = environ.get("LAKEHOUSE_ROOT", "").strip()
    landing = environ.get("LAKEHOUSE_LANDING", "").strip()
    if env is Environment.DEV:
        root = root or str(base / "dev" / user)
        landing = landing or str(base / "landing")
    else:
        for name, value in (("LAKEHOUSE_ROOT", root), ("LAKEHOUSE_LANDING", landing)):
            if not value:
                raise SettingsError(
                    f"{name} is required when LAKEHOUSE_ENV={env.value} "
                    f"(for example s3://my-bucket/{env.value}/lake)"
                )
        if not environ.get("LAKEHOUSE_PII_KEY"):
            raise SettingsError(
                f"LAKEHOUSE_PII_KEY is required when LAKEHOUSE_ENV={env.value}: "
                "set it from your secret store (it keys the hashing of PII columns)"
            )
    start = _parse_date("LAKEHOUSE_START_DATE", environ.get("LAKEHOUSE_START_DATE", "2025-01-01"))
    storage = {k: environ[k] for k in _STORAGE_VARIABLES if environ.get(k)}
    return Settings(
        env=env,
        root=root.rstrip("/"),
        landing=landing.rstrip("/"),
        user=user,
        start_date=start,
        pii_key_from_env=bool(environ.get("LAKEHOUSE_PII_KEY")),
        storage_options=storage,
    )
