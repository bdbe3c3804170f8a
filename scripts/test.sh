#!/usr/bin/env bash
# `make test`: run the test suite, with a throwaway PostgreSQL server for the tests marked `postgres`.
#
#   bash scripts/test.sh [pytest arguments...]
#
# 1. Finds PostgreSQL's server programs (pg_ctl, initdb, postgres) on PATH or in /usr/lib/postgresql/*/bin;
#    when there are none, and we are root on a machine with apt-get, installs Debian's `postgresql` package.
# 2. Starts a cluster of its own in a fresh temporary folder: 127.0.0.1 only, on a free port, trust
#    authentication, fsync off; as root it runs the server as the `postgres` system user (PostgreSQL
#    refuses to run as root). It creates the database `linksim_test` and exports
#    LINKSIM_TEST_POSTGRES_URL for the tests.
# 3. Runs `$VENV/bin/python -m pytest "$@"` (VENV defaults to .venv), then always stops the server and
#    deletes the folder, and exits with pytest's exit status.
#
# When PostgreSQL cannot be installed or started, it says why in one line and runs the suite anyway:
# the PostgreSQL tests then skip themselves. When LINKSIM_TEST_POSTGRES_URL is already set, the tests
# use that server and no cluster is started.
#
# Before pytest it also finds a real browser for the UI tests (tests/browser): Debian's Chromium and its
# chromedriver, /usr/bin/chromium and /usr/bin/chromedriver. When either is missing, and we are root on
# a machine with apt-get, it installs Debian's `chromium` and `chromium-driver` packages. It exports
# LINKSIM_CHROMIUM and LINKSIM_CHROMEDRIVER for the tests; when the browser cannot be installed, it says
# why in one line and the browser tests skip themselves. When both variables are already set, the
# tests use those programs and nothing is installed. SE_OFFLINE=true keeps Selenium from downloading anything.

set -uo pipefail

cd "$(dirname "$0")/.." || exit 2

VENV="${VENV:-.venv}"
PYTHON="$VENV/bin/python"
DATABASE=linksim_test
ROLE=postgres
START_TIMEOUT=30

say() { printf 'scripts/test.sh: %s\n' "$*" >&2; }

if [ ! -x "$PYTHON" ]; then
    say "no Python at $PYTHON: run \`make install\` first (or set VENV to a virtualenv with '.[test]' installed)"
    exit 2
fi

is_root() { [ "$(id -u)" -eq 0 ]; }

PG_BIN=""      # the folder holding pg_ctl, initdb and postgres
PG_TMP=""      # the temporary folder: data directory, socket and log
PG_DATA=""
PG_LOG=""
PG_STARTED=0
OUT_FILE=""    # what start_postgres printed

RUNUSER=""     # how root runs a program as $ROLE

# A program by name, on PATH or in the sbin folders a non-login root shell may lack on its PATH.
find_program() {
    command -v "$1" 2>/dev/null && return 0
    local dir
    for dir in /usr/local/sbin /usr/sbin /sbin; do
        [ -x "$dir/$1" ] && { printf '%s\n' "$dir/$1"; return 0; }
    done
    return 1
}

# Run a PostgreSQL program as the user the server runs as, from a folder that user can read.
as_pg() {
    if ! is_root; then
        (cd "$PG_TMP" && "$@")
    elif [ "${RUNUSER##*/}" = runuser ]; then
        (cd "$PG_TMP" && "$RUNUSER" -u "$ROLE" -- "$@")
    else  # su: one command line for a shell
        (cd "$PG_TMP" && "$RUNUSER" -s /bin/sh "$ROLE" -c "$(printf '%q ' "$@")")
    fi
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [ "$PG_STARTED" -eq 1 ] && [ -n "$PG_DATA" ] && [ -f "$PG_DATA/postmaster.pid" ]; then
        as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t "$START_TIMEOUT" stop >/dev/null 2>&1 \
            || as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w -t "$START_TIMEOUT" stop >/dev/null 2>&1
        if [ -f "$PG_DATA/postmaster.pid" ]; then  # still there: kill the postmaster by the pid it wrote
            local pid
            pid="$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null)"
            case "$pid" in
                '' | *[!0-9]*) ;;
                *) kill -KILL "$pid" 2>/dev/null ;;
            esac
        fi
    fi
    if [ -n "$PG_TMP" ] && [ -d "$PG_TMP" ]; then
        rm -rf -- "$PG_TMP"
    fi
    [ -n "$OUT_FILE" ] && rm -f -- "$OUT_FILE"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A folder holding all three server programs, or nothing.
