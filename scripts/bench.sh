#!/usr/bin/env bash
# Benchmarks of the four services' hot paths over HTTP, on SQLite and on PostgreSQL, side
# by side with this machine's ceilings measured in the same run: each service's /healthz
# under the same load, and the database's raw durable insert rate. Writes a results table
# (bench/report.py) with every figure next to its target from issue 7, and prints it.
#
#   scripts/bench.sh            release build, BENCH_DURATION (6) s per case, growth at
#                               1k, 100k and 1M stored credentials; writes bench/results.md
#   scripts/bench.sh --smoke    debug build, 1 s per case, growth at 1k only, passwords at
#                               10k PBKDF2 iterations (the full run: 600k); writes
#                               var/bench-smoke.md (CI runs this: it proves the cases work)
#
# Environment: BENCH_DURATION (seconds per case), BENCH_GROWTH ("1000 100000 1000000"),
# BENCH_DATABASE_URL (PostgreSQL; default TEST_DATABASE_URL or
# postgres://postgres@127.0.0.1:5432/test), BENCH_BACKENDS ("sqlite postgres"),
# BENCH_NO_BUILD=1 (use the binaries already in the target directory), BENCH_PARTS (a
# subset of "ceilings tokens_and_reads swr_reads creates growth", to look at one part
# while working on it; the table then holds only those rows), BENCH_OUT (where to write).
#
# Needs wrk (installed from Debian when missing and running as root), python3, and psql
# for PostgreSQL (PostgreSQL is skipped, and the results say so, when it is unreachable).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" # the wrk scripts load bench/*.lua relative to the repository root

SMOKE=0
[[ "${1:-}" == "--smoke" ]] && SMOKE=1
if ((SMOKE)); then
  PROFILE=debug DURATION="${BENCH_DURATION:-1}" GROWTH="${BENCH_GROWTH:-1000}"
  OUT="${BENCH_OUT:-var/bench-smoke.md}" USERS=3000 POOL=10
  # The smoke proves the login case works: at the production cost one hash of a debug
  # build on slow cores can outlast the whole 1 s case.
  PBKDF2_ITERATIONS=10000
else
  PROFILE=release DURATION="${BENCH_DURATION:-6}" GROWTH="${BENCH_GROWTH:-1000 100000 1000000}"
  # Enough users (2 access keys each) and swr instances (1000 credentials each) that the
  # create cases never reach a quota within one case.
  OUT="${BENCH_OUT:-bench/results.md}" USERS=40000 POOL=400
  # The production password cost, so the login case shows what users get.
  PBKDF2_ITERATIONS=600000
fi
THREADS=2 CONNECTIONS=16 LOGIN_CONNECTIONS=4
PG_URL="${BENCH_DATABASE_URL:-${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}}"
# PostgreSQL runs on these same cores: no TLS on loopback, for the ceiling and the services
# alike (libpq's default, sslmode=prefer, would encrypt every round trip to 127.0.0.1).
if [[ "$PG_URL" != *sslmode=* ]]; then
  [[ "$PG_URL" == *\?* ]] && PG_URL="$PG_URL&sslmode=disable" || PG_URL="$PG_URL?sslmode=disable"
fi
BACKENDS="${BENCH_BACKENDS:-sqlite postgres}"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/bench.XXXXXX")"
RESULTS="$WORK/results.tsv" # one line per measured case, read by bench/report.py
FACTS="$WORK/facts.tsv"     # key, value: machine facts, idle memory, skipped parts
trap 'rm -rf "$WORK"' EXIT
START=$SECONDS

die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
fact() { printf '%s\t%s\n' "$1" "$2" >>"$FACTS"; }

