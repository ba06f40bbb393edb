#!/usr/bin/env bash
# Run the Huawei Cloud and Tencent Cloud Python SDK compatibility tests against a running
# iam-svc (and swr-svc, tcr-svc).
#
#   tests/sdk/run.sh [test.py ...]      (default: every tests/sdk/*.py but *common.py)
#
# Creates/reuses a virtualenv at ${SDK_VENV:-var/sdk-venv} (relative to the repo root),
# installs the pinned SDK into it and runs each test with that venv's python.
# The tests read IAM_URL, IAM_ADMIN_* from the environment (see var/local-stack.env);
# swr_credentials.py also reads SWR_URL; lakeformation_credentials.py reads SWR_URL and
# LAKEFORMATION_URL; lakeformation_instances.py reads LAKEFORMATION_URL; tcr_tokens.py
# reads TCR_URL; iam_security_tokens.py reads SWR_URL and TCR_URL; the namespace and service-account tests
# (swr_namespaces.py, tcr_namespaces.py, tcr_service_accounts.py) read SWR_URL or TCR_URL,
# and the TCR ones IAM_OTHER_* too (another account's admin, which scripts/sdk-test.sh
# makes). A missing one fails the test (exit 2).
# common.py (and trust_common.py) is what the tests share (environment, admin login and
# access key), not a test.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$(dirname "$SCRIPT_DIR")")"

SDK_CORE_VERSION="3.1.219"
SDK_IAM_VERSION="3.1.219"
SDK_SWR_VERSION="3.1.219"
SDK_LAKEFORMATION_VERSION="3.1.219"
TC_SDK_COMMON_VERSION="3.1.195"
TC_SDK_TCR_VERSION="3.1.189"
OPENAPI_SPEC_VALIDATOR_VERSION="0.9.0"

VENV="${SDK_VENV:-var/sdk-venv}"
case "$VENV" in
  /*) ;;
  *) VENV="$ROOT/$VENV" ;;
esac
PY="$VENV/bin/python"

if [[ ! -x "$PY" ]]; then
  mkdir -p "$(dirname "$VENV")"
  "${PYTHON:-python3}" -m venv "$VENV"
fi
"$PY" -m pip install -q --disable-pip-version-check \
  "huaweicloudsdkcore==${SDK_CORE_VERSION}" "huaweicloudsdkiam==${SDK_IAM_VERSION}" \
  "huaweicloudsdkswr==${SDK_SWR_VERSION}" \
  "huaweicloudsdklakeformation==${SDK_LAKEFORMATION_VERSION}" \
  "tencentcloud-sdk-python-common==${TC_SDK_COMMON_VERSION}" \
  "tencentcloud-sdk-python-tcr==${TC_SDK_TCR_VERSION}" \
  "openapi-spec-validator==${OPENAPI_SPEC_VALIDATOR_VERSION}"

# The service runs locally: never send its traffic through an HTTP proxy.
export NO_PROXY="${NO_PROXY:+${NO_PROXY},}127.0.0.1,localhost"
export no_proxy="${no_proxy:+${no_proxy},}127.0.0.1,localhost"

tests=()
if [[ $# -eq 0 ]]; then
  for t in "$SCRIPT_DIR"/*.py; do
    [[ "$(basename "$t")" == *common.py ]] || tests+=("$t")
  done
else
  for arg in "$@"; do
    if [[ -f "$arg" ]]; then tests+=("$arg")
    elif [[ -f "$ROOT/$arg" ]]; then tests+=("$ROOT/$arg")
    elif [[ -f "$SCRIPT_DIR/$arg" ]]; then tests+=("$SCRIPT_DIR/$arg")
    else echo "run.sh: test not found: $arg" >&2; exit 2
    fi
  done
fi

failed=0
for t in "${tests[@]}"; do
  echo "== $(basename "$t")"
  if ! "$PY" "$t"; then
    echo "== FAILED: $(basename "$t")" >&2
    failed=$((failed + 1))
  fi
done

if [[ $failed -ne 0 ]]; then
  echo "run.sh: $failed of ${#tests[@]} test(s) failed" >&2
  exit 1
fi
echo "run.sh: ${#tests[@]} test(s) passed"
