#!/usr/bin/env bash
# Schemathesis against every credential service, each fuzzed from the OpenAPI document it
# serves at GET /openapi.json (docs/openapi/<service>.json), authenticated and signed as the
# SDKs do. tests/schemathesis/README.md says what is checked and why.
#
#   tests/schemathesis/run.sh [--smoke|--full] --summary FILE
#
#   --smoke   a few examples per operation (FUZZ_EXAMPLES, default 15): CI, make fuzz-smoke
#   --full    many examples per operation (FUZZ_EXAMPLES, default 200): make fuzz (default)
#   --summary FILE   where the markdown section "## Schemathesis" goes
#   --no-build       use the binaries already built (scripts/lib/stack.sh says where)
#
# Builds the services (debug), starts iam, lakeformation, swr and tcr on free loopback ports
# in a scratch directory (scripts/lib/stack.sh; on SQLite, or on fresh PostgreSQL schemas
# when TEST_DATABASE_URL is set), installs the pinned packages (requirements.txt) into
# ${SCHEMATHESIS_VENV:-var/schemathesis-venv}, runs the harness's own tests (test_harness.py),
# then pytest on test_fuzz.py, scans the logs
# for panics, writes the summary and stops the services. Exits non-zero on any finding.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
# shellcheck source=../../scripts/lib/stack.sh
. scripts/lib/stack.sh
# shellcheck source=../../scripts/lib/e2e.sh
. scripts/lib/e2e.sh

mode=full
summary=""
build=1
while (($# > 0)); do
  case "$1" in
    --smoke) mode=smoke ;;
    --full) mode=full ;;
    --summary) summary="${2:?--summary needs a file}"; shift ;;
    --no-build) build=0 ;;
    *) echo "usage: tests/schemathesis/run.sh [--smoke|--full] [--no-build] --summary FILE" >&2; exit 2 ;;
  esac
  shift
done
[[ -n "$summary" ]] || { echo "run.sh: --summary FILE is required" >&2; exit 2; }
case "$summary" in /*) ;; *) summary="$ROOT/$summary" ;; esac
mkdir -p "$(dirname "$summary")"
if [[ $mode == smoke ]]; then examples="${FUZZ_EXAMPLES:-15}"; else examples="${FUZZ_EXAMPLES:-200}"; fi

E2E_NAME=schemathesis
# A directory per run, so that runs at the same time keep their results apart; the last
# five are kept.
mkdir -p "$ROOT/var/schemathesis"
work="$(mktemp -d "$ROOT/var/schemathesis/run.$(date -u +%Y%m%dT%H%M%S).XXXX")"
# shellcheck disable=SC2012 # names without spaces, made above
ls -1dt "$ROOT"/var/schemathesis/run.* 2>/dev/null | tail -n +6 | xargs -r rm -rf
results="$work/results.json"
panics="$work/panics.txt"

# Whatever happens, a summary is written: a run that failed before fuzzing says so.
write_summary() {
  "$PY" tests/schemathesis/fuzzlib/report.py --mode "$mode" --examples "$examples" \
    --results "$results" --panics "$panics" >"$summary" 2>"$work/report.err" || {
    { echo "## Schemathesis"; echo; echo "_The run failed before its report: $(tail -n 3 "$work/report.err" 2>/dev/null)_"; } >"$summary"
  }
}

# -- the packages
VENV="${SCHEMATHESIS_VENV:-var/schemathesis-venv}"
case "$VENV" in /*) ;; *) VENV="$ROOT/$VENV" ;; esac
PY="$VENV/bin/python"
[[ -x "$PY" ]] || "${PYTHON:-python3}" -m venv "$VENV"
"$PY" -m pip install -q --disable-pip-version-check -r tests/schemathesis/requirements.txt
if [[ -n "${TEST_DATABASE_URL:-}" ]]; then
  # The state check reads the services' PostgreSQL schemas.
  "$PY" -m pip install -q --disable-pip-version-check -r tests/schemathesis/requirements-postgres.txt
fi

if ((build)); then
  echo "==> building the services (debug)"
  cargo build -p iam-svc -p lakeformation-svc -p swr-svc -p tcr-svc
fi

exec 3>&1 4>&2
finish() {
  local status=$?
  trap - EXIT INT TERM
  exec 1>&3 2>&4
  if [[ -n "${STACK_DIR:-}" && -d "${STACK_DIR:-}/log" ]]; then
    grep -H "panicked" "$STACK_DIR"/log/*.log >"$panics" 2>/dev/null || true
  fi
  write_summary
  if [[ -s "$panics" ]]; then status=1; fi
  if ((status != 0)); then stack_dump_logs 2>&1 | tail -n 120 >&2 || true; fi
  stack_stop
  echo "schemathesis: summary in ${summary#"$ROOT"/}"
  exit "$status"
}
trap finish EXIT
trap 'exit 130' INT TERM

# The fuzzer sends thousands of logins with wrong passwords from 127.0.0.1: with the
# default budget per address it would lock its own identity's logins out. The limit itself
# is tested by iam-svc's tests and tests/reliability. Likewise tcr-svc's per-account rate
# (20 a second by default) would answer most fuzzed actions RequestLimitExceeded, and its
# service-account password hashing runs at a test strength, as iam-svc's does in the stack.
export IAM__LOGIN_LIMITS__MAX_FAILURES_PER_ADDRESS=1000000
export TCR__RATE_LIMITS__OTHER_PER_SECOND=100000 TCR__RATE_LIMITS__CREATE_INSTANCE_TOKEN_PER_SECOND=100000
export TCR__SERVICE_ACCOUNTS__PBKDF2_ITERATIONS="${TCR__SERVICE_ACCOUNTS__PBKDF2_ITERATIONS:-10000}"

echo "==> the harness's own tests"
(cd tests/schemathesis && "$PY" -m pytest -q -p no:cacheprovider -o addopts="" test_harness.py)

stack_init
echo "==> starting iam-svc, lakeformation-svc, swr-svc and tcr-svc in $STACK_DIR"
stack_start_iam
stack_start_lakeformation
stack_start_swr
stack_start_tcr
export STACK_DIR IAM__DATABASE__URL LAKEFORMATION__DATABASE__URL SWR__DATABASE__URL TCR__DATABASE__URL
export FUZZ_EXAMPLES="$examples" FUZZ_RESULTS="$results"
# The full run explores anew each time; the smoke (CI) sends the same examples every run,
# so a red CI names a change, not a draw (FUZZ_SEED picks another set).
if [[ $mode == full ]]; then
  export FUZZ_COVERAGE=1
else
  export FUZZ_DERANDOMIZE=1 FUZZ_SEED="${FUZZ_SEED:-1}"
fi
export NO_PROXY="${NO_PROXY:+${NO_PROXY},}127.0.0.1,localhost" no_proxy="${no_proxy:+${no_proxy},}127.0.0.1,localhost"

echo "==> schemathesis ($mode: $examples examples per operation)"
started=$SECONDS
(cd tests/schemathesis && "$PY" -m pytest -q -p no:cacheprovider -o addopts="" test_fuzz.py) \
  >"$work/pytest.log" 2>&1 || true
echo "==> fuzzed in $((SECONDS - started)) s (pytest output: ${work#"$ROOT"/}/pytest.log)"
tail -n 5 "$work/pytest.log"
[[ -s "$results" ]] || e2e_die "pytest wrote no results (see ${work#"$ROOT"/}/pytest.log)"
"$PY" tests/schemathesis/fuzzlib/report.py --check --results "$results"
