"""Gold: dbt marts over the silver Delta tables, written back as Delta tables.

Kept free of Dagster imports: dbt loads ``lakehouse.gold.delta_writer`` in its own process.
"""
