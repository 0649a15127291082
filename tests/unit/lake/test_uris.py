"""Table URIs: root + asset key, with key parts validated."""

from __future__ import annotations

import pytest

from lakehouse.lake import is_local, key_parts, table_uri


@pytest.mark.parametrize(
    ("root", "expected"),
    [
        ("/x/.lakehouse/dev/alice", "/x/.lakehouse/dev/alice/silver/orders"),
        ("/x/.lakehouse/dev/alice///", "/x/.lakehouse/dev/alice/silver/orders"),
        ("file:///x/lake/", "file:///x/lake/silver/orders"),
        ("s3://bucket/prod", "s3://bucket/prod/silver/orders"),
        ("s3://bucket/", "s3://bucket/silver/orders"),
        ("relative/lake", "relative/lake/silver/orders"),
    ],
)
def test_table_uri_joins_root_and_key_without_double_slashes(root: str, expected: str) -> None:
    assert table_uri(root, ["silver", "orders"]) == expected


def test_table_uri_reads_a_string_key_as_a_slash_path_not_characters() -> None:
    assert table_uri("/lake", "gold/orders_daily") == "/lake/gold/orders_daily"
    assert key_parts(("bronze", "web_events_2")) == ["bronze", "web_events_2"]


@pytest.mark.parametrize(
    "bad_part", ["Orders", "order-items", "", "..", "a b", "orders.v2", "é", "silver/orders"]
)
def test_table_uri_rejects_key_parts_outside_lowercase_digits_underscore(bad_part: str) -> None:
    with pytest.raises(ValueError, match="lowercase letters, digits and underscores"):
        table_uri("/lake", ["silver", bad_part])


def test_table_uri_rejects_empty_key_and_root() -> None:
    with pytest.raises(ValueError, match="asset key is empty"):
        table_uri("/lake", [])
    with pytest.raises(ValueError, match="root is empty"):
        table_uri("", ["silver", "orders"])
    with pytest.raises(ValueError, match="no bucket or folder"):
        table_uri("s3://", ["silver", "orders"])


@pytest.mark.parametrize(
    ("uri", "local"),
    [
        ("/x/lake/silver/orders", True),
        ("relative/lake", True),
        ("file:///x/lake", True),
        ("FILE:///x/lake", True),
        ("s3://bucket/prod/silver/orders", False),
        ("gs://bucket/lake", False),
        ("az://container/lake", False),
    ],
)
def test_is_local_is_true_only_for_paths_and_file_uris(uri: str, local: bool) -> None:
    assert is_local(uri) is local
