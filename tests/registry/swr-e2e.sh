#!/usr/bin/env bash
# End-to-end registry login and tenancy: swr-svc as the token server (`/service/token`) of a
# real registry (Debian's docker-registry, CNCF distribution 2.8), driven by skopeo.
#
#   tests/registry/swr-e2e.sh
#
# Installs docker-registry and skopeo when missing (apt-get; needs root), builds iam-svc and
# swr-svc (debug) and starts them on free loopback ports in a temporary directory
# (scripts/lib/stack.sh; with TEST_DATABASE_URL=postgres://... each gets a fresh schema),
# then docker-registry with token auth pointing at swr-svc, whose development registry key
# and certificate swr-svc generates at start (scripts/lib/registry.sh). swr-svc's
# registry.service and registry.address name that one registry, which every instance
# fronts. Two tenants: the admin's project (instance A, a readonly user) and a second
# project whose own admin holds nothing in the first (instance B). Each instance makes its
# namespaces through the API. The script makes a one-layer OCI image by hand and checks,
# one line per step: an instance create naming a registry is refused; namespaces and their
# names' uniqueness on the registry; login with a fresh long-term credential, refusal of a
# wrong password and of another service; push and pull in the instance's own namespace and
# refusal outside its namespaces; pull-only for the readonly user; that neither tenant can
# pull or push the other's images, and that /service/token grants a tenant's credential no
# action on the other's namespaces whatever service and scope it asks; anonymous pull on a
# public namespace only, and not once it is made private; a deleted namespace opens to
# nobody; and refusal once the credential is disabled. Everything it started is stopped at
# exit; the logs (services, registry, skopeo) are printed when a step fails.
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
NS="e2e-a"         # instance A's private namespace
PUBLIC_NS="e2e-pub" # instance A's public namespace
NS_B="e2e-b"       # instance B's private namespace
REPO="$NS/app"
REPO_B="$NS_B/app"
PUBLIC_REPO="$PUBLIC_NS/app"
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

registry_init # picks the registry's address, swr-svc's registry.address
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

# ---- identities: the admin, a readonly user, and a second project's own admin --------

echo "==> iam-svc: admin token, readonly user, a second project and its admin"
e2e_identities e2e-reader "projects/$PROJECT_ID"
ADMIN_TOKEN="$E2E_ADMIN_TOKEN"
READER_ID="$E2E_READER_ID"
READER_TOKEN="$(e2e_iam_token "$E2E_READER_NAME" "$IAM_ADMIN_DOMAIN" "$E2E_READER_PASSWORD" "$PROJECT_ID")"
[[ -n "$READER_TOKEN" ]] || e2e_die "no X-Subject-Token for the readonly user"
PROJECT_B="$(e2e_project e2e-tenant-b)"
e2e_user e2e-tenant-b admin "projects/$PROJECT_B"
TENANT_B_ID="$E2E_USER_ID"
B_TOKEN="$(e2e_iam_token e2e-tenant-b "$IAM_ADMIN_DOMAIN" "$E2E_USER_PASSWORD" "$PROJECT_B")"
[[ -n "$B_TOKEN" ]] || e2e_die "no X-Subject-Token for the second project's admin"

# ---- swr-svc: an instance per project, and long-term credentials ----------------------

echo "==> swr-svc: instances and long-term credentials"
INSTANCE_ID="$(e2e_api POST "$SWR_URL/v2/$PROJECT_ID/instances" "$ADMIN_TOKEN" 201 \
  '{"name": "e2e-registry", "spec": "swr.ee.professional", "description": "registry e2e"}' | e2e_json instance_id)"
INSTANCE_B="$(e2e_api POST "$SWR_URL/v2/$PROJECT_B/instances" "$B_TOKEN" 201 \
  '{"name": "e2e-tenant-b", "spec": "swr.ee.professional", "description": "another tenant"}' | e2e_json instance_id)"

