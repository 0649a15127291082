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

from lakehouse.settings.s3 import CONDITIONAL_PUT, s3_storage_options
from lakehouse.settings.values import SettingsError, cron, memory_limit, number, switch

DEV_PII_KEY = "dev-only-pii-key-not-secret"
"""Key for PII hashing in dev when ``LAKEHOUSE_PII_KEY`` is unset; staging and prod require one."""

DUCKDB_MEMORY_LIMIT = "3GB"
"""What the platform's DuckDB databases hold before they spill to local disk
(``LAKEHOUSE_DUCKDB_MEMORY_LIMIT``); DuckDB's own default is 80 % of RAM, which a 5 M-order
day's silver and gold steps would take."""

SECRET_STORAGE_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
"""Storage credentials: resources receive them as ``dg.EnvVar``, never as plain config."""

_STORAGE_VARIABLES = (
    *SECRET_STORAGE_VARIABLES,
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ALLOW_HTTP",
    "AWS_S3_LOCKING_PROVIDER",
    "AWS_S3_ALLOW_UNSAFE_RENAME",
    CONDITIONAL_PUT,
)


class Environment(StrEnum):
    """Deployment environments; they select configuration, never code paths."""

    DEV = "dev"
    STAGING = "staging"
    PROD = "prod"


@dataclass(frozen=True)
class Operations:
    """How the platform runs itself: schedules, sensors, alerts, table maintenance."""

    schedules_running: bool = False
    sensors_running: bool = True
    daily_cron: str = "0 2 * * *"
    maintenance_cron: str = "0 3 * * 0"
    delivery_deadline_hours: float = 6.0
    landing_lookback_days: int = 30
    rollback_window_days: int = 7
    dagster_url: str = "http://127.0.0.1:3000"
    alert_webhook_from_env: bool = False


@dataclass(frozen=True)
class Mlflow:
    """Where MLflow keeps runs and the model registry, and where model artifacts go.

    Dev: SQLite and a folder under the lakehouse root (``<root>/mlflow/``). On object storage
    ``LAKEHOUSE_MLFLOW_TRACKING_URI`` (PostgreSQL, with its password: a secret, passed as
    ``dg.EnvVar``) is needed; artifacts default to ``<root>/mlflow/artifacts`` (inside the lake
    prefix the runs' role already writes), or ``LAKEHOUSE_MLFLOW_ARTIFACTS``.
    """

    tracking_uri: str
    artifact_location: str
    tracking_uri_from_env: bool = False


@dataclass(frozen=True)
class Settings:
    """Where the lakehouse lives and how to reach it."""

    env: Environment
    root: str
    landing: str
    user: str
    start_date: date
    """First daily partition: ``LAKEHOUSE_START_DATE`` (see ``start_date_from_env``)."""
    pii_key_from_env: bool
    storage_options: Mapping[str, str] = field(default_factory=dict)
    operations: Operations = field(default_factory=Operations)
    dagster_home: str | None = None
    """``DAGSTER_HOME`` when set: the Dagster instance to record runs in (else chosen by root)."""
    branch: str = ""
    """``LAKEHOUSE_BRANCH``: the branch lakehouse to work on; ``root`` is then its folder."""
    base_root: str = ""
    """The lakehouse root the branch reads from (``root`` itself when there is no branch)."""
    sources_dir: str | None = None
    """``LAKEHOUSE_SOURCES_DIR``: where the source declarations are read (default: the package)."""
    start_date_from_env: bool = False
    """Whether ``LAKEHOUSE_START_DATE`` was set; in dev, partitions otherwise start at the first
    landed day (see ``lakehouse.landing.partitions.partition_start``)."""
    mlflow: Mlflow | None = None
    """MLflow tracking and registry (``LAKEHOUSE_MLFLOW_*``); see :class:`Mlflow`."""
    duckdb_memory_limit: str = DUCKDB_MEMORY_LIMIT
    """``LAKEHOUSE_DUCKDB_MEMORY_LIMIT``: what DuckDB holds before it spills (see the default)."""

    @property
    def public_storage_options(self) -> dict[str, str]:
        """Storage options without credentials: safe to show as resource config."""
        return {k: v for k, v in self.storage_options.items() if k not in SECRET_STORAGE_VARIABLES}

    @property
    def secret_storage_variables(self) -> list[str]:
        """The credential variables that are set (their values stay in the environment)."""
        return [k for k in SECRET_STORAGE_VARIABLES if k in self.storage_options]

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


