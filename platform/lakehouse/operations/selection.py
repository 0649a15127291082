"""Asset selections typed by people: plain keys or Dagster's selection syntax, one-line errors."""

import re
import warnings

import dagster as dg

_PLAIN_KEYS = re.compile(r"[a-z0-9_]+(/[a-z0-9_]+)+(\s*,\s*[a-z0-9_]+(/[a-z0-9_]+)+)*")
EXAMPLES = "'silver/orders,gold/orders_daily', 'group:silver', 'key:\"bronze/orders\"+'"


class SelectionError(ValueError):
    """A selection does not parse, names unknown assets, or matches nothing."""


def select_assets(defs: dg.Definitions, selection: str) -> set[dg.AssetKey]:
    """The materialisable assets ``selection`` names.

    ``selection`` is either plain asset keys separated by commas (``silver/orders,
    gold/orders_daily``) or a Dagster selection string (``group:silver``, ``key:"silver/orders"+``).

    Raises:
        SelectionError: the text does not parse, a plain key is unknown, or nothing matches;
            the message is one line with examples.
    """
    graph = defs.resolve_asset_graph()
    text = selection.strip()
    if _PLAIN_KEYS.fullmatch(text):
        keys = {dg.AssetKey(part.strip().split("/")) for part in text.split(",")}
        unknown = sorted(k.to_user_string() for k in keys if not graph.has(k))
        if unknown:
            raise SelectionError(
                f"--select {selection!r}: no asset {', '.join(unknown)}; groups are "
                f"{', '.join(_groups(defs))} (e.g. {EXAMPLES})"
            )
    else:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", dg.BetaWarning)
                keys = dg.AssetSelection.from_string(text).resolve(graph)
        except Exception as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise SelectionError(
                f"--select {selection!r} is not a selection ({reason}); use e.g. {EXAMPLES}"
            ) from None
    keys = {k for k in keys if graph.get(k).is_materializable}
    if not keys:
        raise SelectionError(
            f"--select {selection!r} matches no asset that can be materialised; groups are "
            f"{', '.join(_groups(defs))} (e.g. {EXAMPLES})"
        )
    return keys


def _groups(defs: dg.Definitions) -> list[str]:
    graph = defs.resolve_asset_graph()
    return sorted({g for k in graph.get_all_asset_keys() if (g := graph.get(k).group_name)})
