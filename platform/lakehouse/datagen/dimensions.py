"""Daily change files of the two dimensions: customers and products."""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from lakehouse.datagen import domain
from lakehouse.datagen.columns import (
    customer_ids,
    customer_numbers,
    diurnal_times,
    make_table,
    pick,
    prefixed_ids,
    timestamps,
)
from lakehouse.datagen.state import CustomerState, World

_SIGNUP_HISTORY_DAYS = 3 * 365
_MOVE_SHARE = 0.2  # of updated customers, the share that also changes country


def _phones(rng: np.random.Generator, country: np.ndarray) -> np.ndarray:
    digits = np.array([c[3] for c in domain.COUNTRIES])[country]
    low = 2 * 10 ** (digits - 1)
    return low + (rng.random(len(country)) * (10**digits - low)).astype(np.int64)


def _new_customers(rng: np.random.Generator, world: World, n: int, day: date) -> CustomerState:
    ordinal = (day - date(1970, 1, 1)).days
    history = 0 if len(world.customers) else _SIGNUP_HISTORY_DAYS
    country = rng.choice(len(domain.COUNTRY_CODES), size=n, p=domain.COUNTRY_SHARES)
    return CustomerState(
        number=customer_numbers(day, 1, n),
        first=rng.integers(0, len(domain.FIRST_NAMES), n),
        last=rng.integers(0, len(domain.LAST_NAMES), n),
        country=country,
        domain=rng.integers(0, len(domain.EMAIL_DOMAINS), n),
        phone=_phones(rng, country),
        signup_day=ordinal - rng.integers(0, history + 1, n),
        weight=rng.pareto(2.0, n) + 1.0,
    )


def _text(numbers: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(numbers, pa.int64()), pa.string())


def _customer_rows(c: CustomerState, idx: np.ndarray, updated_at: np.ndarray) -> pa.Table:
    first = pick(domain.FIRST_NAMES, c.first[idx])
    last = pick(domain.LAST_NAMES, c.last[idx])
    ids = customer_ids(c.number[idx])
    local_part = pc.replace_substring(
        pc.utf8_lower(pc.binary_join_element_wise(first, ".", last, _text(c.number[idx]), "")),
        " ",
        "",
    )
    country = c.country[idx]
    prefixes = pick([row[2] for row in domain.COUNTRIES], country)
    return make_table(
        {
            "customer_id": ids,
            "name": pc.binary_join_element_wise(first, last, " "),
            "email": pc.binary_join_element_wise(
                local_part, "@", pick(domain.EMAIL_DOMAINS, c.domain[idx]), ""
            ),
            "phone": pc.binary_join_element_wise(prefixes, _text(c.phone[idx]), ""),
            "country": pick(domain.COUNTRY_CODES, country),
            "signup_date": pa.array(c.signup_day[idx].astype("datetime64[D]")),
            "updated_at": timestamps(updated_at),
        }
    )


def customers_for_day(
    world: World, rng: np.random.Generator, day: date, rows_per_day: int
) -> pa.Table:
    """Day 1: the initial population; later days: new signups plus updates to existing customers.

    Every delivered row's ``updated_at`` falls on ``day`` (UTC); ``world`` gains the signups.
    """
    c = world.customers
    initial = len(c) == 0
    n_new = max(50, rows_per_day // 2) if initial else max(1, round(0.05 * rows_per_day))
    n_upd = 0 if initial else min(len(c), max(1, round(0.02 * rows_per_day)))
    updated = np.sort(rng.choice(len(c), size=n_upd, replace=False)) if n_upd else np.zeros(0, int)
    if n_upd:
        shift = rng.integers(1, len(domain.EMAIL_DOMAINS), n_upd)
        c.domain[updated] = (c.domain[updated] + shift) % len(domain.EMAIL_DOMAINS)
        movers = updated[rng.random(n_upd) < _MOVE_SHARE]
        c.country[movers] = rng.choice(
            len(domain.COUNTRY_CODES), size=len(movers), p=domain.COUNTRY_SHARES
        )
        c.phone[updated] = _phones(rng, c.country[updated])
    start = len(c)
    c.append(_new_customers(rng, world, n_new, day))
    idx = np.concatenate([updated, np.arange(start, len(c))])
    updated_at = diurnal_times(rng, len(idx), day)
    order = np.argsort(updated_at, kind="stable")
    return _customer_rows(c, idx[order], updated_at[order])


def _round_price(rng: np.random.Generator, dollars: np.ndarray) -> np.ndarray:
    endings = rng.choice(np.array([99, 95, 49, 0]), size=len(dollars), p=[0.6, 0.2, 0.1, 0.1])
    return np.maximum(np.floor(dollars).astype(np.int64), 0) * 100 + endings


def _product_rows(world: World, idx: np.ndarray, updated_at: np.ndarray) -> pa.Table:
    p = world.products
    nouns = [noun for cat in domain.CATEGORIES for noun in cat[4]]
    per_category = len(domain.CATEGORIES[0][4])
    name = pc.binary_join_element_wise(
        pick(domain.PRODUCT_ADJECTIVES, p.adjective[idx]),
        pick(nouns, p.category[idx] * per_category + p.noun[idx]),
        " ",
    )
    return make_table(
        {
            "product_id": prefixed_ids("P", p.number[idx], 5),
            "name": name,
            "category": pick(domain.CATEGORY_NAMES, p.category[idx]),
            "price": pa.array(p.price_cents[idx], pa.int64()),
            "currency": pa.array(["USD"] * len(idx), pa.string()),
            "updated_at": timestamps(updated_at),
        },
        money=("price",),
    )


def products_for_day(
    world: World, rng: np.random.Generator, day: date, catalogue_rng: np.random.Generator
) -> pa.Table:
    """Day 1: the whole catalogue; later days: price changes to about 1% of it.

    The catalogue is drawn from ``catalogue_rng`` (the seed alone), so a product id names the
    same product in every ``generate`` call with that seed, whatever its first day.
    """
    p = world.products
    if len(p) == 0:
        rng, day_rng = catalogue_rng, rng
        n = domain.CATALOGUE_SIZE
        category = rng.choice(
            len(domain.CATEGORIES), size=n, p=np.array([c[1] for c in domain.CATEGORIES])
        )
        medians = np.array([c[2] for c in domain.CATEGORIES])[category]
        sigmas = np.array([c[3] for c in domain.CATEGORIES])[category]
        p.number = np.arange(1, n + 1, dtype=np.int64)
        p.category = category
        p.adjective = rng.integers(0, len(domain.PRODUCT_ADJECTIVES), n)
        p.noun = rng.integers(0, len(domain.CATEGORIES[0][4]), n)
        p.price_cents = _round_price(rng, rng.lognormal(np.log(medians), sigmas))
        p.weight = 1.0 / np.arange(1, n + 1) ** 1.1
        p.weight = p.weight[rng.permutation(n)]
        idx = np.arange(n)
        rng = day_rng
    else:
        k = max(1, round(0.01 * len(p)))
        idx = np.sort(rng.choice(len(p), size=k, replace=False))
        old = p.price_cents[idx]
        new = _round_price(rng, old / 100 * np.exp(rng.normal(0, 0.15, k)))
        p.price_cents[idx] = np.where(new == old, old + 100, new)
    updated_at = diurnal_times(rng, len(idx), day)
    order = np.argsort(updated_at, kind="stable")
    return _product_rows(world, idx[order], updated_at[order])
