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

ISSUER="tcr-svc"
SERVICE="tcr-registry"
REGION="ap-guangzhou"
REPO="team/app"
IMAGE_TEXT="hello from the tcr-svc registry e2e test"
passed=0
current=""

die() { printf 'tcr-e2e: %s\n' "$*" >&2; exit 1; }

# ---- scratch directory (scripts/lib/stack.sh); at exit stop everything, logs on failure

# The original stdout and stderr: the EXIT trap must not write into a log.
exec 3>&1 4>&2
finish() {
  local status=$?
  trap - EXIT INT TERM
  exec 1>&3 2>&4
  if ((status != 0)); then
    [[ -n "$current" ]] && echo "tcr-e2e: FAILED: $current" >&2
    stack_dump_logs
  fi
  stack_stop
  echo "tcr-e2e: $passed passed, $((status == 0 ? 0 : 1)) failed"
  exit "$status"
}
trap finish EXIT
trap 'exit 130' INT TERM
stack_init
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
python3 "$WORK/tc3.py" --selftest || die "the TC3 signer does not reproduce the reference test vector"

# ---- iam-svc, tcr-svc (it makes the certificate the registry trusts), the registry -----

echo "==> iam-svc and tcr-svc in $WORK"
stack_start_iam
[[ -s "$IAM__INTERNAL__CREDENTIAL_FILE" ]] || die "iam-svc gen-keys did not write $IAM__INTERNAL__CREDENTIAL_FILE"
PROJECT_ID="$IAM_ADMIN_PROJECT_ID"

registry_init # picks the registry's address, which tcr-svc's registries record
REGISTRY="$REGISTRY_ADDRESS"
export TCR__REGISTRY__ISSUER="$ISSUER"
stack_start_tcr "$SERVICE" "$REGISTRY"
CERTIFICATE="$TCR__REGISTRY__CERTIFICATE_FILE"
[[ -s "$CERTIFICATE" && -s "$TCR__REGISTRY__SIGNING_KEY_FILE" ]] ||
  die "tcr-svc is ready but did not generate $TCR__REGISTRY__SIGNING_KEY_FILE and $CERTIFICATE"

echo "==> docker-registry on $REGISTRY (token realm $TCR_URL/service/token)"
registry_start "$TCR_URL/service/token" "$SERVICE" "$ISSUER" "$CERTIFICATE"

# ---- helpers -------------------------------------------------------------------------

# step TEXT: the check that follows is TEXT; ok: it passed.
step() { current="$1"; }
ok() { passed=$((passed + 1)); printf 'ok %d - %s\n' "$passed" "$current"; current=""; }
fail() { die "$current: $*"; }

# json FIELD.PATH: read JSON on stdin, print one field (list items by index). Empty input
# (the command before it failed and said why) fails quietly.
json() {
  python3 -c '
import json, sys
text = sys.stdin.read()
if not text.strip():
    sys.exit(1)
v = json.loads(text)
for k in sys.argv[1].split("."):
    v = v[int(k)] if isinstance(v, list) else v[k]
print(v if isinstance(v, str) else json.dumps(v))' "$1"
}

# api METHOD URL TOKEN EXPECTED_STATUS [JSON_BODY]: an iam-svc call; the body on stdout.
api() {
  local method=$1 url=$2 token=$3 expected=$4 body=${5:-} code
  local args=(-sS -X "$method" -o "$WORK/answer" -w '%{http_code}' -H "X-Auth-Token: $token")
  [[ -n "$body" ]] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
  code="$(curl "${args[@]}" "$url")" || die "$method $url: curl failed"
  [[ "$code" == "$expected" ]] || die "$method $url answered $code, expected $expected: $(head -c 500 "$WORK/answer")"
  cat "$WORK/answer"
}

# iam_token USER DOMAIN PASSWORD PROJECT_ID: a project-scoped X-Auth-Token.
iam_token() {
  local body code
  body="$(python3 -c '
import json, sys
name, domain, password, project = sys.argv[1:]
print(json.dumps({"auth": {"identity": {"methods": ["password"], "password": {"user": {
    "domain": {"name": domain}, "name": name, "password": password}}},
    "scope": {"project": {"id": project}}}}))' "$@")"
  code="$(curl -sS -o "$WORK/answer" -D "$WORK/headers" -w '%{http_code}' -X POST "$IAM_URL/v3/auth/tokens" \
    -H 'Content-Type: application/json' --data-binary "$body")" || die "iam-svc login: curl failed"
  [[ "$code" == 201 ]] || die "iam-svc login of $1 answered $code: $(head -c 500 "$WORK/answer")"
  awk 'tolower($1) == "x-subject-token:" { print $2 }' "$WORK/headers" | tr -d '\r'
}

