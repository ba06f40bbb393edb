#!/usr/bin/env bash
# The fault suite: build the services (debug), make sure what the scenarios drive is here
# (haproxy for the replica scenarios, sqlite3 and psql to read the databases, PostgreSQL
# running), then run every scenario of tests/reliability/scenarios on SQLite and on
# PostgreSQL and write bench/reliability.md.
#
#   tests/reliability/run.sh [--only NAME ...] [--backends sqlite,postgres]
#
# PostgreSQL is TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); each
# scenario uses fresh schemas there and drops them. Missing Debian packages are installed
# when running as root (CI); otherwise the script names them and stops.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"

missing=()
command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
command -v sqlite3 >/dev/null 2>&1 || missing+=(sqlite3)
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if ((${#missing[@]} > 0)); then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing ${missing[*]}"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    echo "reliability: missing ${missing[*]} (apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi
psql "$TEST_DATABASE_URL" -qtAc "SELECT 1" >/dev/null ||
  { echo "reliability: PostgreSQL does not answer at $TEST_DATABASE_URL" >&2; exit 1; }

echo "==> building the services (debug)"
cargo build -p iam-svc -p lakeformation-svc -p swr-svc -p tcr-svc --bins

# The services run locally: never send their traffic through an HTTP proxy.
export NO_PROXY="${NO_PROXY:+${NO_PROXY},}127.0.0.1,localhost"
export no_proxy="$NO_PROXY"
# A thousand client sockets for the hostile-client scenario.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
exec python3 tests/reliability/main.py "$@"
