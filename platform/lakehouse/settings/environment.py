"""Whether results computed from environment variables still hold (the environment is read
here, in ``settings``, and nowhere else)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping


def environment_holds(values: Mapping[str, str | None]) -> bool:
    """Whether each variable in ``values`` has that value in this process's environment (None:
    unset), so a result computed from them, such as a saved dbt parse, still holds."""
    return all(os.environ.get(name) == value for name, value in values.items())


def environment_values(names: Iterable[str]) -> dict[str, str | None]:
    """The current values of the environment variables ``names`` (None: unset)."""
    return {name: os.environ.get(name) for name in names}
