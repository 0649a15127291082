#!/usr/bin/env bash
# Install Debian's PostgreSQL server for the Dagster-on-PostgreSQL tests
# (tests/integration/postgres). Idempotent: quiet when initdb and pg_ctl are found on PATH or in
# /usr/lib/postgresql/<version>/bin (where the tests look too); needs root (or sudo) otherwise.
# Prints the directory holding the server binaries.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

find_bindir() {
    local initdb
    if initdb=$(command -v initdb 2>/dev/null) && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(readlink -f "$initdb")"
        return 0
    fi
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

if bindir=$(find_bindir); then
    echo "$bindir"
    exit 0
fi

apt_install postgresql "initdb/pg_ctl are missing"

if ! bindir=$(find_bindir); then
    echo "install-postgres: postgresql installed but initdb/pg_ctl are not found" >&2
    exit 1
fi
echo "$bindir"
