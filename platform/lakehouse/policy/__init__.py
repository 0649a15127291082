"""Platform policy applied to every asset in one place: retries and automation conditions."""
