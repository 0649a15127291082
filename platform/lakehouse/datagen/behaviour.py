"""Behaviour shifts: from a given day a segment of customers orders more or less often, so
drift, a better challenger and a canary rollback can be shown on generated data."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from lakehouse.datagen.domain import COUNTRY_CODES
from lakehouse.datagen.state import World


@dataclass(frozen=True)
class BehaviourShift:
    """From ``start`` on, customers of ``country`` order ``order_factor`` times as often."""

    start: date
    country: str
    order_factor: float

    def __post_init__(self) -> None:
        if self.country not in COUNTRY_CODES:
            raise ValueError(
                f"shift country {self.country!r} is not one of {', '.join(COUNTRY_CODES)}"
            )
        if self.order_factor < 0:
            raise ValueError(f"shift factor must be at least 0, got {self.order_factor}")

    @classmethod
    def parse(cls, text: str) -> BehaviourShift:
        """``YYYY-MM-DD:COUNTRY:FACTOR``, e.g. ``2026-03-01:DE:0.2``."""
        try:
            day, country, factor = text.split(":")
            return cls(date.fromisoformat(day), country.upper(), float(factor))
        except ValueError as exc:
            raise ValueError(
                f"shift {text!r}: use YYYY-MM-DD:COUNTRY:FACTOR, e.g. 2026-03-01:DE:0.2 ({exc})"
            ) from None


def ordering_world(world: World, shift: BehaviourShift | None, day: date) -> World:
    """The world orders are drawn from on ``day``: ``world`` itself unless a shift applies."""
    if shift is None or day < shift.start:
        return world
    segment = world.customers.country == COUNTRY_CODES.index(shift.country)
    weight = np.where(segment, world.customers.weight * shift.order_factor, world.customers.weight)
    return World(customers=replace(world.customers, weight=weight), products=world.products)
