"""Source declarations: the shipped ones load, malformed ones fail with file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from lakehouse.sources import SourceDeclarationError, load_source, load_sources, parse_source

VALID = """\
name: things
description: Things.
owner: team:things
kind: fact
landing:
  path: "things/{date}/*.jsonl"
  format: jsonl
keys: [thing_id]
business_date: thing_date
columns:
  - name: thing_id
    type: string
  - name: made_at
    type: timestamp
  - name: thing_date
    type: date
    expr: "cast(made_at as date)"
"""


def test_shipped_declarations_load_with_their_domain() -> None:
    specs = {s.name: s for s in load_sources()}
    assert set(specs) == {
        "customers",
        "order_items",
        "orders",
        "payments",
        "products",
        "web_events",
    }
    assert specs["customers"].kind == "dimension"
    assert specs["customers"].pii_columns == ["name", "email", "phone"]
    assert specs["orders"].keys == ["order_id"]
    assert specs["orders"].business_date == "order_date"
    assert "order_date" not in specs["orders"].landed_columns


def test_valid_declaration_parses() -> None:
    spec = parse_source(VALID, "things.yaml")
    assert spec.landed_columns == ["thing_id", "made_at"]


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "reason"),
    [
        ("    type: timestamp", "    type: timestampz", 14, "columns[1].type", "unknown type"),
        ("keys: [thing_id]", "keys: [nope]", 8, "keys", "names unknown column"),
        (
            '  path: "things/{date}/*.jsonl"',
            '  path: "things/*.jsonl"',
            6,
            "landing.path",
            "{date}",
        ),
        ("  format: jsonl", "  format: xml", 7, "landing.format", "jsonl"),
        ("owner: team:things", "owner: somebody", 3, "owner", "email address"),
        ("kind: fact", "kind: fact\ncolour: blue", 5, "colour", "Extra inputs"),
    ],
)
def test_malformed_declaration_names_line_field_and_reason(
    old: str, new: str, line: int, field: str, reason: str
) -> None:
    text = VALID.replace(old, new)
    assert text != VALID
    with pytest.raises(SourceDeclarationError) as error:
        parse_source(text, "things.yaml")
    message = str(error.value)
    assert f"things.yaml:{line}:" in message
    assert f"field '{field}'" in message
    assert reason in message


def test_invalid_yaml_reports_the_line() -> None:
    with pytest.raises(SourceDeclarationError, match=r"things.yaml:4: not valid YAML"):
        parse_source("name: things\ncolumns:\n  - [unclosed\n", "things.yaml")


def test_pii_key_is_rejected() -> None:
    text = VALID.replace(
        "  - name: thing_id\n    type: string",
        "  - name: thing_id\n    type: string\n    pii: hash",
    )
    with pytest.raises(SourceDeclarationError, match="key column cannot be PII"):
        parse_source(text, "things.yaml")


def test_name_must_match_file_name(tmp_path: Path) -> None:
    path = tmp_path / "other.yaml"
    path.write_text(VALID)
    with pytest.raises(SourceDeclarationError, match="must match the file name 'other'"):
        load_source(path)


def test_empty_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SourceDeclarationError, match="no source declarations"):
        load_sources(tmp_path)
