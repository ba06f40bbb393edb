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
# shellcheck source=scripts/lib/e2e.sh
. scripts/lib/e2e.sh

ISSUER="swr-svc"
SERVICE="swr-registry"
OTHER_SERVICE="other-registry"
REPO="ns/app"
IMAGE_TEXT="hello from the swr-svc registry e2e test"

# ---- scratch directory (scripts/lib/stack.sh); at exit stop everything, logs on failure

e2e_init swr-e2e
WORK="$STACK_DIR"

# ---- prerequisites -------------------------------------------------------------------

registry_require_tools

echo "==> building iam-svc and swr-svc (debug)"
cargo build -p iam-svc -p swr-svc

# ---- iam-svc and swr-svc (swr-svc makes the certificate the registry trusts) ----------

echo "==> iam-svc and swr-svc in $WORK"
stack_start_iam
[[ -f "$STACK_ENV_FILE" ]] || e2e_die "iam-svc bootstrap did not write $STACK_ENV_FILE"
[[ -s "$IAM__INTERNAL__CREDENTIAL_FILE" ]] || e2e_die "iam-svc gen-keys did not write $IAM__INTERNAL__CREDENTIAL_FILE"
[[ "${IAM_URL:-}" == "$IAM__PUBLIC_URL" ]] || e2e_die "$STACK_ENV_FILE says IAM_URL='${IAM_URL:-}'"
PROJECT_ID="$IAM_ADMIN_PROJECT_ID"

registry_init # picks the registry's address, which swr-svc's instances record
REGISTRY="$REGISTRY_ADDRESS"
export SWR__REGISTRY__ISSUER="$ISSUER"
stack_start_swr "$SERVICE" "$REGISTRY"
SIGNING_KEY="$SWR__REGISTRY__SIGNING_KEY_FILE"
CERTIFICATE="$SWR__REGISTRY__CERTIFICATE_FILE"
[[ -s "$CERTIFICATE" && -s "$SIGNING_KEY" ]] ||
  e2e_die "swr-svc is ready but did not generate $SIGNING_KEY and $CERTIFICATE"
key_mode="$(stat -c '%a' "$SIGNING_KEY")"
[[ "$key_mode" == 600 ]] || e2e_die "the generated registry signing key is mode $key_mode, not 600"

# ---- the registry --------------------------------------------------------------------

echo "==> docker-registry on $REGISTRY (token realm $SWR_URL/service/token)"
registry_start "$SWR_URL/service/token" "$SERVICE" "$ISSUER" "$CERTIFICATE"

# ---- identities: the admin, and a readonly user --------------------------------------

echo "==> iam-svc: admin token, readonly user"
e2e_identities e2e-reader "projects/$PROJECT_ID"
ADMIN_TOKEN="$E2E_ADMIN_TOKEN"
READER_ID="$E2E_READER_ID"
READER_TOKEN="$(e2e_iam_token "$E2E_READER_NAME" "$IAM_ADMIN_DOMAIN" "$E2E_READER_PASSWORD" "$PROJECT_ID")"
[[ -n "$READER_TOKEN" ]] || e2e_die "no X-Subject-Token for the readonly user"

# ---- swr-svc: instances and long-term credentials ------------------------------------

echo "==> swr-svc: instances and long-term credentials"
INSTANCE_ID="$(e2e_api POST "$SWR_URL/v2/$PROJECT_ID/instances" "$ADMIN_TOKEN" 201 \
  '{"name": "e2e-registry", "spec": "swr.ee.professional", "description": "registry e2e"}' | e2e_json instance_id)"
OTHER_INSTANCE_ID="$(e2e_api POST "$SWR_URL/v2/$PROJECT_ID/instances" "$ADMIN_TOKEN" 201 \
  "{\"name\": \"e2e-other\", \"spec\": \"swr.ee.professional\", \"description\": \"another registry\", \"registry\": {\"service\": \"$OTHER_SERVICE\", \"address\": \"127.0.0.1:1\"}}" | e2e_json instance_id)"