server_bin_of() {
    local dir="$1"
    [ -n "$dir" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/initdb" ] && [ -x "$dir/postgres" ] && printf '%s\n' "$dir"
}

find_postgres() {
    local found dir
    # PATH first: pg_ctl may be a symlink (/usr/local/bin/pg_ctl -> /usr/lib/postgresql/15/bin/pg_ctl),
    # so look for its siblings where it really lives.
    if found="$(command -v pg_ctl 2>/dev/null)"; then
        dir="$(dirname "$(readlink -f "$found")")"
        server_bin_of "$dir" && return 0
        dir="$(dirname "$found")"
        server_bin_of "$dir" && return 0
    fi
    # Debian and Ubuntu keep the server programs off PATH; take the newest version.
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        server_bin_of "$dir" && return 0
    done
    return 1
}

# Installs Debian's packages PKG... for WHAT (a name for messages); prints why not and fails otherwise.
apt_install() {
    local what="$1"; shift
    if ! is_root; then
        echo "$what is not installed (install Debian's $* package(s), or run as root to let this script do it)"
        return 1
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "$what is not installed and there is no apt-get to install it with"
        return 1
    fi
    say "$what is not installed: installing Debian's $* package(s)..."
    local log status=0
    log="$(mktemp)"
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get -o DPkg::Lock::Timeout=60 update -q >"$log" 2>&1 \
        || { status=$?; echo "apt-get update failed ($(last_line "$log" "exit status $status"))"; }
    if [ "$status" -eq 0 ]; then
        DEBIAN_FRONTEND=noninteractive timeout 900 apt-get -o DPkg::Lock::Timeout=60 install -y -q \
                --no-install-recommends "$@" >"$log" 2>&1 \
            || { status=$?; echo "apt-get install $* failed ($(last_line "$log" "exit status $status"))"; }
    fi
    rm -f "$log"
    return "$status"
}

install_postgres() {
    # Keep the package from creating and starting a system-wide cluster of its own (we only need the
    # programs); the drop-in is removed again once the package is in.
    local conf_dir=/etc/postgresql-common/createcluster.d created_dir=0 created_conf=0 status=0
    local no_main_cluster="$conf_dir/linksim-no-main-cluster.conf"
    if is_root && [ ! -d "$conf_dir" ] && mkdir -p "$conf_dir" 2>/dev/null; then
        created_dir=1
    fi
    if is_root && [ ! -e "$no_main_cluster" ] && echo "create_main_cluster = false" >"$no_main_cluster" 2>/dev/null; then
        created_conf=1
    fi
    apt_install PostgreSQL postgresql || status=$?
    [ "$created_conf" -eq 1 ] && rm -f "$no_main_cluster"
    [ "$created_dir" -eq 1 ] && rmdir "$conf_dir" 2>/dev/null
    return "$status"
}

# The last non-blank line of a file, or the given fallback.
last_line() {
    local line
    line="$(grep -v '^[[:space:]]*$' "$1" 2>/dev/null | tail -n 1)"
    printf '%s' "${line:-$2}"
}

ensure_pg_user() {
    is_root || return 0
    id -u "$ROLE" >/dev/null 2>&1 && return 0
    local useradd adduser
    if useradd="$(find_program useradd)"; then
        "$useradd" --system --user-group --no-create-home --home-dir /var/lib/postgresql \
            --shell /bin/sh "$ROLE" >/dev/null 2>&1
    elif adduser="$(find_program adduser)"; then
        "$adduser" --system --group --no-create-home --home /var/lib/postgresql --shell /bin/sh "$ROLE" >/dev/null 2>&1
    fi
    id -u "$ROLE" >/dev/null 2>&1
}

free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# The first FATAL/ERROR line of the server log, to say why it did not start.
log_reason() {
    local line=""
    [ -f "$PG_LOG" ] && line="$(grep -m 1 -E 'FATAL|ERROR|PANIC' "$PG_LOG" 2>/dev/null)"
    [ -z "$line" ] && [ -f "$PG_LOG" ] && line="$(tail -n 1 "$PG_LOG" 2>/dev/null)"
    printf '%s' "${line:-no log}"
}

# Prints the database URL on success; prints why not and fails otherwise.
start_postgres() {
    if ! PG_BIN="$(find_postgres)"; then
        install_postgres || return 1
        if ! PG_BIN="$(find_postgres)"; then
            echo "the postgresql package is installed but pg_ctl, initdb and postgres are nowhere to be found"
            return 1
        fi
    fi
    if is_root; then
        RUNUSER="$(find_program runuser || find_program su)" \
            || { echo "running as root, and there is neither runuser nor su to run the server as $ROLE"; return 1; }
        ensure_pg_user || { echo "running as root, and the $ROLE system user could not be created"; return 1; }
    fi

    local parent="${TMPDIR:-/tmp}"
    is_root && parent=/tmp  # a folder the postgres user can reach
    PG_TMP="$(mktemp -d "$parent/linksim-pg.XXXXXX")" || { echo "cannot create a temporary folder in $parent"; return 1; }
    PG_DATA="$PG_TMP/data"
    PG_LOG="$PG_TMP/server.log"
    if is_root; then
        chown "$ROLE:" "$PG_TMP" || { echo "cannot give $PG_TMP to the $ROLE user"; return 1; }
    fi

    if ! as_pg timeout 120 "$PG_BIN/initdb" -D "$PG_DATA" -U "$ROLE" -A trust -E UTF8 --locale=C -N \
            >"$PG_TMP/initdb.log" 2>&1; then
        echo "initdb failed ($PG_BIN/initdb): $(grep -m 1 -iE 'error|fatal' "$PG_TMP/initdb.log" || tail -n 1 "$PG_TMP/initdb.log")"
        return 1
    fi
    cat >>"$PG_DATA/postgresql.conf" <<EOF

# linksim's throwaway test cluster (scripts/test.sh)
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_TMP'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 50
EOF
    # -A trust already trusts local and 127.0.0.1 connections; say so explicitly all the same.
    cat >"$PG_DATA/pg_hba.conf" <<EOF
local all all trust
host all all 127.0.0.1/32 trust
EOF
    is_root && chown "$ROLE:" "$PG_DATA/pg_hba.conf"
    if is_root; then
        touch "$PG_LOG" && chown "$ROLE:" "$PG_LOG"
    fi

    local attempt port=""
    for attempt in 1 2 3; do
        port="$(free_port)" || { echo "cannot pick a free port with $PYTHON"; return 1; }
        echo "port = $port" >>"$PG_DATA/postgresql.conf"
        PG_STARTED=1
        if as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "$START_TIMEOUT" start >/dev/null 2>&1; then
            break
        fi
        # Another process may have taken the port between our check and the server's bind: try another.
        if [ "$attempt" -eq 3 ] || ! grep -q -i 'could not bind\|address already in use' "$PG_LOG" 2>/dev/null; then
            echo "the server did not start (pg_ctl -w -t ${START_TIMEOUT}): $(log_reason)"
            return 1
        fi
    done

    local createdb_out
    if [ -x "$PG_BIN/createdb" ]; then
        createdb_out="$(as_pg timeout 30 "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U "$ROLE" -w "$DATABASE" 2>&1)" \
            || { echo "createdb $DATABASE failed: $createdb_out"; return 1; }
    else
        createdb_out="$("$PYTHON" - "$port" "$ROLE" "$DATABASE" 2>&1 <<'EOF'
import sys
import psycopg
port, role, database = sys.argv[1:]
with psycopg.connect(host="127.0.0.1", port=int(port), user=role, dbname="postgres",
                     autocommit=True, connect_timeout=10) as conn:
    conn.execute(f'CREATE DATABASE "{database}"')
EOF
        )" || { echo "creating the database $DATABASE failed: $(printf '%s' "$createdb_out" | tail -n 1)"; return 1; }
    fi
    printf 'postgresql+psycopg://%s@127.0.0.1:%s/%s\n' "$ROLE" "$port" "$DATABASE"
}

