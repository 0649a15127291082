"""Behaviour shifts: a segment orders less from its day on; without one, nothing changes."""

from datetime import date

import pytest

from lakehouse.datagen import generate
from lakehouse.datagen.behaviour import BehaviourShift


def _files(root) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_a_shift_changes_orders_only_from_its_day(tmp_path) -> None:
    plain, shifted = tmp_path / "plain", tmp_path / "shifted"
    generate(str(plain), date(2026, 1, 1), 3, 80, seed=5)
    shift = BehaviourShift(date(2026, 1, 3), "US", 0.0)
    generate(str(shifted), date(2026, 1, 1), 3, 80, seed=5, shift=shift)
    a, b = _files(plain), _files(shifted)
    assert a.keys() == b.keys()
    changed = {k for k in a if a[k] != b[k]}
    assert changed and all("2026-01-03" in k for k in changed)
    assert any(k.startswith("orders/") for k in changed)


def test_a_shift_is_parsed_from_the_command_line_form() -> None:
    assert BehaviourShift.parse("2026-03-01:de:0.2") == BehaviourShift(date(2026, 3, 1), "DE", 0.2)
    with pytest.raises(ValueError, match="YYYY-MM-DD:COUNTRY:FACTOR"):
        BehaviourShift.parse("2026-03-01:XX")
