#!/usr/bin/env bash
# make ci: canary the change on a branch lakehouse when it touches dbt_project/ or the source
# declarations; the diff and verdict are written to $CANARY_REPORT (a CI artifact).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
base=$(git merge-base HEAD origin/main 2>/dev/null || git rev-parse HEAD)
if git diff --quiet "$base" -- dbt_project platform/lakehouse/sources; then
  echo "canary: dbt_project/ and platform/lakehouse/sources/ unchanged since $base: skipped"
  exit 0
fi
name="ci_$(git rev-parse --short HEAD)"
"$bin/lakehouse" branch create "$name" --base-commit "$base"
trap '"$bin/lakehouse" branch drop "$name" >/dev/null' EXIT
"$bin/lakehouse" branch canary "$name" --days "${CANARY_DAYS:-2}" \
  --output "${CANARY_REPORT:-.artifacts/canary.md}" ${CANARY_THRESHOLDS:+--thresholds "$CANARY_THRESHOLDS"}
