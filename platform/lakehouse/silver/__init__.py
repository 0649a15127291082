"""Silver: bronze typed, validated, deduplicated and PII-masked against the source's contract,
published by write-audit-publish. ``assets.py`` is its Dagster face."""
