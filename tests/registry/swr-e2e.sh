#!/usr/bin/env bash
# End-to-end registry login: swr-svc as the token server (`/service/token`) of a real
# registry (Debian's docker-registry, CNCF distribution 2.8), driven by skopeo.
#
#   tests/registry/swr-e2e.sh
#
# Installs docker-registry and skopeo when missing (apt-get; needs root), builds iam-svc and
# swr-svc (debug) and starts them on free loopback ports in a temporary directory
# (scripts/lib/stack.sh; with TEST_DATABASE_URL=postgres://... each gets a fresh schema),
# then docker-registry with token auth pointing at swr-svc, whose development registry key
# and certificate swr-svc generates at start (scripts/lib/registry.sh). It makes a one-layer
# OCI image by hand and checks, one line per step: login with a fresh long-term credential,
# refusal of a wrong password and of another registry's credential, push and pull back,
# pull-only for a readonly user, and refusal once the credential is disabled. Everything it
# started is stopped at exit; the logs (services, registry, skopeo) are printed when a step
# fails.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/lib/stack.sh
. scripts/lib/stack.sh
# shellcheck source=scripts/lib/registry.sh
. scripts/lib/registry.sh

ISSUER="swr-svc"
SERVICE="swr-registry"
OTHER_SERVICE="other-registry"
REPO="ns/app"
IMAGE_TEXT="hello from the swr-svc registry e2e test"
passed=0
current=""

die() { printf 'swr-e2e: %s\n' "$*" >&2; exit 1; }

# ---- scratch directory (scripts/lib/stack.sh); at exit stop everything, logs on failure

# The original stdout and stderr: the EXIT trap must not write into a log.
exec 3>&1 4>&2
finish() {
  local status=$?
  trap - EXIT INT TERM
  exec 1>&3 2>&4
  if ((status != 0)); then
    [[ -n "$current" ]] && echo "swr-e2e: FAILED: $current" >&2
    stack_dump_logs
  fi
  stack_stop
  echo "swr-e2e: $passed passed, $((status == 0 ? 0 : 1)) failed"
  exit "$status"
}
trap finish EXIT
trap 'exit 130' INT TERM
stack_init
WORK="$STACK_DIR"

# ---- prerequisites -------------------------------------------------------------------

registry_require_tools

echo "==> building iam-svc and swr-svc (debug)"
cargo build -p iam-svc -p swr-svc

# ---- iam-svc and swr-svc (swr-svc makes the certificate the registry trusts) ----------

echo "==> iam-svc and swr-svc in $WORK"
stack_start_iam
[[ -f "$STACK_ENV_FILE" ]] || die "iam-svc bootstrap did not write $STACK_ENV_FILE"
[[ -s "$IAM__INTERNAL__CREDENTIAL_FILE" ]] || die "iam-svc gen-keys did not write $IAM__INTERNAL__CREDENTIAL_FILE"
[[ "${IAM_URL:-}" == "$IAM__PUBLIC_URL" ]] || die "$STACK_ENV_FILE says IAM_URL='${IAM_URL:-}'"
PROJECT_ID="$IAM_ADMIN_PROJECT_ID"

registry_init # picks the registry's address, which swr-svc's instances record
REGISTRY="$REGISTRY_ADDRESS"
export SWR__REGISTRY__ISSUER="$ISSUER"
stack_start_swr "$SERVICE" "$REGISTRY"
SIGNING_KEY="$SWR__REGISTRY__SIGNING_KEY_FILE"
CERTIFICATE="$SWR__REGISTRY__CERTIFICATE_FILE"
[[ -s "$CERTIFICATE" && -s "$SIGNING_KEY" ]] ||
  die "swr-svc is ready but did not generate $SIGNING_KEY and $CERTIFICATE"
key_mode="$(stat -c '%a' "$SIGNING_KEY")"
[[ "$key_mode" == 600 ]] || die "the generated registry signing key is mode $key_mode, not 600"

# ---- the registry --------------------------------------------------------------------

echo "==> docker-registry on $REGISTRY (token realm $SWR_URL/service/token)"
registry_start "$SWR_URL/service/token" "$SERVICE" "$ISSUER" "$CERTIFICATE"

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

