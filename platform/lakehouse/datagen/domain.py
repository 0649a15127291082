"""Constants of the synthetic "Global E-Commerce Corp": enums, shares, distributions, sources."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

Format = Literal["jsonl", "csv", "parquet"]
TimeStyle = Literal["offset", "zulu", "native"]

MONEY_META = {b"lakehouse.datagen": b"money"}
"""Field metadata marking an int64 column of cents that writers render as an amount."""

# (ISO alpha-2, share, phone prefix, random phone digits, currency)
COUNTRIES: tuple[tuple[str, float, str, int, str], ...] = (
    ("US", 0.30, "+1", 10, "USD"),
    ("DE", 0.12, "+4915", 9, "EUR"),
    ("GB", 0.10, "+447", 9, "GBP"),
    ("FR", 0.08, "+336", 8, "EUR"),
    ("NL", 0.05, "+316", 8, "EUR"),
    ("ES", 0.05, "+346", 8, "EUR"),
    ("IT", 0.05, "+393", 9, "EUR"),
    ("PL", 0.04, "+485", 8, "USD"),
    ("SE", 0.03, "+467", 8, "USD"),
    ("BR", 0.04, "+55119", 8, "USD"),
    ("JP", 0.04, "+8190", 8, "USD"),
    ("CA", 0.04, "+1", 10, "USD"),
    ("AU", 0.02, "+614", 8, "USD"),
    ("IN", 0.02, "+919", 9, "USD"),
    ("MX", 0.02, "+52", 10, "USD"),
)
COUNTRY_CODES = tuple(c[0] for c in COUNTRIES)
COUNTRY_SHARES = np.array([c[1] for c in COUNTRIES]) / sum(c[1] for c in COUNTRIES)

FIRST_NAMES = (
    "Anna", "Ben", "Carla", "David", "Elena", "Felix", "Grace", "Hiro", "Ines", "Jonas",
    "Kara", "Liam", "Maya", "Noah", "Olivia", "Pablo", "Quinn", "Rosa", "Sven", "Tara",
    "Umar", "Vera", "Wei", "Xenia", "Yusuf", "Zoe", "Lukas", "Sofia", "Mateo", "Emma",
    "Yuki", "Lena", "Oscar", "Amelia", "Jakub", "Chloe", "Lucas", "Mia", "Arjun", "Ana",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Mueller", "Jones", "Martin", "de Vries", "Garcia", "Rossi", "Nowak", "Lindqvist",
    "Silva", "Tanaka", "Brown", "Schmidt", "Taylor", "Bernard", "Jansen", "Lopez", "Romano",
    "Kowalski", "Andersson", "Santos", "Suzuki", "Wilson", "Fischer", "Davies", "Dubois",
    "Bakker", "Fernandez", "Ricci", "Wojcik", "Nilsson", "Oliveira", "Sato", "Clark", "Weber",
    "Evans", "Moreau", "Visser", "Kumar", "Hernandez",
)  # fmt: skip
EMAIL_DOMAINS = ("example.com", "mail.example.org", "inbox.example.net", "post.example.de")

# (category, popularity share, median price in USD, log-normal sigma, product nouns)
CATEGORIES: tuple[tuple[str, float, float, float, tuple[str, ...]], ...] = (
    ("electronics", 0.18, 120.0, 0.8, ("Headphones", "Speaker", "Charger", "Monitor", "Camera")),
    ("home", 0.14, 40.0, 0.6, ("Lamp", "Blanket", "Vase", "Kettle", "Shelf")),
    ("garden", 0.07, 30.0, 0.6, ("Hose", "Planter", "Shears", "Lantern", "Seeds")),
    ("toys", 0.09, 25.0, 0.5, ("Puzzle", "Robot", "Plush Bear", "Blocks", "Kite")),
    ("books", 0.10, 16.0, 0.35, ("Novel", "Cookbook", "Atlas", "Biography", "Guide")),
    ("fashion", 0.15, 45.0, 0.5, ("Jacket", "Sneakers", "Scarf", "Backpack", "Watch")),
    ("sports", 0.10, 50.0, 0.6, ("Yoga Mat", "Dumbbells", "Bottle", "Racket", "Helmet")),
    ("beauty", 0.09, 20.0, 0.45, ("Serum", "Lipstick", "Shampoo", "Perfume", "Cream")),
    ("grocery", 0.08, 7.0, 0.5, ("Coffee", "Tea", "Olive Oil", "Chocolate", "Granola")),
)
CATEGORY_NAMES = tuple(c[0] for c in CATEGORIES)
PRODUCT_ADJECTIVES = (
    "Classic", "Smart", "Eco", "Deluxe", "Compact", "Ultra", "Vintage", "Urban", "Nordic",
    "Pro", "Cozy", "Bold", "Pure", "Swift", "Golden", "Essential",
)  # fmt: skip
CATALOGUE_SIZE = 200

ORDER_STATUSES = ("pending", "confirmed", "shipped", "delivered", "cancelled")
CANCELLED_SHARE = 0.05
CURRENCIES = ("USD", "EUR", "GBP")
LOWERCASE_CURRENCY_SHARE = 0.02
ITEMS_PER_ORDER_P = 0.55  # geometric success probability, clipped to 1..5
QUANTITIES = np.array([1, 2, 3, 4])
QUANTITY_SHARES = np.array([0.75, 0.15, 0.07, 0.03])

PAYMENT_METHODS = ("card", "paypal", "bank_transfer", "gift_card")
PAYMENT_METHOD_SHARES = np.array([0.60, 0.25, 0.10, 0.05])
PAYMENT_STATUSES = ("authorized", "captured", "refunded", "failed")
PAYMENT_RETRY_SHARE = 0.03
REFUND_SHARE = 0.02

EVENT_TYPES = ("page_view", "product_view", "add_to_cart", "checkout", "purchase")
EVENT_TYPE_SHARES = np.array([0.55, 0.28, 0.10, 0.04, 0.03])
DEVICES = ("desktop", "mobile", "tablet")
DEVICE_SHARES = np.array([0.45, 0.48, 0.07])
EVENTS_PER_ORDER = 8
EVENTS_PER_SESSION = 5
ANONYMOUS_SHARE = 0.40
WEEKEND_EVENT_UPLIFT = 1.15
SITE = "https://shop.example.com"
SEARCH_TERMS = ("gift", "sale", "winter", "wireless", "organic", "kids", "running", "coffee")

# Share of activity per UTC hour: evening peak on weekdays, flatter and earlier on weekends.
_WEEKDAY = [5, 3, 2, 2, 2, 3, 6, 10, 14, 16, 17, 18, 20, 19, 18, 18, 19, 22, 28, 33, 35, 30, 20, 10]
_WEEKEND = [8, 5, 3, 2, 2, 3, 5, 8, 13, 19, 24, 27, 28, 27, 25, 24, 24, 25, 28, 30, 30, 26, 18, 11]
HOUR_SHARES_WEEKDAY = np.array(_WEEKDAY, dtype=float) / sum(_WEEKDAY)
HOUR_SHARES_WEEKEND = np.array(_WEEKEND, dtype=float) / sum(_WEEKEND)
ORDER_UTC_OFFSETS_MIN = np.array([0, 60, -300, 540])  # +00:00, +01:00, -05:00, +09:00


@dataclass(frozen=True)
class SourceSpec:
    """How one source lands: file format, columns in order, and parts per day."""

    name: str
    format: Format
    columns: tuple[str, ...]
    time_style: TimeStyle
    split: bool = False

    @property
    def ext(self) -> str:
        """File extension without the dot."""
        return self.format


SOURCES: dict[str, SourceSpec] = {
    s.name: s
    for s in (
        SourceSpec(
            "customers",
            "csv",
            ("customer_id", "name", "email", "phone", "country", "signup_date", "updated_at"),
            "offset",
        ),
        SourceSpec(
            "products",
            "csv",
            ("product_id", "name", "category", "price", "currency", "updated_at"),
            "offset",
        ),
        SourceSpec(
            "orders",
            "jsonl",
            (
                "order_id",
                "customer_id",
                "status",
                "order_total",
                "currency",
                "created_at",
                "updated_at",
            ),
            "offset",
            split=True,
        ),
        SourceSpec(
            "order_items",
            "jsonl",
            ("order_id", "line_number", "product_id", "quantity", "unit_price", "currency"),
            "offset",
        ),
        SourceSpec(
            "payments",
            "parquet",
            ("payment_id", "order_id", "method", "amount", "currency", "status", "paid_at"),
            "native",
        ),
        SourceSpec(
            "web_events",
            "jsonl",
            ("event_id", "session_id", "customer_id", "event_type", "url", "occurred_at", "device"),
            "zulu",
            split=True,
        ),
    )
}
SPLIT_MIN_ROWS_PER_DAY = 10
