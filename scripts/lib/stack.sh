# Start the credential services of this work tree in a scratch directory, for tests.
# Source it, then:
#
#   stack_init            make $STACK_DIR (keys, logs, env file) and pick databases
#   stack_start_iam       migrate, bootstrap and serve iam-svc; exports IAM_* from its env file
#   stack_start_lakeformation  serve lakeformation-svc; exports LAKEFORMATION_URL (start it
#                         before swr-svc and tcr-svc, which then accept its temporary keys)
#   stack_start_swr [SERVICE ADDRESS]  serve swr-svc against that iam-svc; exports SWR_URL.
#                         SERVICE and ADDRESS (registry.service, registry.address) name the
#                         registry every instance fronts (default: swr-svc's configuration)
#   stack_start_tcr [SERVICE ADDRESS]  serve tcr-svc likewise; exports TCR_URL
#   stack_stop            stop what was started, drop test schemas, remove $STACK_DIR
#   stack_dump_logs       print the services' logs (after a failure)
#
# With TEST_DATABASE_URL=postgres://... every service gets a fresh schema of its own
# (created with psql, dropped by stack_stop) instead of a SQLite file in $STACK_DIR.
# Binaries come from ${CARGO_TARGET_DIR:-target}/${STACK_PROFILE:-debug}.

STACK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STACK_PIDS=()
STACK_READY_TIMEOUT="${STACK_READY_TIMEOUT:-30}"

stack_die() { printf 'stack: %s\n' "$*" >&2; exit 1; }

# A free local port not handed out before in this stack. A port is reserved only once a
# process listens on it, and the kernel may offer a just-released one again: two services
# given one port would leave the second one's /readyz answered by the first. It runs in
# $(...), so the ports handed out are listed in $STACK_DIR/ports.
stack_free_port() {
  python3 - "${STACK_DIR:+$STACK_DIR/ports}" <<'PY'
import socket, sys
path = sys.argv[1]
taken = set()
if path:
    try:
        with open(path) as f:
            taken = {int(line) for line in f if line.strip()}
    except FileNotFoundError:
        pass
while True:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    if port not in taken:
        break
if path:
    with open(path, "a") as f:
        f.write(f"{port}\n")
print(port)
PY
}

