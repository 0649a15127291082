"""One day of clickstream: sessions of web events, some from known customers."""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from lakehouse.datagen import domain
from lakehouse.datagen.columns import (
    SECONDS_PER_DAY,
    customer_ids,
    day_ids,
    day_start,
    diurnal_times,
    is_weekend,
    make_table,
    pick,
    prefixed_ids,
    timestamps,
)
from lakehouse.datagen.state import World

_MEAN_GAP_S = 40.0


def _url_table(product_ids: list[str]) -> tuple[list[str], int, int]:
    """All URLs the site serves: general pages, then product pages, then add-to-cart links."""
    general = ["/", "/deals", "/checkout", "/checkout/complete"]
    general += [f"/c/{c}" for c in domain.CATEGORY_NAMES]
    general += [f"/search?q={t}" for t in domain.SEARCH_TERMS]
    paths = general + [f"/p/{p}" for p in product_ids] + [f"/cart?add={p}" for p in product_ids]
    return [domain.SITE + p for p in paths], len(general), len(product_ids)


def _urls(rng: np.random.Generator, world: World, event_type: np.ndarray) -> pa.Array:
    product_ids = prefixed_ids("P", world.products.number, 5).to_pylist()
    table, n_general, n_products = _url_table(product_ids)
    browse = [0, 1, *range(4, n_general)]
    idx = np.asarray(browse)[rng.integers(0, len(browse), len(event_type))]
    product = world.products.sample(rng, len(event_type))
    idx = np.where(event_type == 1, n_general + product, idx)
    idx = np.where(event_type == 2, n_general + n_products + product, idx)
    idx = np.where(event_type == 3, 2, idx)
    idx = np.where(event_type == 4, 3, idx)
    return pick(table, idx)


def web_events_for_day(
    world: World, rng: np.random.Generator, day: date, rows_per_day: int
) -> pa.Table:
    """About ``EVENTS_PER_ORDER`` x ``rows_per_day`` events (more at weekends), in time order."""
    uplift = domain.WEEKEND_EVENT_UPLIFT if is_weekend(day) else 1.0
    target = max(1, round(domain.EVENTS_PER_ORDER * rows_per_day * uplift))
    n_sessions = max(1, round(target / domain.EVENTS_PER_SESSION))
    sizes = 1 + rng.poisson(domain.EVENTS_PER_SESSION - 1, n_sessions)
    session = np.repeat(np.arange(n_sessions), sizes)
    n = len(session)
    first = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    gaps = rng.exponential(_MEAN_GAP_S, n).astype(np.int64)
    gaps[first] = 0
    elapsed = np.cumsum(gaps) - np.repeat(np.cumsum(gaps)[first], sizes)
    day_end = day_start(day) + SECONDS_PER_DAY - 1
    occurred = np.minimum(np.repeat(diurnal_times(rng, n_sessions, day), sizes) + elapsed, day_end)

    known = rng.random(n_sessions) >= domain.ANONYMOUS_SHARE
    customer = world.customers.sample(rng, n_sessions)
    known_ids = customer_ids(world.customers.number[customer])
    known_ids = pc.if_else(pa.array(known), known_ids, pa.scalar(None, pa.string()))
    device = rng.choice(len(domain.DEVICES), size=n_sessions, p=domain.DEVICE_SHARES)
    session_ids = day_ids("S", day, n_sessions)
    event_type = rng.choice(len(domain.EVENT_TYPES), size=n, p=domain.EVENT_TYPE_SHARES)
    event_type[first] = 0

    order = np.lexsort((np.arange(n), occurred))
    session, occurred, event_type = session[order], occurred[order], event_type[order]
    by_session = pa.array(session)
    return make_table(
        {
            "event_id": day_ids("E", day, n),
            "session_id": pc.take(session_ids, by_session),
            "customer_id": pc.take(known_ids, by_session),
            "event_type": pick(domain.EVENT_TYPES, event_type),
            "url": _urls(rng, world, event_type),
            "occurred_at": timestamps(occurred),
            "device": pick(domain.DEVICES, device[session]),
        }
    )
