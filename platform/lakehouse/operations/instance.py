"""Which Dagster instance a command records its runs in, found without ``DAGSTER_HOME``.

``make run`` serves the checkout's ``.dagster`` instance. A headless command run from the
checkout with the default lakehouse root records its runs there too (they show in the UI);
a command on a scratch ``LAKEHOUSE_ROOT`` gets its own instance under ``<root>/.dagster``, so
scratch runs never mix with the UI's. ``DAGSTER_HOME`` (or ``--instance``) overrides both.
"""

import shutil
from pathlib import Path

import dagster as dg

from lakehouse.settings import Settings, project_dir

DEV_INSTANCE_CONFIG = Path("infra") / "dagster" / "dagster.dev.yaml"


def default_root(settings: Settings, project: Path) -> Path:
    """The dev lakehouse root of the checkout for this user (what ``make run`` builds)."""
    return project / ".lakehouse" / "dev" / settings.user


def instance_home(settings: Settings, override: str | None = None) -> Path:
    """The instance folder for ``settings``: ``override``, ``DAGSTER_HOME``, else by root."""
    explicit = override or settings.dagster_home
    if explicit:
        return Path(explicit).expanduser().resolve()
    project = project_dir()
    if settings.is_local:
        root = Path(settings.root.removeprefix("file://")).expanduser().resolve()
        if root != default_root(settings, project).resolve():
            return root / ".dagster"
    return project / ".dagster"


def open_instance(settings: Settings, override: str | None = None) -> dg.DagsterInstance:
    """The instance for ``settings``, created like ``make run`` does when it does not exist."""
    home = instance_home(settings, override)
    config = home / "dagster.yaml"
    if not config.is_file():
        home.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(project_dir() / DEV_INSTANCE_CONFIG, config)
    return dg.DagsterInstance.from_config(str(home))