# access_key USER_ID: "access secret" of a new iam-svc access key (made by the admin).
access_key() {
  api POST "$IAM_URL/v3.0/OS-CREDENTIAL/credentials" "$ADMIN_TOKEN" 201 \
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
    *) die "tcr: unknown identity $1" ;;
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
  ((status == 0)) || fail "$2 failed (status $status): ${out:-no answer, see $API_LOG}"
  printf '%s\n' "$out"
}

# ---- identities: the admin, and a readonly user (role readonly on the domain) ----------

echo "==> iam-svc: admin token, readonly user, access keys"
ADMIN_TOKEN="$(iam_token "$IAM_ADMIN_USER" "$IAM_ADMIN_DOMAIN" "$IAM_ADMIN_PASSWORD" "$PROJECT_ID")"
[[ -n "$ADMIN_TOKEN" ]] || die "no X-Subject-Token for the admin"

READER_NAME="tcr-e2e-reader"
READER_PASSWORD="Reader-e2e-$(python3 -c 'import secrets; print(secrets.token_hex(8))')"
READER_ID="$(api POST "$IAM_URL/v3/users" "$ADMIN_TOKEN" 201 \
  "{\"user\": {\"name\": \"$READER_NAME\", \"password\": \"$READER_PASSWORD\", \"domain_id\": \"$IAM_ADMIN_DOMAIN_ID\"}}" | json user.id)"
GROUP_ID="$(api POST "$IAM_URL/v3/groups" "$ADMIN_TOKEN" 201 \
  "{\"group\": {\"name\": \"tcr-e2e-readers\", \"domain_id\": \"$IAM_ADMIN_DOMAIN_ID\"}}" | json group.id)"
api PUT "$IAM_URL/v3/groups/$GROUP_ID/users/$READER_ID" "$ADMIN_TOKEN" 204 >/dev/null
READONLY_ROLE="$(api GET "$IAM_URL/v3/roles?name=readonly" "$ADMIN_TOKEN" 200 | json roles.0.id)"
api PUT "$IAM_URL/v3/domains/$IAM_ADMIN_DOMAIN_ID/groups/$GROUP_ID/roles/$READONLY_ROLE" "$ADMIN_TOKEN" 204 >/dev/null

read -r ADMIN_AK ADMIN_SK <<<"$(access_key "$IAM_ADMIN_USER_ID")"
read -r READER_AK READER_SK <<<"$(access_key "$READER_ID")"
[[ -n "$ADMIN_SK" && -n "$READER_SK" ]] || die "iam-svc did not return the access keys' secrets"

registry_make_image "$IMAGE_TEXT"

# ---- the checks ------------------------------------------------------------------------

echo "==> checks"

step "CreateInstance makes a registry that records the registry's address"
REGISTRY_ID="$(tcr_ok admin CreateInstance '{"RegistryName": "tcr-e2e-registry", "RegistryType": "basic"}' | json RegistryId)"
[[ "$REGISTRY_ID" == tcr-* ]] || fail "RegistryId '$REGISTRY_ID'"
domain="$(tcr_ok admin DescribeInstances "{\"Registryids\": [\"$REGISTRY_ID\"]}" | json Registries.0.PublicDomain)"
[[ "$domain" == "$REGISTRY" ]] || fail "PublicDomain '$domain', expected '$REGISTRY'"
ok

step "a temp token (CreateInstanceToken temp) logs in"
answer="$(tcr_ok admin CreateInstanceToken "{\"RegistryId\": \"$REGISTRY_ID\", \"TokenType\": \"temp\"}")"
TEMP_USER="$(json Username <<<"$answer")"
TEMP_TOKEN="$(json Token <<<"$answer")"
[[ "$TEMP_USER" == "$IAM_ADMIN_USER_ID" ]] || fail "Username '$TEMP_USER', expected the admin's id $IAM_ADMIN_USER_ID"
[[ "$(json TokenId <<<"$answer")" == "" ]] || fail "a temp token has TokenId '$(json TokenId <<<"$answer")'"
registry_login temp "$TEMP_USER" "$TEMP_TOKEN" || fail "login refused"
ok

step "the temp token's registry token for pull,push grants both"
access="$(registry_token_access "$TEMP_USER" "$TEMP_TOKEN" "repository:$REPO:pull,push")" ||
  fail "the token endpoint refused the temp token"
[[ "$access" == '[{"type": "repository", "name": "'"$REPO"'", "actions": ["pull", "push"]}]' ]] ||
  fail "unexpected access claim $access"
ok

step "push oci:image:v1 to $REGISTRY/$REPO:v1 with the temp token"
registry_push temp "$REPO:v1" || fail "push refused"
ok

