#!/usr/bin/env bash
# End-to-end registry login: tcr-svc as the token server (`/service/token`) of a real
# registry (Debian's docker-registry, CNCF distribution 2.8), driven by skopeo, with
# instance tokens from tcr-svc's Tencent Cloud API 3.0 actions.
#
#   tests/registry/tcr-e2e.sh
#
# Installs docker-registry and skopeo when missing (apt-get; needs root), builds iam-svc and
# tcr-svc (debug) and starts them on free loopback ports in a temporary directory
# (scripts/lib/stack.sh; with TEST_DATABASE_URL=postgres://... each gets a fresh schema),
# then docker-registry with token auth pointing at tcr-svc (scripts/lib/registry.sh). The
# admin and a readonly user (readonly on the domain) get iam-svc access keys, which sign
# the actions as SecretId/SecretKey with TC3-HMAC-SHA256 (a standard-library signer below,
# ../../shared/reference/tencent-sdk-wire.md section 2; no SDK needed). It checks, one line
# per step: CreateInstance; a temp token logs in, pushes and pulls; a longterm token logs in
# and pulls; wrong passwords are refused; ModifyInstanceToken (disable) and
# DeleteInstanceToken end a longterm token's logins; a readonly user's temp token pulls but
# cannot push. Everything it started is stopped at exit; the logs (services, registry,
# skopeo, API calls) are printed when a step fails.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/lib/stack.sh
. scripts/lib/stack.sh
# shellcheck source=scripts/lib/registry.sh
. scripts/lib/registry.sh
# shellcheck source=scripts/lib/e2e.sh
. scripts/lib/e2e.sh

ISSUER="tcr-svc"
SERVICE="tcr-registry"
REGION="ap-guangzhou"
REPO="team/app"
IMAGE_TEXT="hello from the tcr-svc registry e2e test"

# ---- scratch directory (scripts/lib/stack.sh); at exit stop everything, logs on failure

e2e_init tcr-e2e
WORK="$STACK_DIR"
API_LOG="$WORK/log/tcr-api.log"

# ---- prerequisites -------------------------------------------------------------------

registry_require_tools

echo "==> building iam-svc and tcr-svc (debug)"
cargo build -p iam-svc -p tcr-svc

# ---- the TC3-HMAC-SHA256 client ------------------------------------------------------

cat >"$WORK/tc3.py" <<'PY'
"""tcr-svc API 3.0 client, standard library only.

  tc3.py ACTION JSON_BODY   env TCR_URL, TC3_SECRET_ID, TC3_SECRET_KEY, TC3_REGION
  tc3.py --selftest         check the signer against the reference test vector

Prints the Response object as JSON. Exit 0 on success, 3 when Response holds an Error,
1 on anything else (transport, HTTP status, not the API 3.0 envelope)."""
import datetime, hashlib, hmac, json, os, sys, time, urllib.request
from urllib.parse import urlsplit


