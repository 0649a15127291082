"""Silver: typed, deduplicated, PII-masked, conformed tables, one per source."""