# credential TOKEN PROJECT INSTANCE NAME: "user_id auth_token token_id" of a new credential.
credential() {
  e2e_api POST "$SWR_URL/v2/$2/instances/$3/long-term-credential" "$1" 201 "{\"name\": \"$4\"}" |
    python3 -c 'import json, sys; c = json.load(sys.stdin); print(c["user_id"], c["auth_token"], c["token_id"])'
}
cred="$(credential "$ADMIN_TOKEN" "$PROJECT_ID" "$INSTANCE_ID" ci-cred)"
read -r ADMIN_USER ADMIN_SECRET ADMIN_CRED_ID <<<"$cred"
cred="$(credential "$READER_TOKEN" "$PROJECT_ID" "$INSTANCE_ID" reader-cred)"
read -r READER_USER READER_SECRET _ <<<"$cred"
cred="$(credential "$B_TOKEN" "$PROJECT_B" "$INSTANCE_B" tenant-b-cred)"
read -r B_USER B_SECRET _ <<<"$cred"
[[ "$ADMIN_USER" == "$IAM_ADMIN_USER_ID" && "$READER_USER" == "$READER_ID" && "$B_USER" == "$TENANT_B_ID" ]] ||
  e2e_die "credentials name users '$ADMIN_USER', '$READER_USER' and '$B_USER', expected '$IAM_ADMIN_USER_ID', '$READER_ID' and '$TENANT_B_ID'"

# namespace TOKEN PROJECT INSTANCE NAME PUBLIC EXPECTED_STATUS: create a namespace.
namespace() {
  e2e_api POST "$SWR_URL/v2/$2/instances/$3/namespaces" "$1" "$6" \
    "{\"namespace_name\": \"$4\", \"metadata\": {\"public\": \"$5\"}}"
}

# ---- a one-layer OCI image, made by hand ---------------------------------------------

registry_make_image "$IMAGE_TEXT"

# ---- the checks ------------------------------------------------------------------------

echo "==> checks"

e2e_step "an instance fronts the configured registry; a create body naming a registry is 400"
shown="$(e2e_api GET "$SWR_URL/v2/$PROJECT_ID/instances/$INSTANCE_ID" "$ADMIN_TOKEN" 200)"
[[ "$(e2e_json registry.service <<<"$shown")" == "$SERVICE" ]] || e2e_fail "registry.service of the instance: $shown"
[[ "$(e2e_json access_address <<<"$shown")" == "$REGISTRY" ]] || e2e_fail "access_address of the instance: $shown"
e2e_api POST "$SWR_URL/v2/$PROJECT_ID/instances" "$ADMIN_TOKEN" 400 \
  "{\"name\": \"e2e-other\", \"spec\": \"swr.ee.professional\", \"registry\": {\"service\": \"$OTHER_SERVICE\", \"address\": \"127.0.0.1:1\"}}" >/dev/null
e2e_ok

e2e_step "namespaces $NS and $PUBLIC_NS (public) of instance A, $NS_B of instance B"
namespace "$ADMIN_TOKEN" "$PROJECT_ID" "$INSTANCE_ID" "$NS" false 201 >/dev/null
namespace "$ADMIN_TOKEN" "$PROJECT_ID" "$INSTANCE_ID" "$PUBLIC_NS" true 201 >/dev/null
namespace "$B_TOKEN" "$PROJECT_B" "$INSTANCE_B" "$NS_B" false 201 >/dev/null
listed="$(e2e_api GET "$SWR_URL/v2/$PROJECT_ID/instances/$INSTANCE_ID/namespaces?public=true" "$ADMIN_TOKEN" 200)"
[[ "$(e2e_json total <<<"$listed")" == 1 && "$(e2e_json namespaces.0.name <<<"$listed")" == "$PUBLIC_NS" ]] ||
  e2e_fail "the public namespaces of instance A: $listed"
e2e_ok

e2e_step "a namespace name another instance on the registry holds is refused (409), in either project"
namespace "$B_TOKEN" "$PROJECT_B" "$INSTANCE_B" "$NS" false 409 >/dev/null
namespace "$ADMIN_TOKEN" "$PROJECT_ID" "$INSTANCE_ID" "$NS_B" true 409 >/dev/null
e2e_ok

e2e_step "skopeo login with a fresh long-term credential"
registry_login admin "$ADMIN_USER" "$ADMIN_SECRET" || e2e_fail "login refused"
e2e_ok

e2e_step "skopeo login with a wrong password is refused"
registry_refused registry_login wrong "$ADMIN_USER" "not-the-password" || e2e_fail "login not refused"
# Well-formed, but another user's auth_token.
registry_refused registry_login wrong "$ADMIN_USER" "$READER_SECRET" || e2e_fail "login with another user's auth_token not refused"
e2e_ok