def _operations(environ: Mapping[str, str], env: Environment) -> Operations:
    """Schedules stop by default in dev (a developer turns them on); sensors run everywhere."""
    url = environ.get("LAKEHOUSE_DAGSTER_URL", "").strip().rstrip("/")
    return Operations(
        schedules_running=switch(environ, "LAKEHOUSE_SCHEDULES", env is not Environment.DEV),
        sensors_running=switch(environ, "LAKEHOUSE_SENSORS", True),
        daily_cron=cron(environ, "LAKEHOUSE_SCHEDULE_CRON", Operations.daily_cron),
        maintenance_cron=cron(environ, "LAKEHOUSE_MAINTENANCE_CRON", Operations.maintenance_cron),
        delivery_deadline_hours=number(environ, "LAKEHOUSE_DELIVERY_DEADLINE_HOURS", 6, 0),
        landing_lookback_days=int(number(environ, "LAKEHOUSE_LANDING_LOOKBACK_DAYS", 30, 1)),
        rollback_window_days=int(number(environ, "LAKEHOUSE_ROLLBACK_WINDOW_DAYS", 7, 1)),
        dagster_url=url or Operations.dagster_url,
        alert_webhook_from_env=bool(environ.get("LAKEHOUSE_ALERT_WEBHOOK_URL", "").strip()),
    )


BRANCHES_FOLDER = "_branches"
"""Branch lakehouses live in ``<root>/_branches/<name>/``."""


def _branch(environ: Mapping[str, str]) -> str:
    raw = environ.get("LAKEHOUSE_BRANCH", "").strip()
    if raw and not re.fullmatch(r"[a-z0-9_]+", raw):
        raise SettingsError(
            f"LAKEHOUSE_BRANCH={raw!r} is not a branch name; use lower-case letters, digits and _"
        )
    return raw


def _mlflow(environ: Mapping[str, str], env: Environment, root: str) -> Mlflow | None:
    """Dev or a local root: SQLite under ``root`` unless set; artifacts under ``root`` unless
    set. On object storage the tracking URI is needed; None until it is (the ML assets then
    fail, saying so)."""
    uri = environ.get("LAKEHOUSE_MLFLOW_TRACKING_URI", "").strip()
    artifacts = environ.get("LAKEHOUSE_MLFLOW_ARTIFACTS", "").strip().rstrip("/")
    local = not re.match(r"^[a-z][a-z0-9+.-]*://", root) or root.startswith("file://")
    if env is Environment.DEV or local:
        base = root.removeprefix("file://")
        uri = uri or f"sqlite:///{base}/mlflow/mlflow.db"
    artifacts = artifacts or f"{root.removeprefix('file://').rstrip('/')}/mlflow/artifacts"
    if not uri or not artifacts:
        return None
    from_env = bool(environ.get("LAKEHOUSE_MLFLOW_TRACKING_URI", "").strip())
    return Mlflow(tracking_uri=uri, artifact_location=artifacts, tracking_uri_from_env=from_env)


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
    try:
        locations = {"LAKEHOUSE_ROOT": root, "LAKEHOUSE_LANDING": landing}
        storage = s3_storage_options(locations, storage)
    except ValueError as exc:
        raise SettingsError(str(exc)) from None
    branch = _branch(environ)
    base_root = root.rstrip("/")
    lake_root = f"{base_root}/{BRANCHES_FOLDER}/{branch}" if branch else base_root
    return Settings(
        env=env,
        root=lake_root,
        landing=landing.rstrip("/"),
        user=user,
        start_date=start,
        pii_key_from_env=bool(environ.get("LAKEHOUSE_PII_KEY")),
        storage_options=storage,
        operations=_operations(environ, env),
        dagster_home=environ.get("DAGSTER_HOME", "").strip() or None,
        branch=branch,
        base_root=base_root,
        sources_dir=environ.get("LAKEHOUSE_SOURCES_DIR", "").strip() or None,
        start_date_from_env=bool(environ.get("LAKEHOUSE_START_DATE", "").strip()),
        mlflow=_mlflow(environ, env, lake_root),
        duckdb_memory_limit=memory_limit(
            environ, "LAKEHOUSE_DUCKDB_MEMORY_LIMIT", DUCKDB_MEMORY_LIMIT
        ),
    )
