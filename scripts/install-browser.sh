#!/usr/bin/env bash
# Install Debian's Chromium for the real-browser UI tests (tests/e2e/test_ui_browser.py).
# Idempotent and silent when /usr/bin/chromium already exists; otherwise needs root (or sudo).
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [[ -x "$CHROMIUM" ]]; then
    exit 0
fi

if [[ "$(id -u)" -eq 0 ]]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
else
    echo "install-browser: $CHROMIUM is missing and installing it needs root:" \
        "run 'sudo scripts/install-browser.sh' (or apt-get install chromium)" >&2
    exit 1
fi

echo "install-browser: installing Debian chromium for the UI tests ..."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
apt() { "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "$@" >>"$log" 2>&1; }
if ! apt update -qq || ! apt install -y -qq --no-install-recommends chromium; then
    cat "$log" >&2
    echo "install-browser: apt-get could not install chromium (see above)" >&2
    exit 1
fi
if [[ ! -x "$CHROMIUM" ]]; then
    echo "install-browser: the chromium package installed no $CHROMIUM" >&2
    exit 1
fi
echo "install-browser: $("$CHROMIUM" --version 2>/dev/null || echo chromium) at $CHROMIUM"
