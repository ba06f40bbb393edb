#!/usr/bin/env bash
# Run the Huawei Cloud SDK tests (tests/sdk/*.py) and the runnable examples of the docs
# (docs/examples) against fresh services (iam, lakeformation, swr, tcr) of this work tree.
#
#   scripts/sdk-test.sh
#
# Builds the services (debug), starts them on free loopback ports in a temporary directory
# (scripts/lib/stack.sh), makes a second domain (account) with an admin of its own for the
# tests of what one account cannot do to another's (scripts/lib/e2e.sh; exported as
# IAM_OTHER_DOMAIN, IAM_OTHER_USER, IAM_OTHER_PASSWORD, IAM_OTHER_PROJECT_ID), runs every
# test (Python ones through tests/sdk/run.sh, shell ones with bash: tccli's and the Node.js
# SDK's, tests/sdk/node/run.sh, among them), reports each, and stops
# the services. With TEST_DATABASE_URL=postgres://... each service uses a fresh schema in
# that database. The logs are printed on failure.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=lib/stack.sh
. scripts/lib/stack.sh
# shellcheck source=lib/e2e.sh
. scripts/lib/e2e.sh

# tests/sdk/*common.py is the tests' shared code, not a test; tests/sdk/run.sh their runner.
TESTS=()
for t in tests/sdk/*.py tests/sdk/*.sh tests/sdk/node/run.sh docs/examples/*.py docs/examples/*.sh; do
  [[ "$t" == tests/sdk/*common.py || "$t" == tests/sdk/run.sh ]] || TESTS+=("$t")
done
passed=0
failed=()

command -v python3 >/dev/null || stack_die "python3 is required for the SDK tests (apt-get install python3 python3-venv)"
command -v curl >/dev/null || stack_die "curl is required"

echo "==> building the services (debug)"
cargo build -p iam-svc -p lakeformation-svc -p swr-svc -p tcr-svc

# The original stdout and stderr, for the EXIT trap.
exec 3>&1 4>&2
finish() {
  local status=$?
  trap - EXIT INT TERM
  exec 1>&3 2>&4
  if ((status != 0)); then stack_dump_logs; fi
  stack_stop
  if ((${#failed[@]} > 0)); then echo "sdk-test: failed: ${failed[*]}"; fi
  echo "sdk: ${passed} passed, $((${#TESTS[@]} - passed)) failed"
  exit "$status"
}
trap finish EXIT
trap 'exit 130' INT TERM

stack_init
echo "==> starting iam-svc, lakeformation-svc, swr-svc and tcr-svc in $STACK_DIR"
stack_start_iam
E2E_NAME=sdk-test
e2e_second_domain sdk-other
export IAM_OTHER_DOMAIN=sdk-other IAM_OTHER_USER="$E2E_DOMAIN2_USER" IAM_OTHER_PASSWORD="$E2E_DOMAIN2_PASSWORD" \
  IAM_OTHER_PROJECT_ID="$E2E_DOMAIN2_PROJECT_ID"
stack_start_lakeformation
stack_start_swr
stack_start_tcr

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