def authorization(secret_id, secret_key, host, body, timestamp, service="tcr"):
    date = datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc).strftime("%Y-%m-%d")
    canonical = "\n".join(["POST", "/", "", f"content-type:application/json\nhost:{host}\n",
                           "content-type;host", hashlib.sha256(body).hexdigest()])
    scope = f"{date}/{service}/tc3_request"
    to_sign = "\n".join(["TC3-HMAC-SHA256", str(timestamp), scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("TC3" + secret_key).encode()
    for part in (date, service, "tc3_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return (f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, "
            f"SignedHeaders=content-type;host, Signature={signature}")


if sys.argv[1:] == ["--selftest"]:
    got = authorization("AKIDEXAMPLE1234567890", "EXAMPLEsecretKey1234567890", "127.0.0.1:18084",
                        b'{"RegistryId": "tcr-abc123", "TokenType": "temp"}', 1700000000)
    sys.exit(0 if got.endswith("1fb0b2f02dbdc205b81b013a35638ac8189f20e03f3016ab20738c5611e84ab5")
             else f"TC3 self-test: {got}")

action, body = sys.argv[1], sys.argv[2].encode()
url = os.environ["TCR_URL"].rstrip("/") + "/"
host = urlsplit(url).netloc
now = int(time.time())
headers = {
    "Content-Type": "application/json", "Host": host, "X-TC-Action": action,
    "X-TC-Version": "2019-09-24", "X-TC-Timestamp": str(now),
    "X-TC-Region": os.environ.get("TC3_REGION", ""),
    "Authorization": authorization(os.environ["TC3_SECRET_ID"], os.environ["TC3_SECRET_KEY"],
                                   host, body, now),
}
request = urllib.request.Request(url, data=body, headers=headers, method="POST")
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: no proxy
with opener.open(request, timeout=30) as answer:
    response = json.load(answer)["Response"]
print(json.dumps(response))
sys.exit(3 if "Error" in response else 0)
PY
python3 "$WORK/tc3.py" --selftest || e2e_die "the TC3 signer does not reproduce the reference test vector"

# ---- iam-svc, tcr-svc (it makes the certificate the registry trusts), the registry -----

echo "==> iam-svc and tcr-svc in $WORK"
stack_start_iam
[[ -s "$IAM__INTERNAL__CREDENTIAL_FILE" ]] || e2e_die "iam-svc gen-keys did not write $IAM__INTERNAL__CREDENTIAL_FILE"

registry_init # picks the registry's address, which tcr-svc's registries record
REGISTRY="$REGISTRY_ADDRESS"
export TCR__REGISTRY__ISSUER="$ISSUER"
stack_start_tcr "$SERVICE" "$REGISTRY"
CERTIFICATE="$TCR__REGISTRY__CERTIFICATE_FILE"
[[ -s "$CERTIFICATE" && -s "$TCR__REGISTRY__SIGNING_KEY_FILE" ]] ||
  e2e_die "tcr-svc is ready but did not generate $TCR__REGISTRY__SIGNING_KEY_FILE and $CERTIFICATE"

echo "==> docker-registry on $REGISTRY (token realm $TCR_URL/service/token)"
registry_start "$TCR_URL/service/token" "$SERVICE" "$ISSUER" "$CERTIFICATE"

# ---- helpers -------------------------------------------------------------------------

# access_key USER_ID: "access secret" of a new iam-svc access key (made by the admin).
access_key() {
  e2e_api POST "$IAM_URL/v3.0/OS-CREDENTIAL/credentials" "$E2E_ADMIN_TOKEN" 201 \
    "{\"credential\": {\"user_id\": \"$1\", \"description\": \"tcr e2e\"}}" |
    python3 -c 'import json, sys; c = json.load(sys.stdin)["credential"]; print(c["access"], c["secret"])'
}

# tcr WHO ACTION [JSON_BODY]: ACTION signed with WHO's (admin or reader) access key; the
# Response object on stdout. Status 3 when it holds an Error, 1 when the call failed.
tcr() {
  local ak sk body=${3:-'{}'} status=0
  case "$1" in
    admin) ak=$ADMIN_AK sk=$ADMIN_SK ;;
    reader) ak=$READER_AK sk=$READER_SK ;;
    *) e2e_die "tcr: unknown identity $1" ;;
  esac
  TCR_URL="$TCR_URL" TC3_REGION="$REGION" TC3_SECRET_ID="$ak" TC3_SECRET_KEY="$sk" \
    python3 "$WORK/tc3.py" "$2" "$body" >"$WORK/tcr-answer" 2>>"$API_LOG" || status=$?
  # Tokens are secrets even here: the log shows their first characters only.
  printf '[%s] %s %s -> %s\n' "$1" "$2" "$body" \
    "$(sed -E 's/("Token": "[^"]{8})[^"]*"/\1..."/' "$WORK/tcr-answer")" >>"$API_LOG"
  cat "$WORK/tcr-answer"
  return "$status"
}

# tcr_ok WHO ACTION [JSON_BODY]: like tcr, but a refusal fails the step with its error.
tcr_ok() {
  local out status=0
  out="$(tcr "$@")" || status=$?
  ((status == 0)) || e2e_fail "$2 failed (status $status): ${out:-no answer, see $API_LOG}"
  printf '%s\n' "$out"
}

# ---- identities: the admin, and a readonly user (role readonly on the domain) ----------

