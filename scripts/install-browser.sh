#!/usr/bin/env bash
# Install Debian's Chromium for the real-browser UI tests (tests/e2e/test_ui_browser.py).
# Idempotent and silent when /usr/bin/chromium already exists; otherwise needs root (or sudo).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CHROMIUM=/usr/bin/chromium

if [[ -x "$CHROMIUM" ]]; then
    exit 0
fi

apt_install chromium "$CHROMIUM is missing"
if [[ ! -x "$CHROMIUM" ]]; then
    echo "install-browser: the chromium package installed no $CHROMIUM" >&2
    exit 1
fi
echo "install-browser: $("$CHROMIUM" --version 2>/dev/null || echo chromium) at $CHROMIUM"