e2e_step "a token for another registry service ($OTHER_SERVICE) is refused to the credential (401)"
reply="$(registry_token_reply "$OTHER_SERVICE" "$ADMIN_USER" "$ADMIN_SECRET" "repository:$REPO:pull")"
[[ "$reply" == 401 ]] || e2e_fail "answer: $reply"
e2e_ok

e2e_step "push oci:image:v1 to $REGISTRY/$REPO:v1"
registry_push admin "$REPO:v1" || e2e_fail "push refused"
e2e_ok

e2e_step "pull $REPO:v1 back into a new OCI directory, same content"
registry_pull admin "$REPO:v1" "$WORK/pulled-admin" || e2e_fail "pull refused"
[[ "$(registry_image_text "$WORK/pulled-admin")" == "$IMAGE_TEXT" ]] ||
  e2e_fail "the pulled layer does not hold the pushed file"
e2e_ok

e2e_step "no push outside the instance's namespaces (a namespace never made, no namespace at all)"
registry_refused registry_push admin "ns/app:v1" || e2e_fail "push to ns/app, a namespace nobody made, not refused"
registry_refused registry_push admin "app:v1" || e2e_fail "push to app, in no namespace, not refused"
registry_grants_nothing "$SERVICE" "$ADMIN_USER" "$ADMIN_SECRET" "repository:ns/app:pull,push" \
  "repository:app:pull,push" "registry:catalog:*" || e2e_fail "granted"
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
registry_refused registry_push reader "$REPO:v2" || e2e_fail "push not refused"
registry_refused registry_push reader "$NS/reader:v1" || e2e_fail "push to a new repository not refused"
e2e_ok

e2e_step "instance B's credential pushes $REPO_B:v1 and pulls it back"
registry_login tenant-b "$B_USER" "$B_SECRET" || e2e_fail "login refused"
registry_push tenant-b "$REPO_B:v1" || e2e_fail "push refused"
registry_pull tenant-b "$REPO_B:v1" "$WORK/pulled-b" || e2e_fail "pull refused"
e2e_ok

e2e_step "instance A's credential can neither pull nor push instance B's images"
registry_refused registry_pull admin "$REPO_B:v1" "$WORK/pulled-cross-a" || e2e_fail "pull of $REPO_B not refused"
registry_refused registry_push admin "$REPO_B:v2" || e2e_fail "push to $REPO_B not refused"
registry_refused registry_push admin "$NS_B/new:v1" || e2e_fail "push to a new repository of $NS_B not refused"
e2e_ok

e2e_step "instance B's credential can neither pull nor push instance A's images"
registry_refused registry_pull tenant-b "$REPO:v1" "$WORK/pulled-cross-b" || e2e_fail "pull of $REPO not refused"
registry_refused registry_push tenant-b "$REPO:v2" || e2e_fail "push to $REPO not refused"
registry_refused registry_push tenant-b "$NS/new:v1" || e2e_fail "push to a new repository of $NS not refused"
e2e_ok

# cross_scopes NS: every way to ask for actions in the namespace NS.
cross_scopes() {
  printf '%s\n' "repository:$1/app:pull" "repository:$1/app:push" "repository:$1/app:delete" \
    "repository:$1/app:*" "repository:$1/app:pull,push,delete,*" "repository:$1/deep/app:pull,push,delete,*" \
    "registry:catalog:*"
}

e2e_step "/service/token grants no action to one tenant's credential in the other's namespace, whatever service and scope"
for service in "$SERVICE" "$OTHER_SERVICE" ""; do
  mapfile -t scopes < <(cross_scopes "$NS_B")
  registry_grants_nothing "$service" "$ADMIN_USER" "$ADMIN_SECRET" "${scopes[@]}" ||
    e2e_fail "instance A's credential on service '$service'"
  mapfile -t scopes < <(cross_scopes "$NS")
  registry_grants_nothing "$service" "$B_USER" "$B_SECRET" "${scopes[@]}" ||
    e2e_fail "instance B's credential on service '$service'"