echo "==> iam-svc: admin token, readonly user, access keys"
e2e_identities tcr-e2e-reader "domains/$IAM_ADMIN_DOMAIN_ID"
READER_ID="$E2E_READER_ID"

read -r ADMIN_AK ADMIN_SK <<<"$(access_key "$IAM_ADMIN_USER_ID")"
read -r READER_AK READER_SK <<<"$(access_key "$READER_ID")"
[[ -n "$ADMIN_SK" && -n "$READER_SK" ]] || e2e_die "iam-svc did not return the access keys' secrets"

registry_make_image "$IMAGE_TEXT"

# ---- the checks ------------------------------------------------------------------------

echo "==> checks"

e2e_step "CreateInstance makes a registry that records the registry's address"
REGISTRY_ID="$(tcr_ok admin CreateInstance '{"RegistryName": "tcr-e2e-registry", "RegistryType": "basic"}' | e2e_json RegistryId)"
[[ "$REGISTRY_ID" == tcr-* ]] || e2e_fail "RegistryId '$REGISTRY_ID'"
domain="$(tcr_ok admin DescribeInstances "{\"Registryids\": [\"$REGISTRY_ID\"]}" | e2e_json Registries.0.PublicDomain)"
[[ "$domain" == "$REGISTRY" ]] || e2e_fail "PublicDomain '$domain', expected '$REGISTRY'"
e2e_ok

e2e_step "a temp token (CreateInstanceToken temp) logs in"
answer="$(tcr_ok admin CreateInstanceToken "{\"RegistryId\": \"$REGISTRY_ID\", \"TokenType\": \"temp\"}")"
TEMP_USER="$(e2e_json Username <<<"$answer")"
TEMP_TOKEN="$(e2e_json Token <<<"$answer")"
[[ "$TEMP_USER" == "$IAM_ADMIN_USER_ID" ]] || e2e_fail "Username '$TEMP_USER', expected the admin's id $IAM_ADMIN_USER_ID"
[[ "$(e2e_json TokenId <<<"$answer")" == "" ]] || e2e_fail "a temp token has TokenId '$(e2e_json TokenId <<<"$answer")'"
registry_login temp "$TEMP_USER" "$TEMP_TOKEN" || e2e_fail "login refused"
e2e_ok

e2e_step "the temp token's registry token for pull,push grants both"
access="$(registry_token_access "$TEMP_USER" "$TEMP_TOKEN" "repository:$REPO:pull,push")" ||
  e2e_fail "the token endpoint refused the temp token"
[[ "$access" == '[{"type": "repository", "name": "'"$REPO"'", "actions": ["pull", "push"]}]' ]] ||
  e2e_fail "unexpected access claim $access"
e2e_ok

e2e_step "push oci:image:v1 to $REGISTRY/$REPO:v1 with the temp token"
registry_push temp "$REPO:v1" || e2e_fail "push refused"
e2e_ok

e2e_step "pull $REPO:v1 back with the temp token, same content"
registry_pull temp "$REPO:v1" "$WORK/pulled-temp" || e2e_fail "pull refused"
[[ "$(registry_image_text "$WORK/pulled-temp")" == "$IMAGE_TEXT" ]] ||
  e2e_fail "the pulled layer does not hold the pushed file"
e2e_ok

e2e_step "a longterm token (CreateInstanceToken longterm) logs in and pulls"
answer="$(tcr_ok admin CreateInstanceToken "{\"RegistryId\": \"$REGISTRY_ID\", \"TokenType\": \"longterm\", \"Desc\": \"tcr e2e\"}")"
LONG_USER="$(e2e_json Username <<<"$answer")"
LONG_TOKEN="$(e2e_json Token <<<"$answer")"
LONG_ID="$(e2e_json TokenId <<<"$answer")"
[[ -n "$LONG_ID" ]] || e2e_fail "a longterm token without TokenId"
registry_login longterm "$LONG_USER" "$LONG_TOKEN" || e2e_fail "login refused"
registry_pull longterm "$REPO:v1" "$WORK/pulled-longterm" || e2e_fail "pull refused"
[[ "$(registry_image_text "$WORK/pulled-longterm")" == "$IMAGE_TEXT" ]] ||
  e2e_fail "the pulled layer does not hold the pushed file"