if [ -n "${LINKSIM_TEST_POSTGRES_URL:-}" ]; then
    say "using the PostgreSQL server in LINKSIM_TEST_POSTGRES_URL (no throwaway cluster started)"
else
    # Run in this shell (not a subshell), so that cleanup knows what to stop and delete.
    OUT_FILE="$(mktemp)"
    if start_postgres >"$OUT_FILE"; then
        LINKSIM_TEST_POSTGRES_URL="$(tail -n 1 "$OUT_FILE")"
        export LINKSIM_TEST_POSTGRES_URL
        say "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') running at $LINKSIM_TEST_POSTGRES_URL"
    else
        say "PostgreSQL unavailable, the PostgreSQL tests will be skipped: $(tail -n 1 "$OUT_FILE")"
        unset LINKSIM_TEST_POSTGRES_URL
    fi
fi

# --- a real browser for the UI tests (tests/browser) ---------------------------------------------------

CHROMIUM=/usr/bin/chromium
CHROMEDRIVER=/usr/bin/chromedriver

# Installs Debian's chromium and chromium-driver; prints why not and fails otherwise.
install_chromium() {
    apt_install Chromium chromium chromium-driver || return
    if [ ! -x "$CHROMIUM" ] || [ ! -x "$CHROMEDRIVER" ]; then
        echo "the chromium packages are installed but $CHROMIUM or $CHROMEDRIVER is missing"
        return 1
    fi
}

