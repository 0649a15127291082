# Shared by the scripts/install-*.sh test-prerequisite installers: source it, do not run it.

# apt_install PACKAGE MISSING: install Debian's PACKAGE quietly as root or with passwordless sudo.
# MISSING says what the calling script did not find. Exits 1 with apt-get's output on failure,
# or with the command to run when it has no root. Messages go to stderr, prefixed with the script.
apt_install() {
    local package=$1 missing=$2 name
    name=$(basename "$0" .sh)
    local sudo=()
    if [[ "$(id -u)" -ne 0 ]]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo=(sudo -n)
        else
            echo "$name: $missing and installing it needs root:" \
                "run 'sudo scripts/$name.sh' (or apt-get install $package)" >&2
            exit 1
        fi
    fi
    echo "$name: installing Debian $package ..." >&2
    local log status=0
    log=$(mktemp)
    {
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
            && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
                apt-get install -y -qq --no-install-recommends "$package"
    } >"$log" 2>&1 || status=$?
    if [[ $status -ne 0 ]]; then
        cat "$log" >&2
    fi
    rm -f "$log"
    if [[ $status -ne 0 ]]; then
        echo "$name: apt-get could not install $package (see above)" >&2
        exit 1
    fi
}
