"""Check outcomes and the runtime checks every layer uses: contract audits, volume, drift and
references, their Dagster check specs, and freshness SLAs."""
