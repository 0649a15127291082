"""Parsers of single environment variables; each error names the variable and what to set."""

from __future__ import annotations

import re
from collections.abc import Mapping


class SettingsError(ValueError):
    """A setting is missing or invalid; the message names the environment variable."""


def switch(environ: Mapping[str, str], name: str, default: bool) -> bool:
    """``name`` as on/off (true/false, 1/0), ``default`` when unset."""
    value = environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("on", "true", "1", "running"):
        return True
    if value in ("off", "false", "0", "stopped"):
        return False
    raise SettingsError(f"{name}={value!r} is not a switch; use on or off")


def number(environ: Mapping[str, str], name: str, default: float, minimum: float) -> float:
    """``name`` as a number of at least ``minimum``, ``default`` when unset."""
    raw = environ.get(name, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a number") from None
    if value < minimum:
        raise SettingsError(f"{name}={raw!r} must be at least {minimum:g}")
    return value


def cron(environ: Mapping[str, str], name: str, default: str) -> str:
    """``name`` as a five-field cron expression, ``default`` when unset."""
    value = " ".join(environ.get(name, "").split()) or default
    if len(value.split()) != 5:
        raise SettingsError(
            f"{name}={value!r} is not a cron expression; use 5 fields, e.g. {default!r}"
        )
    return value


_MEMORY = re.compile(r"(\d+(?:\.\d+)?)\s*(%|b|kb|mb|gb|tb|kib|mib|gib|tib)", re.IGNORECASE)


def memory_limit(environ: Mapping[str, str], name: str, default: str) -> str:
    """``name`` as a DuckDB memory limit: an amount (``3GB``, ``2.5GiB``, ``800MB``) or a share
    of the machine's memory (``25%``); ``default`` when unset."""
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    match = _MEMORY.fullmatch(raw)
    amount = float(match.group(1)) if match else 0.0
    if not match or amount <= 0 or (match.group(2) == "%" and amount > 100):
        raise SettingsError(
            f"{name}={raw!r} is not a memory limit; use an amount such as 3GB or 800MB, "
            "or a share of the machine's memory such as 25%"
        )
    return f"{match.group(1)}{match.group(2).upper().replace('I', 'i')}"
