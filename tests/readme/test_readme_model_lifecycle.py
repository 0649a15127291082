"""The README's model lifecycle walk-through, run as written in a scratch lakehouse: 32 generated
days built as range backfills, the feature snapshots, labels and a first model (champion), a
scored day with its drift, a second version (challenger) promoted and rolled back by hand."""

from __future__ import annotations

import re
from pathlib import Path

from tests.readme.blocks import MODEL_LIFECYCLE, Shell, section


def test_the_model_lifecycle_walk_through(tmp_path: Path) -> None:
    shell = Shell(tmp_path / "lifecycle")
    build, train, step_in = section(MODEL_LIFECYCLE)

    built = shell.run(build).stdout
    assert re.search(r"^2026-01-01\.\.2026-01-31\s+ok", built, re.M), built
    assert re.search(r"^2026-02-01\s+ok", built, re.M), built
    assert re.search(r"^gold_history_marts\s+ok", built, re.M), built

    trained = shell.run(train).stdout
    # Every day's snapshot, in runs of up to 31 days: the mart already holds them all.
    snapshots = re.findall(r"^(\S+)\s+ml/churn_feature_snapshots\s+ok", trained, re.M)
    assert snapshots == ["2026-01-01..2026-01-31", "2026-02-01"], trained
    for line in (r"ml/churn_labels\s+ok", r"ml/churn_model\s+ok"):
        assert re.search(rf"^{line}", trained, re.M), trained
    for asset in ("gold/churn_scores", "ml/churn_drift"):
        assert re.search(rf"^2026-02-01\s+{asset}\s+ok", trained, re.M), trained

    stepped = shell.run(step_in).stdout
    assert re.search(r"^ml/churn_model\s+ok", stepped, re.M), stepped
    assert "v2 is now the champion" in stepped, stepped
    assert "rolled back: v1 is the champion again" in stepped, stepped
    assert re.search(r"^\s+1\s+champion\s+champion\s", stepped, re.M), stepped
    assert re.search(r"^\s+2\s+rolled_back\s", stepped, re.M), stepped
    for decision in (
        "v1 champion by gate",
        "v2 challenger by gate",
        "v2 promoted by",
        "v1 rolled_back by",
    ):
        assert decision in stepped, stepped