# credential TOKEN INSTANCE NAME: "user_id auth_token token_id" of a new credential.
credential() {
  e2e_api POST "$SWR_URL/v2/$PROJECT_ID/instances/$2/long-term-credential" "$1" 201 "{\"name\": \"$3\"}" |
    python3 -c 'import json, sys; c = json.load(sys.stdin); print(c["user_id"], c["auth_token"], c["token_id"])'
}
cred="$(credential "$ADMIN_TOKEN" "$INSTANCE_ID" ci-cred)"
read -r ADMIN_USER ADMIN_SECRET ADMIN_CRED_ID <<<"$cred"
cred="$(credential "$READER_TOKEN" "$INSTANCE_ID" reader-cred)"
read -r READER_USER READER_SECRET _ <<<"$cred"
cred="$(credential "$ADMIN_TOKEN" "$OTHER_INSTANCE_ID" other-cred)"
read -r OTHER_USER OTHER_SECRET _ <<<"$cred"
[[ "$ADMIN_USER" == "$IAM_ADMIN_USER_ID" && "$READER_USER" == "$READER_ID" ]] ||
  e2e_die "credentials name users '$ADMIN_USER' and '$READER_USER', expected '$IAM_ADMIN_USER_ID' and '$READER_ID'"

# ---- a one-layer OCI image, made by hand ---------------------------------------------

registry_make_image "$IMAGE_TEXT"

# ---- the checks ------------------------------------------------------------------------

echo "==> checks"

e2e_step "skopeo login with a fresh long-term credential"
registry_login admin "$ADMIN_USER" "$ADMIN_SECRET" || e2e_fail "login refused"
e2e_ok

e2e_step "skopeo login with a wrong password is refused"
registry_login wrong "$ADMIN_USER" "not-the-password" && e2e_fail "login accepted"
# Well-formed, but another user's auth_token.
registry_login wrong "$ADMIN_USER" "$READER_SECRET" && e2e_fail "login with another user's auth_token accepted"
e2e_ok

e2e_step "a credential of another registry (service $OTHER_SERVICE) is refused here"
registry_login other "$OTHER_USER" "$OTHER_SECRET" && e2e_fail "login accepted"
e2e_ok

e2e_step "push oci:image:v1 to $REGISTRY/$REPO:v1"
registry_push admin "$REPO:v1" || e2e_fail "push refused"
e2e_ok

e2e_step "pull $REPO:v1 back into a new OCI directory, same content"
registry_pull admin "$REPO:v1" "$WORK/pulled-admin" || e2e_fail "pull refused"
[[ "$(registry_image_text "$WORK/pulled-admin")" == "$IMAGE_TEXT" ]] ||
  e2e_fail "the pulled layer does not hold the pushed file"
e2e_ok

e2e_step "the readonly user's credential logs in"
registry_login reader "$READER_USER" "$READER_SECRET" || e2e_fail "login refused"
e2e_ok

e2e_step "the readonly user's token for pull,push grants pull only"
access="$(registry_token_access "$READER_USER" "$READER_SECRET" "repository:$REPO:pull,push")" ||
  e2e_fail "the token endpoint refused the readonly credential"
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
registry_push reader "ns/reader:v1" && e2e_fail "push to a new repository accepted"
e2e_ok

e2e_step "after PUT enable=false, the credential can no longer log in or pull"
e2e_api PUT "$SWR_URL/v2/$PROJECT_ID/instances/$INSTANCE_ID/long-term-credentials/$ADMIN_CRED_ID" \
  "$ADMIN_TOKEN" '2??' '{"enable": false}' >/dev/null
registry_login disabled "$ADMIN_USER" "$ADMIN_SECRET" && e2e_fail "login accepted"
registry_pull admin "$REPO:v1" "$WORK/pulled-disabled" && e2e_fail "pull with the stored login accepted"
e2e_ok
