"""One day of orders with their items and payments, consistent with each other and the world."""

from __future__ import annotations

from dataclasses import dataclass
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
    make_table,
    pick,
    prefixed_ids,
    timestamps,
)
from lakehouse.datagen.state import World

OFFSET_COLUMN = "_utc_offset_min"
"""Hidden column: minutes east of UTC in which a row's timestamps are written."""

_OFFSET_SHARES = np.array([0.4, 0.25, 0.25, 0.1])


@dataclass(frozen=True)
class OrderDay:
    """The three related tables of one landing day."""

    orders: pa.Table
    order_items: pa.Table
    payments: pa.Table


def _statuses(rng: np.random.Generator, age_h: np.ndarray) -> np.ndarray:
    """Older orders (by end of day) have progressed further; a flat share is cancelled."""
    weights = np.stack(
        [
            np.exp(-age_h / 1.5) + 0.02,
            0.35 * np.exp(-age_h / 6.0) + 0.05,
            0.3 * (1.0 - np.exp(-age_h / 3.0)),
            age_h / 12.0,
        ],
        axis=1,
    )
    cumulative = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
    progressed = (rng.random(len(age_h))[:, None] > cumulative[:, :-1]).sum(axis=1)
    cancelled = rng.random(len(age_h)) < domain.CANCELLED_SHARE
    return np.where(cancelled, domain.ORDER_STATUSES.index("cancelled"), progressed)


def _currencies(rng: np.random.Generator, world: World, customer: np.ndarray) -> pa.Array:
    country_currency = np.array([domain.CURRENCIES.index(c[4]) for c in domain.COUNTRIES])
    text = pick(domain.CURRENCIES, country_currency[world.customers.country[customer]])
    lower = pa.array(rng.random(len(customer)) < domain.LOWERCASE_CURRENCY_SHARE)
    return pc.if_else(lower, pc.utf8_lower(text), text)


def _items(rng: np.random.Generator, world: World, n: int) -> dict[str, np.ndarray]:
    counts = np.minimum(rng.geometric(domain.ITEMS_PER_ORDER_P, n), 5)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    order = np.repeat(np.arange(n), counts)
    product = world.products.sample(rng, len(order))
    quantity = rng.choice(domain.QUANTITIES, size=len(order), p=domain.QUANTITY_SHARES)
    price = world.products.price_cents[product]
    return {
        "order": order,
        "line": np.arange(len(order)) - starts[order] + 1,
        "product": product,
        "quantity": quantity,
        "price": price,
        "total": np.add.reduceat(quantity * price, starts),
    }


def _payments(
    rng: np.random.Generator,
    day: date,
    order_ids: pa.Array,
    status: np.ndarray,
    totals: np.ndarray,
    created: np.ndarray,
    currency: pa.Array,
    day_end: int,
) -> pa.Table:
    statuses = domain.ORDER_STATUSES
    authorized, captured, refunded, failed = range(len(domain.PAYMENT_STATUSES))
    unpaid = [statuses.index("pending"), statuses.index("cancelled")]
    paying = np.flatnonzero(~np.isin(status, unpaid))
    pay_status = np.where(status[paying] == statuses.index("confirmed"), authorized, captured)
    refund = (status[paying] == statuses.index("delivered")) & (
        rng.random(len(paying)) < domain.REFUND_SHARE
    )
    pay_status[refund] = refunded
    paid_at = np.minimum(created[paying] + rng.integers(5, 180, len(paying)), day_end)
    retried = paying[rng.random(len(paying)) < domain.PAYMENT_RETRY_SHARE]
    failed_at = np.minimum(created[retried] + rng.integers(1, 5, len(retried)), day_end)
    orders = np.concatenate([paying, retried])
    when = np.concatenate([paid_at, failed_at])
    state = np.concatenate([pay_status, np.full(len(retried), failed)])
    method = rng.choice(
        len(domain.PAYMENT_METHODS), size=len(order_ids), p=domain.PAYMENT_METHOD_SHARES
    )
    sort = np.lexsort((np.arange(len(orders)), when))
    orders, when, state = orders[sort], when[sort], state[sort]
    return make_table(
        {
            "payment_id": day_ids("PAY", day, len(orders)),
            "order_id": pc.take(order_ids, pa.array(orders)),
            "method": pick(domain.PAYMENT_METHODS, method[orders]),
            "amount": pa.array(totals[orders], pa.int64()),
            "currency": pc.utf8_upper(pc.take(currency, pa.array(orders))),
            "status": pick(domain.PAYMENT_STATUSES, state),
            "paid_at": timestamps(when),
        },
        money=("amount",),
    )


def orders_for_day(world: World, rng: np.random.Generator, day: date, n: int) -> OrderDay:
    """``n`` orders on ``day`` (UTC), their items at the day's prices, and their payments."""
    created = np.sort(diurnal_times(rng, n, day))
    day_end = day_start(day) + SECONDS_PER_DAY - 1
    order_ids = day_ids("O", day, n)
    customer = world.customers.sample(rng, n)
    currency = _currencies(rng, world, customer)
    status = _statuses(rng, (day_end - created) / 3600.0)
    age = day_end - created
    progress = np.where(status == 0, 0.0, rng.uniform(0.05, 1.0, n))
    updated = created + (progress * age).astype(np.int64)
    offsets = rng.choice(domain.ORDER_UTC_OFFSETS_MIN, size=n, p=_OFFSET_SHARES)
    items = _items(rng, world, n)
    orders = make_table(
        {
            "order_id": order_ids,
            "customer_id": customer_ids(world.customers.number[customer]),
            "status": pick(domain.ORDER_STATUSES, status),
            "order_total": pa.array(items["total"], pa.int64()),
            "currency": currency,
            "created_at": timestamps(created),
            "updated_at": timestamps(updated),
            OFFSET_COLUMN: pa.array(offsets, pa.int16()),
        },
        money=("order_total",),
    )
    item_order = pa.array(items["order"])
    order_items = make_table(
        {
            "order_id": pc.take(order_ids, item_order),
            "line_number": pa.array(items["line"], pa.int64()),
            "product_id": prefixed_ids("P", world.products.number[items["product"]], 5),
            "quantity": pa.array(items["quantity"], pa.int64()),
            "unit_price": pa.array(items["price"], pa.int64()),
            "currency": pc.take(currency, item_order),
        },
        money=("unit_price",),
    )
    payments = _payments(rng, day, order_ids, status, items["total"], created, currency, day_end)
    return OrderDay(orders, order_items, payments)
