"""Table URIs: one Delta table per asset key under the lakehouse root."""

from __future__ import annotations

import re
from collections.abc import Sequence

_KEY_PART = re.compile(r"[a-z0-9_]+")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")


def key_parts(key: Sequence[str] | str) -> list[str]:
    """Return the validated parts of an asset key.

    A string is read as a slash-separated path (``"silver/orders"``), never as a sequence of
    characters. Raises ``ValueError`` if the key is empty or a part is not made of lowercase
    letters, digits and underscores.
    """
    parts = key.split("/") if isinstance(key, str) else list(key)
    if not parts:
        raise ValueError("asset key is empty: pass a path such as ['silver', 'orders']")
    for part in parts:
        if not isinstance(part, str) or not _KEY_PART.fullmatch(part):
            raise ValueError(
                f"invalid asset key part {part!r} in {parts!r}: key parts must be lowercase "
                "letters, digits and underscores (e.g. ['silver', 'orders'])"
            )
    return parts


def table_uri(root: str, key: Sequence[str] | str) -> str:
    """Join a lakehouse root (local path, ``file://`` or ``s3://`` URI) with an asset key.

    ``table_uri("s3://bucket/prod/", ["silver", "orders"])`` is ``"s3://bucket/prod/silver/orders"``.
    Raises ``ValueError`` for an empty root or an invalid key part.
    """
    if not root or not root.strip():
        raise ValueError("lakehouse root is empty: set LAKEHOUSE_ROOT to a folder or s3:// URI")
    base = root.rstrip("/")
    if base.endswith(":"):
        raise ValueError(f"lakehouse root {root!r} names no bucket or folder after the scheme")
    return "/".join([base, *key_parts(key)])


def is_local(uri: str) -> bool:
    """True for a local path or a ``file://`` URI, False for object stores (``s3://`` ...)."""
    match = _SCHEME.match(uri)
    return match is None or match.group(1).lower() == "file"
