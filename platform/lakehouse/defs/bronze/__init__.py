"""Bronze: landed files as Delta tables, one per source, partitioned by landing day."""
