"""One partition through one layer: intake, checks, quarantine and publishing, without Dagster."""