ensure_tools() {
  local missing=()
  command -v wrk >/dev/null || missing+=(wrk)
  command -v psql >/dev/null || missing+=(postgresql-client)
  if ((${#missing[@]})); then
    [[ $(id -u) -eq 0 ]] || die "missing: ${missing[*]}; install them: apt-get install ${missing[*]}"
    echo "==> installing ${missing[*]}"
    (DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; }) >/dev/null
  fi
  command -v python3 >/dev/null || die "python3 is required"
  command -v curl >/dev/null || die "curl is required"
}

build() {
  [[ "${BENCH_NO_BUILD:-}" == 1 ]] && { echo "==> using the $PROFILE binaries already built"; return; }
  local flag=()
  [[ "$PROFILE" == release ]] && flag=(--release)
  echo "==> building the services ($PROFILE)"
  local t=$SECONDS
  cargo build --workspace --bins "${flag[@]}"
  fact build_seconds $((SECONDS - t))
}

machine_facts() {
  fact date "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  fact cpu "$(nproc) cores, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
  fact memory "$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
  fact kernel "$(uname -sr)"
  fact disk "$(df -T "$WORK" | awk 'NR == 2 {print $2 " (" $1 ")"}') for SQLite files and the scratch dir"
  fact rustc "$(rustc --version 2>/dev/null || echo unknown)"
  fact wrk "$(wrk -v 2>&1 | head -n 1 | awk '{print $1, $2}')"
  fact sqlite "$(python3 -c 'import sqlite3; print(sqlite3.sqlite_version)') (Python's, for the ceiling)"
  fact profile "$PROFILE"
  fact duration "$DURATION"
  fact mode "$( ((SMOKE)) && echo smoke || echo full)"
  fact command "make $( ((SMOKE)) && echo bench-smoke || echo bench) (scripts/bench.sh${1:+ $1})"
  # Other work on the machine skews every figure; the load averages let a reader see it.
  fact loadavg_start "$(cut -d' ' -f1-3 /proc/loadavg)"
  fact load "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency --timeout 10s (password login: -c$LOGIN_CONNECTIONS)"
}

# The bound password login cannot beat: PBKDF2-HMAC-SHA256 at the run's iterations on
# every core, timed with OpenSSL via hashlib.
pbkdf2_bound() {
  python3 - "$(nproc)" "$PBKDF2_ITERATIONS" <<'PY' >>"$FACTS"
import hashlib, sys, time
cores, iterations, n = int(sys.argv[1]), int(sys.argv[2]), 3
t = time.perf_counter()
for _ in range(n):
    hashlib.pbkdf2_hmac("sha256", b"Bench-password-1", b"0123456789abcdef", iterations)
per_hash = (time.perf_counter() - t) / n
print(f"pbkdf2_iterations\t{iterations}")
print(f"pbkdf2_ms\t{per_hash * 1000:.1f}")
print(f"pbkdf2_bound\t{cores / per_hash:.2f}")
PY
}

postgres_reachable() {
  command -v psql >/dev/null && psql "$PG_URL" -qAtXc 'SELECT 1' >/dev/null 2>&1
}

# ---------------------------------------------------------------------------- one backend
# Everything below runs in a subshell per backend: stack.sh's exports and its stop trap
# stay there.

# record KEY LABEL SERVICE CONC RATE UNIT P50_MS P99_MS RSS_MIB ERRORS COMMAND
record() {
  local IFS=$'\t'
  echo "$BACKEND	$*" >>"$RESULTS"
}

# Peak RSS per case: clear_refs "5" resets VmHWM, so each case's figure is its own.
rss_reset() { local p; for p in "${PIDS[@]}"; do echo 5 >"/proc/$p/clear_refs" 2>/dev/null || true; done; }
rss_of() { awk -v f="$2" '$1 == f":" {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

# quoted VALUE: VALUE as a shell word for the results' commands: single quotes around
# JSON, double quotes (which keep $NAMES) around a query or spaces.
quoted() {
  case "$1" in
    *\"*) printf "'%s'" "$1" ;;
    *[\&?{}\ ]*) printf '"%s"' "$1" ;;
    *) printf '%s' "$1" ;;
  esac
}

# by_name TEXT: TEXT with the run's ids and paths replaced by the names they came from,
# so the commands in the results read the same for every run and backend.
by_name() {
  local text="$1" name
  text="${text//$WORK\/$BACKEND/\$WORK}"
  for name in IAM_ADMIN_PROJECT_ID BENCH_SWR_LIST_INSTANCE BENCH_SWR_BIG_INSTANCE BENCH_LF_INSTANCE BENCH_AK; do
    [[ -n "${!name:-}" ]] && text="${text//${!name}/\$$name}"
  done
  echo "$text"
}

# settle: wait (at most 15 s) until every service answers /readyz, which takes a database
# connection, within 50 ms. wrk stops at its deadline, but requests already handed to a
# service's blocking pool still run; without this, a slow case (a page over 1M rows)
# would be measured again in the next case's first requests.
settle() {
  local deadline=$((SECONDS + 15)) s t
  for s in iam swr tcr lf; do
    while ((SECONDS < deadline)); do
      t="$(curl -s -o /dev/null -w '%{time_total}' --max-time 5 "${URLS[$s]}/readyz" || echo 9)"
      awk -v t="$t" 'BEGIN {exit !(t < 0.05)}' && break
      sleep 0.2
    done
  done
}

# wrk_case KEY LABEL SERVICE PATH CONC SCRIPT [NAME=VALUE...]: run wrk against SERVICE's
# URL + PATH with bench/SCRIPT and the NAME=VALUE environment, stop on a run with more
# than 1% failed requests, and record requests/s, p50, p99, failures and the service's
# peak RSS.
wrk_case() {
  local key="$1" label="$2" service="$3" path="$4" conc="$5" script="$6"
  shift 6
  local url="${URLS[$service]}$path" out line
  settle
  rss_reset
  if ! out="$(env "$@" BENCH_THREADS="$THREADS" wrk -t"$THREADS" -c"$conc" -d"${DURATION}s" \
    --latency --timeout 10s -s "bench/$script" "$url" 2>&1)"; then
    die "$label: wrk failed: $out"
  fi
  line="$(grep '^BENCH ' <<<"$out")" || die "$label: no summary from wrk: $out"
  local requests duration_us p50_us p99_us status_errors socket_errors app_errors kv exhausted=0
  for kv in ${line#BENCH }; do local "${kv?}"; done
  # wrk divides by the whole case's time even when a thread stopped early.
  ((exhausted)) && label="$label [slots used up early: a lower bound]"
  # A broken case fails nearly every request; a loaded one may fail a few (SQLite's
  # busy_timeout is 5 s). Those few are counted in the table; more than 1% stops the run.
  local errors=$((status_errors + socket_errors + app_errors))
  if ((requests == 0 || errors * 100 > requests)); then
    echo "$out" >&2
    tail -n 20 "$STACK_DIR/log/$service-svc.log" >&2 || true
    die "$label ($BACKEND): $status_errors error answers, $socket_errors socket errors, $app_errors refused actions in $requests requests"
  fi
  local rate p50 p99
  rate="$(awk -v r="$requests" -v d="$duration_us" 'BEGIN {printf "%.1f", r / (d / 1e6)}')"
  p50="$(awk -v v="$p50_us" 'BEGIN {printf "%.3f", v / 1000}')"
  p99="$(awk -v v="$p99_us" 'BEGIN {printf "%.3f", v / 1000}')"
  printf '  %-44s %10s req/s  p50 %8s ms  p99 %8s ms  c=%s%s\n' "$label" "$rate" "$p50" "$p99" "$conc" \
    "$( ((errors)) && echo "  ($errors failed)")"
  # The command as a reader would type it: secrets elided, the service's URL by name.
  local shown=() a
  for a in "$@"; do
    case "$a" in *TOKEN*=* | *_VALUE=* | *SK=* | *SECRET*=* | *BODY=*) shown+=("${a%%=*}=…") ;; *) shown+=("${a%%=*}=$(quoted "${a#*=}")") ;; esac
  done
  local command
  command="wrk -t$THREADS -c$conc -d${DURATION}s --latency --timeout 10s -s bench/$script $(quoted "\$${URL_VAR[$service]}$path")"
  ((${#shown[@]})) && command="${shown[*]} $command"
  record "$key" "$label" "$service" "$conc" "$rate" "req/s" "$p50" "$p99" \
    "$(rss_of "${PID_OF[$service]}" VmHWM)" "$errors" "$(by_name "$command")"
  # Every service's peak in this case, for the memory table (iam-svc also works when
  # swr-svc and tcr-svc check signatures).
  local s
  for s in iam swr tcr lf; do
    printf '%s\t%s\t%s\t%s\n' "$BACKEND" "$s" "$key" "$(rss_of "${PID_OF[$s]}" VmHWM)" >>"$WORK/rss.tsv"
  done
}

# db_case KEY LABEL CONC db.py-ARGS...: a database ceiling, recorded in rows/s.
db_case() {
  local key="$1" label="$2" conc="$3" out
  shift 3
  settle
  out="$(python3 bench/db.py "$@")" || die "$label: db.py $* failed"
  local tx_per_s rows_per_s p50_ms p99_ms kv
  for kv in $out; do local "${kv?}"; done
  printf '  %-44s %10s rows/s (%s tx/s)  p50 %8s ms  p99 %8s ms  c=%s\n' "$label" "$rows_per_s" "$tx_per_s" "$p50_ms" "$p99_ms" "$conc"
  local args="${*//$STACK_DIR/\$STACK_DIR}"
  record "$key" "$label" db "$conc" "$rows_per_s" "rows/s" "$p50_ms" "$p99_ms" "" 0 "python3 bench/db.py ${args//$PG_URL/\$PG_URL}"
}

# shellcheck disable=SC2119 # swr and tcr with their default registry
start_stack() {
  export RUST_LOG=warn # the access log off: the services are measured, not the log file
  export STACK_PROFILE="$PROFILE"
  export IAM__PASSWORDS__PBKDF2_ITERATIONS="$PBKDF2_ITERATIONS"
  # Quotas and rate limits raised for the run; the create cases still spread their work
  # over users and instances (bench/cycle-post.lua).
  export SWR__CREDENTIALS__MAX_PER_USER_PER_INSTANCE=1000
  export TCR__RATE_LIMITS__CREATE_INSTANCE_TOKEN_PER_SECOND=1000000 TCR__RATE_LIMITS__OTHER_PER_SECOND=1000000
  # As many connections as the load has (and as the PostgreSQL ceiling uses clients).
  local svc
  for svc in IAM SWR TCR LAKEFORMATION; do export "${svc}__DATABASE__POOL_SIZE=$CONNECTIONS"; done
  # shellcheck source=scripts/lib/stack.sh
  . scripts/lib/stack.sh
  stack_init
  trap 'stack_stop' EXIT
  declare -gA PID_OF URLS URL_VAR=([iam]=IAM_URL [swr]=SWR_URL [tcr]=TCR_URL [lf]=LAKEFORMATION_URL)
  stack_start_iam
  PID_OF[iam]="${STACK_PIDS[-1]}" URLS[iam]="$IAM_URL"
  stack_start_lakeformation
  PID_OF[lf]="${STACK_PIDS[-1]}" URLS[lf]="$LAKEFORMATION_URL"
  stack_start_swr
  PID_OF[swr]="${STACK_PIDS[-1]}" URLS[swr]="$SWR_URL"
  stack_start_tcr
  PID_OF[tcr]="${STACK_PIDS[-1]}" URLS[tcr]="$TCR_URL"
  PIDS=("${PID_OF[@]}")
  sleep 1 # let start-up work (revocation feeds, key loading) settle before "idle"
  local s
  for s in iam swr tcr lf; do fact "idle_rss.$BACKEND.$s" "$(rss_of "${PID_OF[$s]}" VmRSS)"; done
}

ceilings() {
  echo "--- ceilings"
  local s
  for s in iam swr tcr lf; do
    wrk_case "healthz.$s" "GET /healthz ($s-svc)" "$s" /healthz "$CONNECTIONS" get.lua
  done
  if [[ "$BACKEND" == sqlite ]]; then
    db_case db.single "SQLite: 1-row transactions" 1 ceiling-sqlite "$STACK_DIR/ceiling.db" "$DURATION" 1
    db_case db.batch "SQLite: 100-row transactions" 1 ceiling-sqlite "$STACK_DIR/ceiling.db" "$DURATION" 100
  else
    db_case db.single1 "PostgreSQL: 1-row transactions" 1 ceiling-pg "$PG_URL" "$DURATION" 1 1
    db_case db.single "PostgreSQL: 1-row transactions" 16 ceiling-pg "$PG_URL" "$DURATION" 1 16
    db_case db.batch "PostgreSQL: 100-row transactions" 1 ceiling-pg "$PG_URL" "$DURATION" 100 1
    db_case db.batch16 "PostgreSQL: 100-row transactions" 16 ceiling-pg "$PG_URL" "$DURATION" 100 16
  fi
}

prepare() {
  mkdir -p "$WORK/$BACKEND"
  python3 bench/setup.py "$WORK/$BACKEND" "$POOL"
  # shellcheck disable=SC1090,SC1091 # written by bench/setup.py
  . "$WORK/$BACKEND/setup.env"
  python3 bench/db.py seed-users "$IAM__DATABASE__URL" "$IAM_ADMIN_USER_ID" "$USERS" "$WORK/$BACKEND/users.txt"
}

tokens_and_reads() {
  echo "--- iam-svc"
  local t=(BENCH_HEADER_NAME=X-Auth-Token BENCH_HEADER_VALUE="$BENCH_TOKEN")
  wrk_case validate "GET /v3/auth/tokens (validate)" iam /v3/auth/tokens "$CONNECTIONS" get.lua \
    "${t[@]}" BENCH_SUBJECT_TOKEN="$BENCH_TOKEN"
  wrk_case read.iam "GET /v3/projects (X-Auth-Token)" iam /v3/projects "$CONNECTIONS" get.lua "${t[@]}"
  wrk_case sigcheck "POST /internal/v1/signature-checks" iam /internal/v1/signature-checks "$CONNECTIONS" post-json.lua \
    BENCH_HEADER_NAME=X-Internal-Token BENCH_HEADER_VALUE="$(cat "$IAM__INTERNAL__CREDENTIAL_FILE")" \
    BENCH_BODY_FILE="$WORK/$BACKEND/check.json"
  wrk_case login "POST /v3/auth/tokens (password)" iam /v3/auth/tokens "$LOGIN_CONNECTIONS" post-json.lua \
    BENCH_BODY_FILE="$WORK/$BACKEND/login.json"
}

swr_reads() {
  echo "--- swr-svc"
  local list="/v2/$IAM_ADMIN_PROJECT_ID/instances/$BENCH_SWR_LIST_INSTANCE/long-term-credentials"
  wrk_case read.swr "GET swr credentials (X-Auth-Token)" swr "$list" "$CONNECTIONS" get.lua \
    BENCH_HEADER_NAME=X-Auth-Token BENCH_HEADER_VALUE="$BENCH_TOKEN"
  wrk_case signed.swr "GET swr credentials (SDK-HMAC-SHA256)" swr "$list" "$CONNECTIONS" sdk-signed-get.lua \
    BENCH_AK="$BENCH_AK" BENCH_SK="$BENCH_SK" BENCH_PROJECT="$IAM_ADMIN_PROJECT_ID"
  wrk_case registry.swr "GET /service/token (Basic, push+pull)" swr "/service/token?$BENCH_SWR_TOKEN_QUERY" "$CONNECTIONS" get.lua \
    BENCH_HEADER_NAME=Authorization BENCH_HEADER_VALUE="$BENCH_SWR_BASIC"
}

# swr_create KEY LABEL RUN: long-term credentials spread over the pool of instances.
swr_create() {
  wrk_case "$1" "$2" swr "" "$CONNECTIONS" cycle-post.lua \
    BENCH_SLOTS_FILE="$WORK/$BACKEND/pool.txt" BENCH_PER_SLOT=1 BENCH_RUN="$3" \
    BENCH_PATH_TEMPLATE="/v2/$IAM_ADMIN_PROJECT_ID/instances/{slot}/long-term-credential" \
    BENCH_BODY_TEMPLATE='{"name": "{name}"}' BENCH_HEADER_NAME=X-Auth-Token BENCH_HEADER_VALUE="$BENCH_TOKEN"
}

creates() {
  echo "--- durable creates"
  wrk_case create.iam "POST iam access keys (2 per user)" iam "" "$CONNECTIONS" cycle-post.lua \
    BENCH_SLOTS_FILE="$WORK/$BACKEND/users.txt" BENCH_PER_SLOT=2 BENCH_WRAP=0 \
    BENCH_PATH_TEMPLATE=/v3.0/OS-CREDENTIAL/credentials \
    BENCH_BODY_TEMPLATE='{"credential": {"user_id": "{slot}"}}' \
    BENCH_HEADER_NAME=X-Auth-Token BENCH_HEADER_VALUE="$BENCH_TOKEN"
  swr_create create.swr "POST swr long-term credentials" 0
  wrk_case create.tcr "tcr CreateInstanceToken (TC3)" tcr / "$CONNECTIONS" tc3-post.lua \
    BENCH_SECRET_ID="$BENCH_AK" BENCH_SECRET_KEY="$BENCH_SK" BENCH_ACTION=CreateInstanceToken BENCH_BODY="$BENCH_TCR_BODY"
  wrk_case create.lf "POST lakeformation credential" lf \
    "/v1/$IAM_ADMIN_PROJECT_ID/instances/$BENCH_LF_INSTANCE/credential" "$CONNECTIONS" post-json.lua \
    BENCH_BODY_FILE="$WORK/$BACKEND/lf-body.json" BENCH_HEADER_NAME=X-Auth-Token BENCH_HEADER_VALUE="$BENCH_TOKEN"
}

# Growth: the growth instance is filled to each size with seeded rows (100 of them the
# admin's, the rest 20 per made-up user); the credentials the create cases made are
# deleted first, so each size is what the table holds when its cases start.
growth() {
  echo "--- growth"
  local have=0 n run=1 t
  local page="/v2/$IAM_ADMIN_PROJECT_ID/instances/$BENCH_SWR_BIG_INSTANCE/long-term-credentials"
  local auth=(BENCH_HEADER_NAME=X-Auth-Token BENCH_HEADER_VALUE="$BENCH_TOKEN")
  for n in $GROWTH; do
    t=$SECONDS
    python3 bench/db.py delete-created "$SWR__DATABASE__URL"
    python3 bench/db.py seed-credentials "$SWR__DATABASE__URL" "$BENCH_SWR_BIG_INSTANCE" "$IAM_ADMIN_USER_ID" "$have" "$n"
    fact "seed_seconds.$BACKEND.$n" $((SECONDS - t))
    echo "  ($n stored credentials, seeded in $((SECONDS - t)) s)"
    have=$n
    wrk_case "growth.list_all.$n" "list page of all, at $n" swr "$page?limit=100&self_only=false" "$CONNECTIONS" get.lua "${auth[@]}"
    wrk_case "growth.list_own.$n" "list page of own, at $n" swr "$page?limit=100" "$CONNECTIONS" get.lua "${auth[@]}"
    swr_create "growth.create.$n" "create, at $n" "$run"
    run=$((run + 1))
  done
}

run_backend() {
  BACKEND="$1"
  if [[ "$BACKEND" == postgres ]]; then
    export TEST_DATABASE_URL="$PG_URL" # stack.sh: a fresh schema per service
  else
    unset TEST_DATABASE_URL
  fi
  echo "==> $BACKEND"
  start_stack
  prepare
  local part
  for part in ${BENCH_PARTS:-ceilings tokens_and_reads swr_reads creates growth}; do
    case "$part" in
      ceilings | tokens_and_reads | swr_reads | creates | growth) "$part" ;;
      *) die "unknown part in BENCH_PARTS: $part" ;;
    esac
  done
}

# In-process microbenchmarks (criterion, crates/credential-core/benches/core.rs): the
# pure rules under the HTTP figures. Full runs only: the smoke leaves them to CI's clippy
# --all-targets, which compiles them.
microbenchmarks() {
  ((SMOKE)) && return
  echo "==> criterion microbenchmarks (credential-core)"
  local t=$SECONDS
  cargo bench -p credential-core --bench core -- --warm-up-time 1 --measurement-time 2 >"$WORK/criterion.txt" ||
    die "cargo bench failed: $(tail -n 20 "$WORK/criterion.txt")"
  # "NAME  time: [low median high]", NAME alone on the line before when it is long.
  awk '/time:/ { line = $0; sub(/^.*time: *\[/, "", line); split(line, v, " ");
                 name = $0; sub(/ *time:.*$/, "", name); if (name == "") name = prev;
                 printf "%s\t%s %s\n", name, v[3], v[4] }
       NF && !/time:/ && !/^ / { prev = $0 }' "$WORK/criterion.txt" >"$WORK/micro.tsv"
  cat "$WORK/micro.tsv"
  fact micro_seconds $((SECONDS - t))
}

# ---------------------------------------------------------------------------- main
ensure_tools
build
machine_facts "${1:-}"
pbkdf2_bound
for backend in $BACKENDS; do
  if [[ "$backend" == postgres ]] && ! postgres_reachable; then
    echo "==> PostgreSQL at $PG_URL is unreachable: skipping it"
    fact skipped "PostgreSQL ($PG_URL unreachable)"
    continue
  fi
  fact backend "$backend"
  [[ "$backend" == postgres ]] && fact postgres "$(psql "$PG_URL" -qAtXc 'SHOW server_version') at $PG_URL (synchronous_commit $(psql "$PG_URL" -qAtXc 'SHOW synchronous_commit'))"
  (run_backend "$backend")
done
microbenchmarks
fact loadavg_end "$(cut -d' ' -f1-3 /proc/loadavg)"
fact wall_seconds $((SECONDS - START))
mkdir -p "$(dirname "$OUT")"
python3 bench/report.py "$RESULTS" "$FACTS" "$WORK/rss.tsv" "$WORK/micro.tsv" >"$OUT"
echo "==> wrote $OUT ($((SECONDS - START)) s)"
echo
cat "$OUT"
