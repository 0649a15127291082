#!/usr/bin/env bash
# Static scan of infra/terraform with checkov from its own venv (infra/checks/.venv); extra args go to checkov.
set -euo pipefail; cd "$(dirname "$0")/../.."; .tools/bin/uv sync --project infra/checks --frozen -q && CKV_SKIP_PACKAGE_UPDATE_CHECK=true infra/checks/.venv/bin/checkov --framework terraform --directory infra/terraform --skip-download --compact --quiet "$@"
