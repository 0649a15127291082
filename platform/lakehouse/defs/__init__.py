"""Dagster definitions, one folder per layer or concern."""
