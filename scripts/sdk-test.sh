#!/usr/bin/env bash
# Run the Huawei Cloud SDK tests (tests/sdk/*.py) and the runnable examples of the docs
# (docs/examples) against a fresh iam-svc of this work tree.
#
#   scripts/sdk-test.sh
#
# Builds iam-svc (debug), starts it on a free loopback port with its own temporary
# directory (database, keys, env file), bootstraps it, runs every test (Python ones through
# tests/sdk/run.sh, shell ones with bash), reports each, and stops the service.
# With TEST_DATABASE_URL=postgres://... the service uses a fresh schema in that database
# (created with psql, dropped at exit) instead of a temporary SQLite file.
# The service log is printed when anything fails.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

TESTS=(tests/sdk/*.py docs/examples/*.py docs/examples/*.sh)
READY_TIMEOUT="${READY_TIMEOUT:-30}"
BIN="${CARGO_TARGET_DIR:-target}/debug/iam-svc"
case "$BIN" in /*) ;; *) BIN="$ROOT/$BIN" ;; esac

die() { printf 'sdk-test: %s\n' "$*" >&2; exit 1; }

command -v python3 >/dev/null || die "python3 is required for the SDK tests (apt-get install python3 python3-venv)"
command -v curl >/dev/null || die "curl is required"

echo "==> building iam-svc (debug)"
cargo build -p iam-svc

WORK="$(mktemp -d "${TMPDIR:-/tmp}/iam-sdk-test.XXXXXX")"
LOG="$WORK/iam-svc.log"
ENV_FILE="$WORK/stack.env"
pid=""
schema=""
passed=0
failed=()

# The original stdout and stderr: a failing command exits with its redirections (into the
# log) still in force, and the EXIT trap must not write into the log.
exec 3>&1 4>&2

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  exec 1>&3 2>&4
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  [[ -n "$pid" ]] && { wait "$pid" 2>/dev/null || true; }
  if ((status != 0)) && [[ -s "$LOG" ]]; then
    # Kept whole for a closer look; shown with long lines (backtraces) shortened.
    mkdir -p "$ROOT/var/log"
    cp "$LOG" "$ROOT/var/log/sdk-test-iam-svc.log"
    echo "---- iam-svc log (last 300 lines; all of it: var/log/sdk-test-iam-svc.log) ----" >&2
    tail -n 300 "$LOG" | cut -c1-400 >&2
    echo "---- end of iam-svc log ----" >&2
  fi
  if [[ -n "$schema" ]]; then
    PGOPTIONS=--client-min-messages=warning \
      psql "$TEST_DATABASE_URL" -v ON_ERROR_STOP=1 -qc "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null ||
      echo "sdk-test: could not drop schema $schema" >&2
  fi
  rm -rf "$WORK"
  if ((${#failed[@]} > 0)); then
    echo "sdk-test: failed: ${failed[*]}"
  fi
  echo "sdk: ${passed} passed, $((${#TESTS[@]} - passed)) failed"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
URL="http://127.0.0.1:$PORT"

export IAM__SERVER__HOST=127.0.0.1
export IAM__SERVER__PORT="$PORT"
export IAM__PUBLIC_URL="$URL"
export IAM__PASSWORDS__PBKDF2_ITERATIONS=10000
export IAM__TOKENS__SIGNING_KEY_FILE="$WORK/keys/iam-token-signing.keys"
export IAM__INTERNAL__CREDENTIAL_FILE="$WORK/keys/internal-credential"
export IAM__ACCESS_KEYS__MASTER_KEY_FILE="$WORK/keys/iam-master.keys"
mkdir -p "$WORK/keys"

if [[ -n "${TEST_DATABASE_URL:-}" ]]; then
  command -v psql >/dev/null || die "TEST_DATABASE_URL is set but psql is missing (apt-get install postgresql-client)"
  schema="sdk_$(python3 -c 'import secrets; print(secrets.token_hex(6))')"
  psql "$TEST_DATABASE_URL" -v ON_ERROR_STOP=1 -qc "CREATE SCHEMA $schema" >/dev/null ||
    { schema=""; die "cannot create a schema in TEST_DATABASE_URL"; }
  sep='?'
  [[ "$TEST_DATABASE_URL" == *\?* ]] && sep='&'
  export IAM__DATABASE__URL="${TEST_DATABASE_URL}${sep}options=-csearch_path%3D${schema}"
  echo "==> database: PostgreSQL, schema $schema"
else
  export IAM__DATABASE__URL="sqlite://$WORK/iam.db"
  echo "==> database: SQLite, $WORK/iam.db"
fi

# The service runs in the temporary directory, so any relative default path lands there too.
run_iam() { (cd "$WORK" && "$BIN" "$@"); }

echo "==> iam-svc migrate, gen-keys, bootstrap"
run_iam migrate >>"$LOG" 2>&1
run_iam gen-keys >>"$LOG" 2>&1
# bootstrap prints the admin password; it goes to the log only, which is in $WORK.
run_iam bootstrap --env-file "$ENV_FILE" >>"$LOG" 2>&1
[[ -f "$ENV_FILE" ]] || die "iam-svc bootstrap did not write $ENV_FILE"

echo "==> iam-svc serve on $URL"
(cd "$WORK" && exec "$BIN" serve) >>"$LOG" 2>&1 &
pid=$!

deadline=$((SECONDS + READY_TIMEOUT))
until curl -fsS -o /dev/null --max-time 2 "$URL/readyz" 2>/dev/null; do
  kill -0 "$pid" 2>/dev/null || die "iam-svc exited before it was ready"
  ((SECONDS < deadline)) || die "iam-svc not ready at $URL/readyz after ${READY_TIMEOUT}s"
  sleep 0.2
done

set -a
# shellcheck disable=SC1090
. "$ENV_FILE"
set +a
[[ "${IAM_URL:-}" == "$URL" ]] ||
  die "$ENV_FILE says IAM_URL='${IAM_URL:-}', but the service listens on $URL"

# Every test runs, also after a failure; none is retried.
for t in "${TESTS[@]}"; do
  echo "==> $t"
  case "$t" in
    *.py) runner=(bash tests/sdk/run.sh "$t") ;;
    *) runner=(bash "$t") ;;
  esac
  if "${runner[@]}"; then
    passed=$((passed + 1))
  else
    echo "==> FAILED: $t" >&2
    failed+=("$t")
  fi
done
((${#failed[@]} == 0))
