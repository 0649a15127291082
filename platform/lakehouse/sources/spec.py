"""The model of a source declaration: one YAML file per source under ``lakehouse/sources/``."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

IDENTIFIER = r"^[a-z][a-z0-9_]*$"
SIMPLE_TYPES = ("string", "boolean", "int", "bigint", "double", "date", "timestamp")
DECIMAL_TYPE = re.compile(r"^decimal\((\d{1,2}),\s*(\d{1,2})\)$")
LANDING_DATE = "_landing_date"
"""The landing day (UTC) of a row: the partition column of bronze, silver facts and quarantine."""
METADATA_COLUMNS = ("_source_file", "_ingested_at", LANDING_DATE)
"""Columns bronze adds to every landed row; silver facts keep them for lineage."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LandingSpec(_Strict):
    """Where a source's files land and how to read them."""

    path: str = Field(description="Glob under the landing root; '{date}' is the day (YYYY-MM-DD).")
    format: Literal["jsonl", "csv", "parquet"]
    options: dict[str, str] = Field(default_factory=dict)
    null_values: list[str] | None = Field(
        default=None,
        description="CSV only: unquoted field texts read as null. Default: only the empty field "
        "(['']); a quoted field is always text. JSON and Parquet carry their own null.",
    )

    @field_validator("path")
    @classmethod
    def _path_has_date(cls, value: str) -> str:
        if "{date}" not in value:
            raise ValueError("must contain '{date}', e.g. 'orders/{date}/*.jsonl'")
        if value.startswith("/") or ".." in value.split("/"):
            raise ValueError("must be relative to the landing root, without '..'")
        return value

    @model_validator(mode="after")
    def _known_options(self) -> LandingSpec:
        allowed = {"csv": {"delimiter", "quote_char"}, "jsonl": set(), "parquet": set()}[
            self.format
        ]
        unknown = sorted(set(self.options) - allowed)
        if unknown:
            raise ValueError(
                f"unknown option(s) {unknown} for format {self.format}; allowed: {sorted(allowed)}"
            )
        if "delimiter" in self.options and len(self.options["delimiter"]) != 1:
            raise ValueError("options.delimiter must be one character")
        if self.null_values is not None and self.format != "csv":
            raise ValueError(
                f"null_values applies to csv only; {self.format} files carry their own null"
            )
        return self

    @property
    def csv_null_values(self) -> list[str]:
        """The unquoted CSV field texts read as null (default: only the empty field)."""
        return [""] if self.null_values is None else list(self.null_values)


