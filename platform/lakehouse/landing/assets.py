"""One external asset per source's landing files, so lineage starts at the files."""

from __future__ import annotations

import dagster as dg

from lakehouse.sources import SourceSpec

_FORMAT_KIND = {"jsonl": "json", "csv": "csv", "parquet": "parquet"}


def landing_key(spec: SourceSpec) -> dg.AssetKey:
    """The asset key of a source's landing files."""
    return dg.AssetKey(["landing", spec.name])


def landing_spec(spec: SourceSpec, landing_root: str) -> dg.AssetSpec:
    """An external asset for the files of ``spec`` under ``landing_root``."""
    return dg.AssetSpec(
        key=landing_key(spec),
        description=f"Files delivered for {spec.name} ({spec.landing.format}): {spec.description}",
        group_name="landing",
        kinds={_FORMAT_KIND[spec.landing.format], "file"},
        owners=[spec.owner],
        metadata={
            "path_pattern": f"{landing_root}/{spec.landing.path}",
            "format": spec.landing.format,
        },
    )
