"""What a dbt test checks, in words, from the manifest (check descriptions, failure messages)."""

import re
from collections.abc import Mapping
from typing import Any

_REF = re.compile(r"ref\(['\"]([^'\"]+)['\"]\)")


def _argument(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    text = str(value)
    ref = _REF.search(text)
    return ref.group(1) if ref else text


def describe_test(manifest: Mapping[str, Any], unique_id: str | None) -> str:
    """The test's own description, else its name and arguments: ``unique(order_date, country,
    currency)``, ``not_null(order_date)``, ``relationships(customer_id → customer_lifetime_value
    .customer_id)``, ``between(frequency, min_value=1)``; ``dbt test`` for an unknown id."""
    node = manifest.get("nodes", {}).get(unique_id or "", {})
    if not node:
        return "dbt test"
    if node.get("description"):
        return str(node["description"])
    meta = node.get("test_metadata") or {}
    name = meta.get("name") or node.get("name", "dbt test")
    kwargs = dict(meta.get("kwargs") or {})
    kwargs.pop("model", None)
    column = kwargs.pop("column_name", None) or node.get("column_name")
    if name == "unique_combination" and "columns" in kwargs:
        return f"unique({_argument(kwargs['columns'])})"
    if name == "relationships" and {"to", "field"} <= kwargs.keys():
        return f"relationships({column} → {_argument(kwargs['to'])}.{kwargs['field']})"
    arguments = [column] if column else []
    arguments += [f"{k}={_argument(v)}" for k, v in sorted(kwargs.items())]
    return f"{name}({', '.join(arguments)})" if arguments else str(name)