class ColumnSpec(_Strict):
    """A silver column: its type, where it comes from, and how it is cleaned."""

    name: str = Field(pattern=IDENTIFIER)
    type: str
    description: str = ""
    source: str | None = Field(default=None, description="Landed column name, if it differs.")
    expr: str | None = Field(
        default=None, description="DuckDB SQL over the typed columns, for derived columns."
    )
    transform: Literal["lower", "upper", "trim"] | None = None
    pii: Literal["hash", "redact"] | None = Field(
        default=None, description="PII classification and how it is masked before silver."
    )
    nullable: bool = True
    unique: bool = False
    accepted_values: list[str] | None = None
    min: float | None = Field(default=None, description="Smallest allowed value (inclusive).")
    max: float | None = Field(default=None, description="Largest allowed value (inclusive).")
    references: str | None = Field(
        default=None, description="Foreign key: '<source>.<column>' in silver."
    )

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        value = value.strip().lower()
        match = DECIMAL_TYPE.match(value)
        if match:
            precision, scale = int(match[1]), int(match[2])
            if not 1 <= precision <= 38 or scale > precision:
                raise ValueError(
                    f"decimal({precision},{scale}) needs 1 <= scale <= precision <= 38"
                )
            return f"decimal({precision},{scale})"
        if value not in SIMPLE_TYPES:
            raise ValueError(
                f"unknown type {value!r}; use one of {', '.join(SIMPLE_TYPES)}, decimal(p,s)"
            )
        return value

    @model_validator(mode="after")
    def _source_or_expr(self) -> ColumnSpec:
        if self.expr and self.source:
            raise ValueError("a column has either 'source' (landed) or 'expr' (derived), not both")
        if self.expr and (self.transform or self.pii):
            raise ValueError("'transform' and 'pii' apply to landed columns, not to 'expr' columns")
        if self.transform and self.type != "string":
            raise ValueError(f"transform {self.transform!r} needs type string, not {self.type}")
        return self

    @field_validator("references")
    @classmethod
    def _reference_shape(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$", value):
            raise ValueError("must be '<source>.<column>', e.g. 'customers.customer_id'")
        return value

    @model_validator(mode="after")
    def _rules_fit_the_type(self) -> ColumnSpec:
        numeric = self.type in ("int", "bigint", "double") or self.type.startswith("decimal")
        if (self.min is not None or self.max is not None) and not numeric:
            raise ValueError(f"min/max need a numeric type, not {self.type}")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is greater than max {self.max}")
        if self.accepted_values is not None and self.type != "string":
            raise ValueError(f"accepted_values needs type string, not {self.type}")
        if self.accepted_values is not None and not self.accepted_values:
            raise ValueError("accepted_values must list at least one value")
        return self

    @property
    def landed_name(self) -> str | None:
        """The landed column this one is read from (None for derived columns)."""
        return None if self.expr else (self.source or self.name)


class FreshnessSpec(_Strict):
    """When a table must have been updated."""

    deadline: str | None = Field(
        default=None, description="UTC time of day by which yesterday's data must be in, HH:MM."
    )
    max_lag_hours: float = Field(default=26, gt=0)

    @field_validator("deadline")
    @classmethod
    def _hh_mm(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^([01]\d|2[0-3]):[0-5]\d$", value):
            raise ValueError("must be a UTC time of day HH:MM, e.g. '06:00'")
        return value


class QualitySpec(_Strict):
    """The source's quality expectations beyond its columns' rules."""

    schema_drift: Literal["additive", "strict"] = Field(
        default="additive", description="additive: new landed columns are accepted and reported."
    )
    error_budget: float = Field(
        default=0.01, ge=0, le=1, description="Largest share of invalid rows still published."
    )
    freshness: FreshnessSpec = Field(default_factory=FreshnessSpec)
    volume_window: int = Field(default=7, ge=1, description="Trailing partitions for volume.")
    volume_tolerance: float = Field(
        default=0.5, gt=0, description="Allowed relative deviation from the trailing mean."
    )
    drift_columns: list[str] = Field(default_factory=list)
    drift_psi_threshold: float = Field(default=0.25, gt=0)


class SourceSpec(_Strict):
    """A source: its landing files, its silver schema, keys and PII."""

    name: str = Field(pattern=IDENTIFIER)
    description: str
    owner: str = Field(description="An email address or 'team:<name>'.")
    kind: Literal["fact", "dimension"]
    landing: LandingSpec
    columns: list[ColumnSpec] = Field(min_length=1)
    keys: list[str] = Field(min_length=1, description="Business keys: unique in silver.")
    order_by: str | None = Field(
        default=None, description="Column that orders duplicates: the greatest value wins."
    )
    business_date: str | None = Field(
        default=None, description="The date column analysts aggregate by (facts)."
    )
    quality: QualitySpec = Field(default_factory=QualitySpec)

    @field_validator("owner")
    @classmethod
    def _owner_shape(cls, value: str) -> str:
        if not (
            re.match(r"^[^@\s]+@[^@\s]+\.[a-z]+$", value) or re.match(r"^team:\w[\w-]*$", value)
        ):
            raise ValueError("must be an email address or 'team:<name>'")
        return value

    @model_validator(mode="after")
    def _references_exist(self) -> SourceSpec:
        names = [c.name for c in self.columns]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"columns declared twice: {duplicates}")
        reserved = sorted(set(names) & set(METADATA_COLUMNS))
        if reserved:
            raise ValueError(f"columns {reserved} are reserved for lineage metadata")
        for field_name, referenced in (
            ("keys", self.keys),
            ("order_by", [self.order_by] if self.order_by else []),
            ("business_date", [self.business_date] if self.business_date else []),
            ("quality.drift_columns", self.quality.drift_columns),
        ):
            missing = [r for r in referenced if r not in names]
            if missing:
                raise ValueError(
                    f"{field_name} names unknown column(s) {missing}; columns: {names}"
                )
        if self.business_date and self.column(self.business_date).type != "date":
            raise ValueError(f"business_date {self.business_date!r} must be a column of type date")
        if any(self.column(k).pii for k in self.keys):
            raise ValueError("a key column cannot be PII: keys are published unmasked")
        return self

    def column(self, name: str) -> ColumnSpec:
        """The declared column called ``name``."""
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"source {self.name!r} has no column {name!r}")

    @property
    def landed_columns(self) -> list[str]:
        """Columns every landed file must carry."""
        return [c.landed_name for c in self.columns if c.landed_name]

    @property
    def pii_columns(self) -> list[str]:
        """Columns masked before silver."""
        return [c.name for c in self.columns if c.pii]

    @property
    def type2(self) -> bool:
        """A dimension whose every version is kept with its validity, valid from its
        ``order_by`` (type-2 slowly changing dimension, ``silver/<name>_history``)."""
        return self.kind == "dimension" and self.order_by is not None
