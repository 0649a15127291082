"""Source declarations: one YAML file per source; bronze and silver assets are built from them."""

from lakehouse.sources.loader import (
    SOURCES_DIR,
    SourceDeclarationError,
    load_source,
    load_sources,
    parse_source,
)
from lakehouse.sources.spec import (
    LANDING_DATE,
    METADATA_COLUMNS,
    ColumnSpec,
    LandingSpec,
    SourceSpec,
)

__all__ = [
    "LANDING_DATE",
    "METADATA_COLUMNS",
    "SOURCES_DIR",
    "ColumnSpec",
    "LandingSpec",
    "SourceDeclarationError",
    "SourceSpec",
    "load_source",
    "load_sources",
    "parse_source",
]
