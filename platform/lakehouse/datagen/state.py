"""The generator's memory across days: who the customers are and what the catalogue holds."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def _empty(dtype: type) -> np.ndarray:
    return np.zeros(0, dtype=dtype)


@dataclass
class CustomerState:
    """Current attributes of every customer delivered so far, one array element per customer."""

    number: np.ndarray = field(default_factory=lambda: _empty(np.int64))  # <YYYYMMDD><seq>
    first: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    last: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    country: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    domain: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    phone: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    signup_day: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    weight: np.ndarray = field(default_factory=lambda: _empty(np.float64))

    def __len__(self) -> int:
        return len(self.number)

    def append(self, other: CustomerState) -> None:
        """Add new customers at the end."""
        for name in self.__dataclass_fields__:
            setattr(self, name, np.concatenate([getattr(self, name), getattr(other, name)]))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Indices of ``n`` customers drawn with their (heavy-tailed) activity weights."""
        cumulative = np.cumsum(self.weight)
        draws = rng.random(n) * cumulative[-1]
        return np.minimum(np.searchsorted(cumulative, draws, side="right"), len(self) - 1)


@dataclass
class ProductState:
    """The catalogue: one array element per product, prices in cents (USD)."""

    number: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    category: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    adjective: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    noun: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    price_cents: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    weight: np.ndarray = field(default_factory=lambda: _empty(np.float64))

    def __len__(self) -> int:
        return len(self.number)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Indices of ``n`` products drawn by popularity."""
        return rng.choice(len(self), size=n, p=self.weight / self.weight.sum())


@dataclass
class World:
    """Everything day D's data depends on besides the day's own random draws."""

    customers: CustomerState = field(default_factory=CustomerState)
    products: ProductState = field(default_factory=ProductState)