step "pull $REPO:v1 back with the temp token, same content"
registry_pull temp "$REPO:v1" "$WORK/pulled-temp" || fail "pull refused"
[[ "$(registry_image_text "$WORK/pulled-temp")" == "$IMAGE_TEXT" ]] ||
  fail "the pulled layer does not hold the pushed file"
ok

step "a longterm token (CreateInstanceToken longterm) logs in and pulls"
answer="$(tcr_ok admin CreateInstanceToken "{\"RegistryId\": \"$REGISTRY_ID\", \"TokenType\": \"longterm\", \"Desc\": \"tcr e2e\"}")"
LONG_USER="$(json Username <<<"$answer")"
LONG_TOKEN="$(json Token <<<"$answer")"
LONG_ID="$(json TokenId <<<"$answer")"
[[ -n "$LONG_ID" ]] || fail "a longterm token without TokenId"
registry_login longterm "$LONG_USER" "$LONG_TOKEN" || fail "login refused"
registry_pull longterm "$REPO:v1" "$WORK/pulled-longterm" || fail "pull refused"
[[ "$(registry_image_text "$WORK/pulled-longterm")" == "$IMAGE_TEXT" ]] ||
  fail "the pulled layer does not hold the pushed file"
ok

step "skopeo login with a wrong password is refused"
registry_login wrong "$LONG_USER" "not-the-token" && fail "login with a made-up password accepted"
# Well-formed but altered: the token's checksum no longer matches.
registry_login wrong "$LONG_USER" "${LONG_TOKEN%?}$([[ "${LONG_TOKEN: -1}" == A ]] && echo B || echo A)" &&
  fail "login with an altered token accepted"
# A real token under another user name.
registry_login wrong "$READER_ID" "$LONG_TOKEN" && fail "login with another user name accepted"
ok

step "after ModifyInstanceToken (ModifyFlag 2, Enable false), the longterm token can no longer log in or pull"
tcr_ok admin ModifyInstanceToken \
  "{\"TokenId\": \"$LONG_ID\", \"RegistryId\": \"$REGISTRY_ID\", \"Enable\": false, \"ModifyFlag\": 2}" >/dev/null
registry_login disabled "$LONG_USER" "$LONG_TOKEN" && fail "login accepted"
registry_pull longterm "$REPO:v1" "$WORK/pulled-disabled" && fail "pull with the stored login accepted"
ok

step "after Enable true again, the longterm token logs in"
tcr_ok admin ModifyInstanceToken \
  "{\"TokenId\": \"$LONG_ID\", \"RegistryId\": \"$REGISTRY_ID\", \"Enable\": true, \"ModifyFlag\": 2}" >/dev/null
registry_login longterm "$LONG_USER" "$LONG_TOKEN" || fail "login refused"
ok

step "after DeleteInstanceToken, the longterm token can no longer log in or pull"
tcr_ok admin DeleteInstanceToken "{\"RegistryId\": \"$REGISTRY_ID\", \"TokenId\": \"$LONG_ID\"}" >/dev/null
listed="$(tcr_ok admin DescribeInstanceToken "{\"RegistryId\": \"$REGISTRY_ID\"}" | json Tokens)"
[[ "$listed" != *"$LONG_ID"* ]] || fail "DescribeInstanceToken still lists $LONG_ID"
registry_login deleted "$LONG_USER" "$LONG_TOKEN" && fail "login accepted"
registry_pull longterm "$REPO:v1" "$WORK/pulled-deleted" && fail "pull with the stored login accepted"
ok

step "a readonly user's temp token logs in"
answer="$(tcr_ok reader CreateInstanceToken "{\"RegistryId\": \"$REGISTRY_ID\", \"TokenType\": \"temp\"}")"
READER_USER="$(json Username <<<"$answer")"
READER_TOKEN="$(json Token <<<"$answer")"
[[ "$READER_USER" == "$READER_ID" ]] || fail "Username '$READER_USER', expected the reader's id $READER_ID"
registry_login reader "$READER_USER" "$READER_TOKEN" || fail "login refused"
ok

step "the readonly user's registry token for pull,push grants pull only"
access="$(registry_token_access "$READER_USER" "$READER_TOKEN" "repository:$REPO:pull,push")" ||
  fail "the token endpoint refused the readonly user's token"
[[ "$access" == '[{"type": "repository", "name": "'"$REPO"'", "actions": ["pull"]}]' ]] ||
  fail "unexpected access claim $access"
ok

step "the readonly user can pull"
registry_pull reader "$REPO:v1" "$WORK/pulled-reader" || fail "pull refused"
[[ "$(registry_image_text "$WORK/pulled-reader")" == "$IMAGE_TEXT" ]] ||
  fail "the pulled layer does not hold the pushed file"
ok

step "the readonly user cannot push"
registry_push reader "$REPO:v2" && fail "push accepted"
registry_push reader "team/reader:v1" && fail "push to a new repository accepted"
ok