stack_bin() {
  local dir="${CARGO_TARGET_DIR:-$STACK_ROOT/target}/${STACK_PROFILE:-debug}"
  case "$dir" in /*) ;; *) dir="$STACK_ROOT/$dir" ;; esac
  echo "$dir/$1"
}

stack_init() {
  STACK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/credential-stack.XXXXXX")"
  mkdir -p "$STACK_DIR/keys" "$STACK_DIR/log"
  STACK_ENV_FILE="$STACK_DIR/stack.env"
  # Chosen now: iam-svc, started first, sends requests with security tokens to
  # lakeformation-svc and lists every service's address in its catalog.
  STACK_LAKEFORMATION_PORT="$(stack_free_port)"
  STACK_SWR_PORT="$(stack_free_port)"
  STACK_TCR_PORT="$(stack_free_port)"
}

# stack_database NAME: a database URL of its own for service NAME. It runs in $(...), so
# the schemas it makes are listed in $STACK_DIR/schemas (a variable would not survive).
stack_database() {
  if [[ -n "${TEST_DATABASE_URL:-}" ]]; then
    command -v psql >/dev/null || stack_die "TEST_DATABASE_URL is set but psql is missing (apt-get install postgresql-client)"
    local schema sep='?'
    schema="stack_$1_$(python3 -c 'import secrets; print(secrets.token_hex(5))')"
    psql "$TEST_DATABASE_URL" -v ON_ERROR_STOP=1 -qc "CREATE SCHEMA $schema" >/dev/null ||
      stack_die "cannot create a schema in TEST_DATABASE_URL"
    echo "$schema" >>"$STACK_DIR/schemas"
    [[ "$TEST_DATABASE_URL" == *\?* ]] && sep='&'
    echo "${TEST_DATABASE_URL}${sep}options=-csearch_path%3D${schema}"
  else
    echo "sqlite://$STACK_DIR/$1.db"
  fi
}

# stack_wait_ready NAME URL PID
stack_wait_ready() {
  local deadline=$((SECONDS + STACK_READY_TIMEOUT))
  until curl -fsS -o /dev/null --max-time 2 "$2/readyz" 2>/dev/null; do
    kill -0 "$3" 2>/dev/null || stack_die "$1 exited before it was ready (log: $STACK_DIR/log/$1.log)"
    ((SECONDS < deadline)) || stack_die "$1 not ready at $2/readyz after ${STACK_READY_TIMEOUT}s"
    sleep 0.2
  done
}

stack_start_iam() {
  local port bin
  port="$(stack_free_port)"
  bin="$(stack_bin iam-svc)"
  export IAM__SERVER__HOST=127.0.0.1 IAM__SERVER__PORT="$port" IAM__PUBLIC_URL="http://127.0.0.1:$port"
  export IAM__PASSWORDS__PBKDF2_ITERATIONS="${IAM__PASSWORDS__PBKDF2_ITERATIONS:-10000}"
  export IAM__TOKENS__SIGNING_KEY_FILE="$STACK_DIR/keys/iam-token-signing.keys"
  export IAM__INTERNAL__CREDENTIAL_FILE="$STACK_DIR/keys/internal-credential"
  export IAM__ACCESS_KEYS__MASTER_KEY_FILE="$STACK_DIR/keys/iam-master.keys"
  export IAM__LAKEFORMATION__URL="http://127.0.0.1:$STACK_LAKEFORMATION_PORT"
  export IAM__CATALOG__LAKEFORMATION_URL="http://127.0.0.1:$STACK_LAKEFORMATION_PORT"
  export IAM__CATALOG__SWR_URL="http://127.0.0.1:$STACK_SWR_PORT"
  export IAM__CATALOG__TCR_URL="http://127.0.0.1:$STACK_TCR_PORT"
  IAM__DATABASE__URL="$(stack_database iam)"
  export IAM__DATABASE__URL
  local log="$STACK_DIR/log/iam-svc.log"
  (cd "$STACK_DIR" && "$bin" gen-keys && "$bin" bootstrap --env-file "$STACK_ENV_FILE") >>"$log" 2>&1 ||
    stack_die "iam-svc bootstrap failed (log: $log)"
  (cd "$STACK_DIR" && exec "$bin" serve) >>"$log" 2>&1 &
  STACK_PIDS+=($!)
  stack_wait_ready iam-svc "$IAM__PUBLIC_URL" "$!"
  set -a
  # shellcheck disable=SC1090
  . "$STACK_ENV_FILE"
  set +a
}

stack_start_lakeformation() {
  local port="$STACK_LAKEFORMATION_PORT" bin
  bin="$(stack_bin lakeformation-svc)"
  export LAKEFORMATION__SERVER__HOST=127.0.0.1 LAKEFORMATION__SERVER__PORT="$port"
  export LAKEFORMATION__IAM__URL="$IAM_URL"
  export LAKEFORMATION__IAM__INTERNAL_CREDENTIAL_FILE="$IAM__INTERNAL__CREDENTIAL_FILE"
  export LAKEFORMATION__CREDENTIALS__SEALING_KEY_FILE="$STACK_DIR/keys/lakeformation-sealing.keys"
  LAKEFORMATION__DATABASE__URL="$(stack_database lakeformation)"
  export LAKEFORMATION__DATABASE__URL
  (cd "$STACK_DIR" && exec "$bin" serve) >>"$STACK_DIR/log/lakeformation-svc.log" 2>&1 &
  STACK_PIDS+=($!)
  export LAKEFORMATION_URL="http://127.0.0.1:$port"
  stack_wait_ready lakeformation-svc "$LAKEFORMATION_URL" "$!"
  echo "LAKEFORMATION_URL='$LAKEFORMATION_URL'" >>"$STACK_ENV_FILE"
}

# stack_start_swr [REGISTRY_SERVICE REGISTRY_ADDRESS]
stack_start_swr() {
  local port="$STACK_SWR_PORT" bin
  bin="$(stack_bin swr-svc)"
  export SWR__SERVER__HOST=127.0.0.1 SWR__SERVER__PORT="$port"
  export SWR__IAM__URL="$IAM_URL" SWR__IAM__INTERNAL_CREDENTIAL_FILE="$IAM__INTERNAL__CREDENTIAL_FILE"
  export SWR__LAKEFORMATION__URL="${LAKEFORMATION_URL:-}"
  export SWR__REGISTRY__SIGNING_KEY_FILE="$STACK_DIR/keys/swr-registry-token.key"
  export SWR__REGISTRY__CERTIFICATE_FILE="$STACK_DIR/keys/swr-registry-token.crt"
  [[ -n "${1:-}" ]] && export SWR__REGISTRY__SERVICE="$1"
  [[ -n "${2:-}" ]] && export SWR__REGISTRY__ADDRESS="$2"
  SWR__DATABASE__URL="$(stack_database swr)"
  export SWR__DATABASE__URL
  (cd "$STACK_DIR" && exec "$bin" serve) >>"$STACK_DIR/log/swr-svc.log" 2>&1 &
  STACK_PIDS+=($!)
  export SWR_URL="http://127.0.0.1:$port"
  stack_wait_ready swr-svc "$SWR_URL" "$!"
  echo "SWR_URL='$SWR_URL'" >>"$STACK_ENV_FILE"
}

# stack_start_tcr [REGISTRY_SERVICE REGISTRY_ADDRESS]
stack_start_tcr() {
  local port="$STACK_TCR_PORT" bin
  bin="$(stack_bin tcr-svc)"
  export TCR__SERVER__HOST=127.0.0.1 TCR__SERVER__PORT="$port"
  # Its names: a request signed for any other host is refused.
  export TCR__API__HOSTS="127.0.0.1:$port,localhost:$port"
  export TCR__IAM__URL="$IAM_URL" TCR__IAM__INTERNAL_CREDENTIAL_FILE="$IAM__INTERNAL__CREDENTIAL_FILE"
  export TCR__LAKEFORMATION__URL="${LAKEFORMATION_URL:-}"
  export TCR__REGISTRY__SIGNING_KEY_FILE="$STACK_DIR/keys/tcr-registry-token.key"
  export TCR__REGISTRY__CERTIFICATE_FILE="$STACK_DIR/keys/tcr-registry-token.crt"
  [[ -n "${1:-}" ]] && export TCR__REGISTRY__SERVICE="$1"
  [[ -n "${2:-}" ]] && export TCR__REGISTRY__ADDRESS="$2"
  TCR__DATABASE__URL="$(stack_database tcr)"
  export TCR__DATABASE__URL
  (cd "$STACK_DIR" && exec "$bin" serve) >>"$STACK_DIR/log/tcr-svc.log" 2>&1 &
  STACK_PIDS+=($!)
  export TCR_URL="http://127.0.0.1:$port"
  stack_wait_ready tcr-svc "$TCR_URL" "$!"
  echo "TCR_URL='$TCR_URL'" >>"$STACK_ENV_FILE"
}

stack_dump_logs() {
  local f
  for f in "$STACK_DIR"/log/*.log; do
    [[ -s "$f" ]] || continue
    echo "---- $(basename "$f") (last 200 lines) ----" >&2
    tail -n 200 "$f" | cut -c1-400 >&2
  done
}

stack_stop() {
  local p s
  for p in "${STACK_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${STACK_PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  [[ -f "${STACK_DIR:-}/schemas" ]] && while read -r s; do
    PGOPTIONS=--client-min-messages=warning \
      psql "$TEST_DATABASE_URL" -qc "DROP SCHEMA IF EXISTS $s CASCADE" >/dev/null 2>&1 ||
      echo "stack: could not drop schema $s" >&2
  done <"$STACK_DIR/schemas"
  [[ -n "${STACK_DIR:-}" ]] && rm -rf "$STACK_DIR"
}