if [ -n "${LINKSIM_CHROMIUM:-}" ] && [ -n "${LINKSIM_CHROMEDRIVER:-}" ]; then
    say "using the browser in LINKSIM_CHROMIUM and LINKSIM_CHROMEDRIVER (nothing installed)"
    export LINKSIM_CHROMIUM LINKSIM_CHROMEDRIVER
else
    browser_ok=1
    if [ ! -x "$CHROMIUM" ] || [ ! -x "$CHROMEDRIVER" ]; then
        if ! browser_reason="$(install_chromium)"; then
            browser_ok=0
            say "Chromium unavailable, the browser tests will be skipped: ${browser_reason##*$'\n'}"
        fi
    fi
    if [ "$browser_ok" -eq 1 ]; then
        LINKSIM_CHROMIUM="$CHROMIUM"
        LINKSIM_CHROMEDRIVER="$CHROMEDRIVER"
        export LINKSIM_CHROMIUM LINKSIM_CHROMEDRIVER
        say "$(timeout 30 "$CHROMEDRIVER" --version 2>/dev/null | head -n 1 || echo chromedriver) for $CHROMIUM"
    else
        unset LINKSIM_CHROMIUM LINKSIM_CHROMEDRIVER
    fi
fi
# Selenium must never download a browser or a driver: the tests name both programs.
export SE_OFFLINE=true

"$PYTHON" -m pytest "$@"
exit $?