done
# The registry's own answer, to show the entries are there and empty.
reply="$(registry_token_reply "$SERVICE" "$ADMIN_USER" "$ADMIN_SECRET" "repository:$REPO_B:pull,push,delete,*")"
[[ "$reply" == '200 [{"type": "repository", "name": "'"$REPO_B"'", "actions": []}]' ]] ||
  e2e_fail "answer: $reply"
e2e_ok

e2e_step "a public namespace: anyone pulls (even without a login), nobody else pushes"
registry_push admin "$PUBLIC_REPO:v1" || e2e_fail "push to $PUBLIC_REPO refused"
registry_pull anonymous "$PUBLIC_REPO:v1" "$WORK/pulled-anonymous" || e2e_fail "anonymous pull refused"
[[ "$(registry_image_text "$WORK/pulled-anonymous")" == "$IMAGE_TEXT" ]] ||
  e2e_fail "the pulled layer does not hold the pushed file"
registry_pull tenant-b "$PUBLIC_REPO:v1" "$WORK/pulled-public-b" || e2e_fail "instance B's pull refused"
registry_refused registry_push tenant-b "$PUBLIC_REPO:v2" || e2e_fail "instance B's push not refused"
registry_refused registry_push anonymous "$PUBLIC_REPO:v2" || e2e_fail "anonymous push not refused"
reply="$(registry_token_reply "$SERVICE" "" "" "repository:$PUBLIC_REPO:pull,push,delete,*")"
[[ "$reply" == '200 [{"type": "repository", "name": "'"$PUBLIC_REPO"'", "actions": ["pull"]}]' ]] ||
  e2e_fail "anonymous token: $reply"
e2e_ok

e2e_step "no anonymous pull from a private namespace"
registry_refused registry_pull anonymous "$REPO:v1" "$WORK/pulled-anonymous-private" || e2e_fail "anonymous pull of $REPO not refused"
registry_refused registry_pull anonymous "$REPO_B:v1" "$WORK/pulled-anonymous-b" || e2e_fail "anonymous pull of $REPO_B not refused"
registry_grants_nothing "$SERVICE" "" "" "repository:$REPO:pull" "repository:$REPO_B:pull" "registry:catalog:*" ||
  e2e_fail "granted to an anonymous caller"
e2e_ok

e2e_step "once metadata.public is false, anonymous pull of $PUBLIC_REPO is refused"
e2e_api PUT "$SWR_URL/v2/$PROJECT_ID/instances/$INSTANCE_ID/namespaces/$PUBLIC_NS" "$ADMIN_TOKEN" '2??' \
  '{"metadata": {"public": "false"}}' >/dev/null
registry_refused registry_pull anonymous "$PUBLIC_REPO:v1" "$WORK/pulled-anonymous-after" || e2e_fail "anonymous pull not refused"
registry_refused registry_pull tenant-b "$PUBLIC_REPO:v1" "$WORK/pulled-public-b-after" || e2e_fail "instance B's pull not refused"
registry_pull admin "$PUBLIC_REPO:v1" "$WORK/pulled-public-admin" || e2e_fail "the owner's pull refused"
e2e_ok

e2e_step "a deleted namespace opens to nobody, and its name stays taken on the registry"
e2e_api DELETE "$SWR_URL/v2/$PROJECT_ID/instances/$INSTANCE_ID/namespaces/$PUBLIC_NS" "$ADMIN_TOKEN" '2??' >/dev/null
registry_refused registry_pull admin "$PUBLIC_REPO:v1" "$WORK/pulled-deleted-ns" || e2e_fail "the owner's pull not refused"
registry_refused registry_push admin "$PUBLIC_REPO:v2" || e2e_fail "the owner's push not refused"
namespace "$B_TOKEN" "$PROJECT_B" "$INSTANCE_B" "$PUBLIC_NS" true 409 >/dev/null
e2e_ok

e2e_step "after PUT enable=false, the credential can no longer log in or pull"
e2e_api PUT "$SWR_URL/v2/$PROJECT_ID/instances/$INSTANCE_ID/long-term-credentials/$ADMIN_CRED_ID" \
  "$ADMIN_TOKEN" '2??' '{"enable": false}' >/dev/null
registry_refused registry_login disabled "$ADMIN_USER" "$ADMIN_SECRET" || e2e_fail "login not refused"
registry_refused registry_pull admin "$REPO:v1" "$WORK/pulled-disabled" || e2e_fail "pull with the stored login not refused"
e2e_ok