# api METHOD URL TOKEN EXPECTED_STATUS [JSON_BODY]: the answer's body on stdout.
# EXPECTED_STATUS is a glob: 201, or 2?? for any success.
api() {
  local method=$1 url=$2 token=$3 expected=$4 body=${5:-} code
  local args=(-sS -X "$method" -o "$WORK/answer" -w '%{http_code}' -H "X-Auth-Token: $token")
  [[ -n "$body" ]] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
  code="$(curl "${args[@]}" "$url")" || die "$method $url: curl failed"
  # shellcheck disable=SC2053
  [[ "$code" == $expected ]] || die "$method $url answered $code, expected $expected: $(head -c 500 "$WORK/answer")"
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

# ---- identities: the admin, and a readonly user --------------------------------------

echo "==> iam-svc: admin token, readonly user"
ADMIN_TOKEN="$(iam_token "$IAM_ADMIN_USER" "$IAM_ADMIN_DOMAIN" "$IAM_ADMIN_PASSWORD" "$PROJECT_ID")"
[[ -n "$ADMIN_TOKEN" ]] || die "no X-Subject-Token for the admin"

READER_NAME="e2e-reader"
READER_PASSWORD="Reader-e2e-$(python3 -c 'import secrets; print(secrets.token_hex(8))')"
READER_ID="$(api POST "$IAM_URL/v3/users" "$ADMIN_TOKEN" 201 \
  "{\"user\": {\"name\": \"$READER_NAME\", \"password\": \"$READER_PASSWORD\", \"domain_id\": \"$IAM_ADMIN_DOMAIN_ID\"}}" | json user.id)"
GROUP_ID="$(api POST "$IAM_URL/v3/groups" "$ADMIN_TOKEN" 201 \
  "{\"group\": {\"name\": \"e2e-readers\", \"domain_id\": \"$IAM_ADMIN_DOMAIN_ID\"}}" | json group.id)"
api PUT "$IAM_URL/v3/groups/$GROUP_ID/users/$READER_ID" "$ADMIN_TOKEN" 204 >/dev/null
READONLY_ROLE="$(api GET "$IAM_URL/v3/roles?name=readonly" "$ADMIN_TOKEN" 200 | json roles.0.id)"
api PUT "$IAM_URL/v3/projects/$PROJECT_ID/groups/$GROUP_ID/roles/$READONLY_ROLE" "$ADMIN_TOKEN" 204 >/dev/null
READER_TOKEN="$(iam_token "$READER_NAME" "$IAM_ADMIN_DOMAIN" "$READER_PASSWORD" "$PROJECT_ID")"
[[ -n "$READER_TOKEN" ]] || die "no X-Subject-Token for the readonly user"

# ---- swr-svc: instances and long-term credentials ------------------------------------

echo "==> swr-svc: instances and long-term credentials"
INSTANCE_ID="$(api POST "$SWR_URL/v2/$PROJECT_ID/instances" "$ADMIN_TOKEN" 201 \
  '{"name": "e2e-registry", "spec": "swr.ee.professional", "description": "registry e2e"}' | json instance_id)"
OTHER_INSTANCE_ID="$(api POST "$SWR_URL/v2/$PROJECT_ID/instances" "$ADMIN_TOKEN" 201 \
  "{\"name\": \"e2e-other\", \"spec\": \"swr.ee.professional\", \"description\": \"another registry\", \"registry\": {\"service\": \"$OTHER_SERVICE\", \"address\": \"127.0.0.1:1\"}}" | json instance_id)"

# credential TOKEN INSTANCE NAME: "user_id auth_token token_id" of a new credential.
credential() {
  api POST "$SWR_URL/v2/$PROJECT_ID/instances/$2/long-term-credential" "$1" 201 "{\"name\": \"$3\"}" |
    python3 -c 'import json, sys; c = json.load(sys.stdin); print(c["user_id"], c["auth_token"], c["token_id"])'
}
cred="$(credential "$ADMIN_TOKEN" "$INSTANCE_ID" ci-cred)"
read -r ADMIN_USER ADMIN_SECRET ADMIN_CRED_ID <<<"$cred"
cred="$(credential "$READER_TOKEN" "$INSTANCE_ID" reader-cred)"
read -r READER_USER READER_SECRET _ <<<"$cred"
cred="$(credential "$ADMIN_TOKEN" "$OTHER_INSTANCE_ID" other-cred)"
read -r OTHER_USER OTHER_SECRET _ <<<"$cred"
[[ "$ADMIN_USER" == "$IAM_ADMIN_USER_ID" && "$READER_USER" == "$READER_ID" ]] ||
  die "credentials name users '$ADMIN_USER' and '$READER_USER', expected '$IAM_ADMIN_USER_ID' and '$READER_ID'"

# ---- a one-layer OCI image, made by hand ---------------------------------------------

registry_make_image "$IMAGE_TEXT"

# ---- the checks ------------------------------------------------------------------------

echo "==> checks"

step "skopeo login with a fresh long-term credential"
registry_login admin "$ADMIN_USER" "$ADMIN_SECRET" || fail "login refused"
ok

step "skopeo login with a wrong password is refused"
registry_login wrong "$ADMIN_USER" "not-the-password" && fail "login accepted"
# Well-formed, but another user's auth_token.
registry_login wrong "$ADMIN_USER" "$READER_SECRET" && fail "login with another user's auth_token accepted"
ok

step "a credential of another registry (service $OTHER_SERVICE) is refused here"
registry_login other "$OTHER_USER" "$OTHER_SECRET" && fail "login accepted"
ok

step "push oci:image:v1 to $REGISTRY/$REPO:v1"
registry_push admin "$REPO:v1" || fail "push refused"
ok

step "pull $REPO:v1 back into a new OCI directory, same content"
registry_pull admin "$REPO:v1" "$WORK/pulled-admin" || fail "pull refused"
[[ "$(registry_image_text "$WORK/pulled-admin")" == "$IMAGE_TEXT" ]] ||
  fail "the pulled layer does not hold the pushed file"
ok

step "the readonly user's credential logs in"
registry_login reader "$READER_USER" "$READER_SECRET" || fail "login refused"
ok

step "the readonly user's token for pull,push grants pull only"
access="$(registry_token_access "$READER_USER" "$READER_SECRET" "repository:$REPO:pull,push")" ||
  fail "the token endpoint refused the readonly credential"
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
registry_push reader "ns/reader:v1" && fail "push to a new repository accepted"
ok

step "after PUT enable=false, the credential can no longer log in or pull"
api PUT "$SWR_URL/v2/$PROJECT_ID/instances/$INSTANCE_ID/long-term-credentials/$ADMIN_CRED_ID" \
  "$ADMIN_TOKEN" '2??' '{"enable": false}' >/dev/null
registry_login disabled "$ADMIN_USER" "$ADMIN_SECRET" && fail "login accepted"
registry_pull admin "$REPO:v1" "$WORK/pulled-disabled" && fail "pull with the stored login accepted"
ok
