"""Landing: the files delivered per source and day. Finding, reading and scanning them, the
landing assets (external: lineage starts at the files) and the daily partitions (landing days)."""
