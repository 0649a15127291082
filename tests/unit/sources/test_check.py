"""`lakehouse sources check` validates declarations with the exact line of each error."""

from pathlib import Path

from lakehouse.sources.check import check_sources
from lakehouse.sources.loader import SOURCES_DIR

VALID = (SOURCES_DIR / "orders.yaml").read_text()


def test_every_shipped_declaration_is_valid() -> None:
    valid, errors = check_sources()
    assert errors == []
    assert len(valid) == len(list(SOURCES_DIR.glob("*.yaml")))


def test_an_unknown_key_points_at_the_keys_line(tmp_path: Path) -> None:
    text = VALID.replace("keys: [order_id]", "keys: [order_number]")
    assert text != VALID
    path = tmp_path / "orders.yaml"
    path.write_text(text)
    keys_line = 1 + text.splitlines().index("keys: [order_number]")
    valid, errors = check_sources([path])
    assert valid == []
    assert errors[0].startswith(f"{path}:{keys_line}: field 'keys': names unknown column")


def test_a_missing_file_is_an_error(tmp_path: Path) -> None:
    assert check_sources([tmp_path / "nope.yaml"]) == (
        [],
        [f"{tmp_path / 'nope.yaml'}: no such file"],
    )