e2e_ok

e2e_step "skopeo login with a wrong password is refused"
registry_login wrong "$LONG_USER" "not-the-token" && e2e_fail "login with a made-up password accepted"
# Well-formed but altered: the token's checksum no longer matches.
registry_login wrong "$LONG_USER" "${LONG_TOKEN%?}$([[ "${LONG_TOKEN: -1}" == A ]] && echo B || echo A)" &&
  e2e_fail "login with an altered token accepted"
# A real token under another user name.
registry_login wrong "$READER_ID" "$LONG_TOKEN" && e2e_fail "login with another user name accepted"
e2e_ok

e2e_step "after ModifyInstanceToken (ModifyFlag 2, Enable false), the longterm token can no longer log in or pull"
tcr_ok admin ModifyInstanceToken \
  "{\"TokenId\": \"$LONG_ID\", \"RegistryId\": \"$REGISTRY_ID\", \"Enable\": false, \"ModifyFlag\": 2}" >/dev/null
registry_login disabled "$LONG_USER" "$LONG_TOKEN" && e2e_fail "login accepted"
registry_pull longterm "$REPO:v1" "$WORK/pulled-disabled" && e2e_fail "pull with the stored login accepted"
e2e_ok

e2e_step "after Enable true again, the longterm token logs in"
tcr_ok admin ModifyInstanceToken \
  "{\"TokenId\": \"$LONG_ID\", \"RegistryId\": \"$REGISTRY_ID\", \"Enable\": true, \"ModifyFlag\": 2}" >/dev/null
registry_login longterm "$LONG_USER" "$LONG_TOKEN" || e2e_fail "login refused"
e2e_ok

e2e_step "after DeleteInstanceToken, the longterm token can no longer log in or pull"
tcr_ok admin DeleteInstanceToken "{\"RegistryId\": \"$REGISTRY_ID\", \"TokenId\": \"$LONG_ID\"}" >/dev/null
listed="$(tcr_ok admin DescribeInstanceToken "{\"RegistryId\": \"$REGISTRY_ID\"}" | e2e_json Tokens)"
[[ "$listed" != *"$LONG_ID"* ]] || e2e_fail "DescribeInstanceToken still lists $LONG_ID"
registry_login deleted "$LONG_USER" "$LONG_TOKEN" && e2e_fail "login accepted"
registry_pull longterm "$REPO:v1" "$WORK/pulled-deleted" && e2e_fail "pull with the stored login accepted"
e2e_ok

e2e_step "a readonly user's temp token logs in"
answer="$(tcr_ok reader CreateInstanceToken "{\"RegistryId\": \"$REGISTRY_ID\", \"TokenType\": \"temp\"}")"
READER_USER="$(e2e_json Username <<<"$answer")"
READER_TOKEN="$(e2e_json Token <<<"$answer")"
[[ "$READER_USER" == "$READER_ID" ]] || e2e_fail "Username '$READER_USER', expected the reader's id $READER_ID"
registry_login reader "$READER_USER" "$READER_TOKEN" || e2e_fail "login refused"
e2e_ok

e2e_step "the readonly user's registry token for pull,push grants pull only"
access="$(registry_token_access "$READER_USER" "$READER_TOKEN" "repository:$REPO:pull,push")" ||
  e2e_fail "the token endpoint refused the readonly user's token"
[[ "$access" == '[{"type": "repository", "name": "'"$REPO"'", "actions": ["pull"]}]' ]] ||
  e2e_fail "unexpected access claim $access"
e2e_ok

e2e_step "the readonly user can pull"
registry_pull reader "$REPO:v1" "$WORK/pulled-reader" || e2e_fail "pull refused"
[[ "$(registry_image_text "$WORK/pulled-reader")" == "$IMAGE_TEXT" ]] ||
  e2e_fail "the pulled layer does not hold the pushed file"
e2e_ok

e2e_step "the readonly user cannot push"
registry_push reader "$REPO:v2" && e2e_fail "push accepted"
registry_push reader "team/reader:v1" && e2e_fail "push to a new repository accepted"
e2e_ok
