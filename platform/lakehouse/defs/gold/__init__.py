"""Gold: the dbt marts as Dagster assets, dbt tests as asset checks."""
