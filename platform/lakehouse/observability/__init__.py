"""Is the platform healthy? DORA metrics, SLA attainment, run-time regressions and cost per
asset, computed from the Dagster instance into the ``ops`` Delta tables, exported to Prometheus
and drawn as a self-contained HTML report."""
