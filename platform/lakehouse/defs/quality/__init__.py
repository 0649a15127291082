"""Quality checks: contract checks on every table, freshness SLAs."""
