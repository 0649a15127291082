#!/usr/bin/env bash
# Run COMMAND... (make run: `dg dev`) in its own process group and stop the whole group on
# Ctrl-C or SIGTERM within 10 s: SIGTERM first, SIGKILL after 5 s. `dg dev` alone waits for
# its webserver, daemon, code server and run workers, which took more than a minute to stop.
# Runs killed this way are marked failed by run monitoring (infra/dagster/dagster.dev.yaml).
set -u
setsid "$@" &
child=$!

stop() {
    echo "stopping Dagster (process group $child) ..." >&2
    kill -TERM -- "-$child" 2>/dev/null
    for _ in $(seq 1 10); do
        pgrep -g "$child" >/dev/null || return 0
        sleep 0.5
    done
    kill -KILL -- "-$child" 2>/dev/null
    sleep 0.5
}

trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
wait "$child"
status=$?
stop
exit "$status"
