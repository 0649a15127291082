"""Fault injection against headless materialisation (see chaos/run.py and chaos/RESULTS.md)."""
