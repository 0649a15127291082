"""The landing declaration: CSV null values are declared, with a default of the empty field."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from lakehouse.sources import LandingSpec, SourceDeclarationError, parse_source

DECLARATION = """\
name: things
description: Things.
owner: team:things
kind: fact
landing:
  path: "things/{date}/*.csv"
  format: csv
  null_values: ["", "NULL"]
keys: [thing_id]
columns:
  - name: thing_id
    type: string
"""


def test_csv_null_values_default_to_the_empty_field_only() -> None:
    spec = LandingSpec(path="t/{date}/*.csv", format="csv")
    assert spec.null_values is None
    assert spec.csv_null_values == [""]


def test_null_values_are_read_from_the_declaration() -> None:
    assert parse_source(DECLARATION, "things.yaml").landing.csv_null_values == ["", "NULL"]


def test_an_empty_null_list_makes_nothing_null() -> None:
    assert LandingSpec(path="t/{date}/*.csv", format="csv", null_values=[]).csv_null_values == []


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_null_values_are_refused_for_formats_with_their_own_null(fmt: str) -> None:
    with pytest.raises(ValidationError, match="null_values applies to csv only"):
        LandingSpec(path=f"t/{{date}}/*.{fmt}", format=fmt, null_values=["NA"])  # type: ignore[arg-type]


def test_null_values_must_be_a_list_of_strings() -> None:
    where = r"things\.yaml:8: field 'landing\.null_values"
    with pytest.raises(SourceDeclarationError, match=where):
        parse_source(DECLARATION.replace('["", "NULL"]', '"NULL"'), "things.yaml")
