"""The environment a dbt invocation runs in: the lakehouse root and storage options."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager


@contextmanager
def dbt_environment(variables: Mapping[str, str]) -> Iterator[None]:
    """Set ``variables`` for the dbt subprocess (dagster-dbt copies os.environ); restore after."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
