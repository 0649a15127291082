"""Pure transformations over Arrow tables and DuckDB relations, unit-tested without Dagster."""
