"""Gold: dbt marts over the silver Delta tables, written back as Delta tables.

``delta_writer``, ``window`` and ``project`` stay free of Dagster imports: dbt loads the plugin
in its own process. ``assets.py``, ``publication.py`` and ``translator.py`` are the Dagster face.
"""
