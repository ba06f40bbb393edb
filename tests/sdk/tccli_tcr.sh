#!/usr/bin/env bash
# tcr-svc with Tencent's command line client, tccli (pinned below), pointed at it by
# --endpoint alone. tccli always signs TC3 by POST and speaks https unless the endpoint
# names its scheme, so the endpoint is given as http://host:port (tencentcloud-sdk-python
# then sends and signs that text as the Host, which tcr-svc reads past the scheme).
#
# Flow: an access key of the admin (through iam-svc's API), CreateInstance,
# DescribeInstances (a list of ids and a filter), CreateInstanceToken, DeleteInstance;
# then a wrong secret key is refused.
#
# tccli brings the whole tencentcloud-sdk-python, whose tencentcloud.common is another
# release than the one tests/sdk/run.sh pins: it gets a virtualenv of its own,
# ${TCCLI_VENV:-var/tccli-venv}.
#
# Environment: TCR_URL, IAM_URL, IAM_ADMIN_DOMAIN, IAM_ADMIN_USER, IAM_ADMIN_PASSWORD,
# IAM_ADMIN_USER_ID, IAM_ADMIN_PROJECT_ID.
set -euo pipefail

TCCLI_VERSION="3.1.189.1"
TC_SDK_VERSION="3.1.195"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${TCCLI_VENV:-var/tccli-venv}"
[[ "$VENV" == /* ]] || VENV="$ROOT/$VENV"
for name in TCR_URL IAM_URL IAM_ADMIN_DOMAIN IAM_ADMIN_USER IAM_ADMIN_PASSWORD IAM_ADMIN_USER_ID IAM_ADMIN_PROJECT_ID; do
  [[ -n "${!name:-}" ]] || { echo "FAIL config: environment variable $name is not set"; exit 2; }
done
if [[ ! -x "$VENV/bin/tccli" ]] || ! "$VENV/bin/pip" show tccli 2>/dev/null | grep -qx "Version: $TCCLI_VERSION"; then
  "${PYTHON:-python3}" -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "tccli==$TCCLI_VERSION" \
    "tencentcloud-sdk-python==$TC_SDK_VERSION"
fi
export NO_PROXY="${NO_PROXY:+${NO_PROXY},}127.0.0.1,localhost" no_proxy="${no_proxy:+${no_proxy},}127.0.0.1,localhost"
# tccli keeps a configuration under $HOME; a test's own home leaves the caller's alone.
HOME="$(mktemp -d)"
export HOME
trap 'rm -rf "$HOME"' EXIT

ok() { echo "ok   $*"; }
fail() { echo "FAIL $*"; exit 1; }
json() { "$VENV/bin/python" -c "import json, sys; print(json.load(sys.stdin)$1)"; }

echo "tccli_tcr: tcr-svc through tccli $TCCLI_VERSION"
TOKEN=$(curl -sS -D - -o /dev/null -X POST "$IAM_URL/v3/auth/tokens" -H 'Content-Type: application/json' -d @- <<JSON | awk 'tolower($1) == "x-subject-token:" { print $2 }' | tr -d '\r'
{"auth": {"identity": {"methods": ["password"], "password": {"user": {
   "domain": {"name": "$IAM_ADMIN_DOMAIN"}, "name": "$IAM_ADMIN_USER", "password": "$IAM_ADMIN_PASSWORD"}}},
 "scope": {"project": {"id": "$IAM_ADMIN_PROJECT_ID"}}}}
JSON
)
[[ -n "$TOKEN" ]] || fail "admin login"
KEY=$(curl -sSf -X POST "$IAM_URL/v3.0/OS-CREDENTIAL/credentials" -H "X-Auth-Token: $TOKEN" \
  -H 'Content-Type: application/json' \
  -d "{\"credential\": {\"user_id\": \"$IAM_ADMIN_USER_ID\", \"description\": \"tccli test\"}}")
AK=$(json '["credential"]["access"]' <<<"$KEY")
SK=$(json '["credential"]["secret"]' <<<"$KEY")
trap 'curl -sS -o /dev/null -X DELETE "$IAM_URL/v3.0/OS-CREDENTIAL/credentials/$AK" -H "X-Auth-Token: $TOKEN"; rm -rf "$HOME"' EXIT
ok "admin access key $AK"

tcr() {
  local action="$1"
  shift
  "$VENV/bin/tccli" tcr "$action" --endpoint "$TCR_URL" --region ap-guangzhou \
    --secretId "$AK" --secretKey "$SK" "$@"
}

NAME="tccli-$(tr 'A-Z' 'a-z' <<<"${AK: -6}")"
OUT=$(tcr CreateInstance --RegistryName "$NAME" --RegistryType basic) || fail "CreateInstance: $OUT"
REGISTRY=$(json '["RegistryId"]' <<<"$OUT")
ok "CreateInstance $REGISTRY"
OUT=$(tcr DescribeInstances --Registryids "[\"$REGISTRY\"]" \
  --Filters "[{\"Name\": \"RegistryName\", \"Values\": [\"$NAME\"]}]") || fail "DescribeInstances: $OUT"
[[ "$(json '["TotalCount"]' <<<"$OUT")" == 1 ]] || fail "DescribeInstances: $OUT"
ok "DescribeInstances"
OUT=$(tcr CreateInstanceToken --RegistryId "$REGISTRY" --TokenType temp) || fail "CreateInstanceToken: $OUT"
[[ -n "$(json '["Token"]' <<<"$OUT")" ]] || fail "CreateInstanceToken: $OUT"
ok "CreateInstanceToken"
if OUT=$("$VENV/bin/tccli" tcr DescribeInstances --endpoint "$TCR_URL" --region ap-guangzhou \
    --secretId "$AK" --secretKey "not-the-secret" 2>&1); then
  fail "a wrong secret key was accepted: $OUT"
fi
grep -q "AuthFailure.SignatureFailure" <<<"$OUT" || fail "a wrong secret key: $OUT"
ok "a wrong secret key is refused: AuthFailure.SignatureFailure"
OUT=$(tcr DeleteInstance --RegistryId "$REGISTRY") || fail "DeleteInstance: $OUT"
ok "DeleteInstance"
echo "PASS tccli_tcr"
