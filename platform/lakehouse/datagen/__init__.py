"""Synthetic "Global E-Commerce Corp" landing data: deterministic, scalable, with named faults.

``generate(out, start, days, rows_per_day, faults=..., seed=...)`` writes one folder per source
per day under ``out``; see :mod:`lakehouse.datagen.generator`.
"""

from lakehouse.datagen.domain import SOURCES
from lakehouse.datagen.faults import FAULTS
from lakehouse.datagen.generator import GeneratedFile, GenerationReport, generate

__all__ = ["FAULTS", "SOURCES", "GeneratedFile", "GenerationReport", "generate"]
