#!/usr/bin/env bash
# End-to-end registry login and tenancy: tcr-svc as the token server (`/service/token`) of a
# real registry (Debian's docker-registry, CNCF distribution 2.8), driven by skopeo, with
# namespaces, instance tokens and service accounts from tcr-svc's Tencent Cloud API 3.0
# actions.
#
#   tests/registry/tcr-e2e.sh
#
# Installs docker-registry and skopeo when missing (apt-get; needs root), builds iam-svc and
# tcr-svc (debug) and starts them on free loopback ports in a temporary directory
# (scripts/lib/stack.sh; with TEST_DATABASE_URL=postgres://... each gets a fresh schema),
# then docker-registry with token auth pointing at tcr-svc (scripts/lib/registry.sh), the
# one registry (registry.service, registry.address) every registry record fronts. Two
# accounts: the bootstrap domain (its admin, and a readonly user on the domain) and a second
# domain made by a second iam-svc bootstrap (scripts/lib/e2e.sh), each with a registry and
# namespaces of its own. Access keys sign the actions as SecretId/SecretKey with
# TC3-HMAC-SHA256 (a standard-library signer below,
# ../../shared/reference/tencent-sdk-wire.md section 2; no SDK needed). It checks, one line
# per step: CreateInstance; CreateNamespace, and that a namespace name is unique on the
# registry service; a temp token logs in, pushes and pulls in its registry's namespace and
# nowhere else; a longterm token logs in and pulls; wrong passwords are refused;
# ModifyInstanceToken (disable) and DeleteInstanceToken end a longterm token's logins; a
# readonly user's temp token pulls but cannot push; neither account can pull or push the
# other's images, and /service/token grants one account's tokens no action on the other's
# namespaces whatever service and scope they ask; anonymous pull works on a public
# namespace only, and not once ModifyNamespace makes it private; a deleted namespace opens
# to nobody and its name stays taken; a service account (`tcr$NAME`) pushes and pulls where
# its Permissions say, is refused elsewhere, follows ModifyServiceAccount (Permissions,
# Disable) and ModifyServiceAccountPassword, and is refused once deleted; another account's
# service account naming this registry's namespace gets nothing there. Everything it
# started is stopped at exit; the logs (services, registry, skopeo, API calls) are printed
# when a step fails.
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
OTHER_SERVICE="other-registry"
NS="team"        # registry A's private namespace
NS2="team2"      # registry A's second private namespace
NS3="team3"      # registry A's third private namespace
PUBLIC_NS="pub"  # registry A's public namespace
NS_B="team-b"    # registry B's (the second account's) private namespace
REPO="$NS/app"
REPO2="$NS2/app"
REPO_B="$NS_B/app"
PUBLIC_REPO="$PUBLIC_NS/app"
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

# access_key USER_ID [TOKEN]: "access secret" of a new iam-svc access key, made with TOKEN
# (default: the admin's).
access_key() {
  e2e_api POST "$IAM_URL/v3.0/OS-CREDENTIAL/credentials" "${2:-$E2E_ADMIN_TOKEN}" 201 \
    "{\"credential\": {\"user_id\": \"$1\", \"description\": \"tcr e2e\"}}" |
    python3 -c 'import json, sys; c = json.load(sys.stdin)["credential"]; print(c["access"], c["secret"])'
}

# tcr WHO ACTION [JSON_BODY]: ACTION signed with WHO's (admin, reader, or tenant-b: the
# second account's admin) access key; the
# Response object on stdout. Status 3 when it holds an Error, 1 when the call failed.
tcr() {
  local ak sk body=${3:-'{}'} status=0
  case "$1" in
    admin) ak=$ADMIN_AK sk=$ADMIN_SK ;;
    reader) ak=$READER_AK sk=$READER_SK ;;
    tenant-b) ak=$B_AK sk=$B_SK ;;
    *) e2e_die "tcr: unknown identity $1" ;;
  esac
  TCR_URL="$TCR_URL" TC3_REGION="$REGION" TC3_SECRET_ID="$ak" TC3_SECRET_KEY="$sk" \
    python3 "$WORK/tc3.py" "$2" "$body" >"$WORK/tcr-answer" 2>>"$API_LOG" || status=$?
  # Tokens and passwords are secrets even here: the log shows their first characters only.
  local hide='s/("(Token|Password)": "[^"]{4})[^"]*"/\1..."/g'
  printf '[%s] %s %s -> %s\n' "$1" "$2" "$(sed -E "$hide" <<<"$body")" \
    "$(sed -E "$hide" "$WORK/tcr-answer")" >>"$API_LOG"
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

# tcr_error WHO ACTION [JSON_BODY]: the action must be refused; its Error.Code on stdout.
tcr_error() {
  local out status=0
  out="$(tcr "$@")" || status=$?
  ((status == 3)) || e2e_fail "$2 was not refused with an Error (status $status): ${out:-no answer, see $API_LOG}"
  e2e_json Error.Code <<<"$out"
}

# one_of VALUE CHOICE...: VALUE is one of the CHOICEs.
one_of() {
  local v=$1 c
  shift
  for c in "$@"; do [[ "$v" == "$c" ]] && return 0; done
  return 1
}

# ---- identities: the admin, and a readonly user (role readonly on the domain) ----------

echo "==> iam-svc: admin token, readonly user, access keys"
e2e_identities tcr-e2e-reader "domains/$IAM_ADMIN_DOMAIN_ID"
READER_ID="$E2E_READER_ID"

read -r ADMIN_AK ADMIN_SK <<<"$(access_key "$IAM_ADMIN_USER_ID")"
read -r READER_AK READER_SK <<<"$(access_key "$READER_ID")"
[[ -n "$ADMIN_SK" && -n "$READER_SK" ]] || e2e_die "iam-svc did not return the access keys' secrets"

echo "==> iam-svc: a second account (domain e2e-tenant-b) with its own admin and access key"
e2e_second_domain e2e-tenant-b
B_TOKEN="$(e2e_iam_token "$E2E_DOMAIN2_USER" e2e-tenant-b "$E2E_DOMAIN2_PASSWORD" "$E2E_DOMAIN2_PROJECT_ID")"
[[ -n "$B_TOKEN" ]] || e2e_die "no X-Subject-Token for the second account's admin"
read -r B_AK B_SK <<<"$(access_key "$E2E_DOMAIN2_USER_ID" "$B_TOKEN")"
[[ -n "$B_SK" ]] || e2e_die "iam-svc did not return the second account's access key secret"

registry_make_image "$IMAGE_TEXT"

# ---- the checks ------------------------------------------------------------------------

echo "==> checks"

e2e_step "CreateInstance makes a registry that records the registry's address"
REGISTRY_ID="$(tcr_ok admin CreateInstance '{"RegistryName": "tcr-e2e-registry", "RegistryType": "basic"}' | e2e_json RegistryId)"
[[ "$REGISTRY_ID" == tcr-* ]] || e2e_fail "RegistryId '$REGISTRY_ID'"
domain="$(tcr_ok admin DescribeInstances "{\"Registryids\": [\"$REGISTRY_ID\"]}" | e2e_json Registries.0.PublicDomain)"
[[ "$domain" == "$REGISTRY" ]] || e2e_fail "PublicDomain '$domain', expected '$REGISTRY'"
REGISTRY_B="$(tcr_ok tenant-b CreateInstance '{"RegistryName": "tcr-e2e-tenant-b", "RegistryType": "basic"}' | e2e_json RegistryId)"
[[ "$REGISTRY_B" == tcr-* && "$REGISTRY_B" != "$REGISTRY_ID" ]] || e2e_fail "the second account's RegistryId '$REGISTRY_B'"
e2e_ok

e2e_step "CreateNamespace: $NS, $NS2, $NS3 and $PUBLIC_NS (IsPublic) in registry A, $NS_B in registry B"
for ns in "$NS" "$NS2" "$NS3"; do
  tcr_ok admin CreateNamespace "{\"RegistryId\": \"$REGISTRY_ID\", \"NamespaceName\": \"$ns\", \"IsPublic\": false}" >/dev/null
done
tcr_ok admin CreateNamespace "{\"RegistryId\": \"$REGISTRY_ID\", \"NamespaceName\": \"$PUBLIC_NS\", \"IsPublic\": true}" >/dev/null
tcr_ok tenant-b CreateNamespace "{\"RegistryId\": \"$REGISTRY_B\", \"NamespaceName\": \"$NS_B\", \"IsPublic\": false}" >/dev/null
listed="$(tcr_ok admin DescribeNamespaces "{\"RegistryId\": \"$REGISTRY_ID\", \"NamespaceName\": \"$PUBLIC_NS\"}")"
[[ "$(e2e_json NamespaceList.0.Name <<<"$listed")" == "$PUBLIC_NS" && "$(e2e_json NamespaceList.0.Public <<<"$listed")" == true ]] ||
  e2e_fail "DescribeNamespaces of $PUBLIC_NS: $listed"
e2e_ok

e2e_step "a namespace name another registry on the service holds is refused, in either account"
code="$(tcr_error tenant-b CreateNamespace "{\"RegistryId\": \"$REGISTRY_B\", \"NamespaceName\": \"$NS\", \"IsPublic\": false}")"
one_of "$code" InvalidParameter.ErrNamespaceExist FailedOperation.ErrorTcrResourceConflict || e2e_fail "Error.Code $code"
code="$(tcr_error admin CreateNamespace "{\"RegistryId\": \"$REGISTRY_ID\", \"NamespaceName\": \"$NS_B\", \"IsPublic\": true}")"
one_of "$code" InvalidParameter.ErrNamespaceExist FailedOperation.ErrorTcrResourceConflict || e2e_fail "Error.Code $code"
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

e2e_step "the temp token pushes nowhere outside its registry's namespaces"
registry_refused registry_push temp "ns/app:v1" || e2e_fail "push to ns/app, a namespace nobody made, not refused"
registry_refused registry_push temp "app:v1" || e2e_fail "push to app, in no namespace, not refused"
registry_grants_nothing "$SERVICE" "$TEMP_USER" "$TEMP_TOKEN" "repository:ns/app:pull,push" \
  "repository:app:pull,push" "registry:catalog:*" || e2e_fail "granted"
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
registry_refused registry_login wrong "$LONG_USER" "not-the-token" || e2e_fail "login with a made-up password not refused"
# Well-formed but altered: the token's checksum no longer matches.
registry_login wrong "$LONG_USER" "${LONG_TOKEN%?}$([[ "${LONG_TOKEN: -1}" == A ]] && echo B || echo A)" &&
  e2e_fail "login with an altered token accepted"
# A real token under another user name.
registry_refused registry_login wrong "$READER_ID" "$LONG_TOKEN" || e2e_fail "login with another user name not refused"
e2e_ok

e2e_step "after ModifyInstanceToken (ModifyFlag 2, Enable false), the longterm token can no longer log in or pull"
tcr_ok admin ModifyInstanceToken \
  "{\"TokenId\": \"$LONG_ID\", \"RegistryId\": \"$REGISTRY_ID\", \"Enable\": false, \"ModifyFlag\": 2}" >/dev/null
registry_refused registry_login disabled "$LONG_USER" "$LONG_TOKEN" || e2e_fail "login not refused"
registry_refused registry_pull longterm "$REPO:v1" "$WORK/pulled-disabled" || e2e_fail "pull with the stored login not refused"
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
registry_refused registry_login deleted "$LONG_USER" "$LONG_TOKEN" || e2e_fail "login not refused"
registry_refused registry_pull longterm "$REPO:v1" "$WORK/pulled-deleted" || e2e_fail "pull with the stored login not refused"
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
registry_refused registry_push reader "$REPO:v2" || e2e_fail "push not refused"
registry_refused registry_push reader "$NS/reader:v1" || e2e_fail "push to a new repository not refused"
e2e_ok

# ---- two accounts on one registry service ------------------------------------------------

e2e_step "the second account's temp token pushes $REPO_B:v1 and pulls it back"
answer="$(tcr_ok tenant-b CreateInstanceToken "{\"RegistryId\": \"$REGISTRY_B\", \"TokenType\": \"temp\"}")"
B_USER="$(e2e_json Username <<<"$answer")"
B_TOKEN_SECRET="$(e2e_json Token <<<"$answer")"
[[ "$B_USER" == "$E2E_DOMAIN2_USER_ID" ]] || e2e_fail "Username '$B_USER', expected $E2E_DOMAIN2_USER_ID"
registry_login tenant-b "$B_USER" "$B_TOKEN_SECRET" || e2e_fail "login refused"
registry_push tenant-b "$REPO_B:v1" || e2e_fail "push refused"
registry_pull tenant-b "$REPO_B:v1" "$WORK/pulled-b" || e2e_fail "pull refused"
e2e_ok

e2e_step "registry A's token can neither pull nor push the second account's images"
registry_refused registry_pull temp "$REPO_B:v1" "$WORK/pulled-cross-a" || e2e_fail "pull of $REPO_B not refused"
registry_refused registry_push temp "$REPO_B:v2" || e2e_fail "push to $REPO_B not refused"
registry_refused registry_push temp "$NS_B/new:v1" || e2e_fail "push to a new repository of $NS_B not refused"
e2e_ok

e2e_step "the second account's token can neither pull nor push registry A's images"
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

e2e_step "/service/token grants no action to one account's token in the other's namespace, whatever service and scope"
for service in "$SERVICE" "$OTHER_SERVICE" ""; do
  mapfile -t scopes < <(cross_scopes "$NS_B")
  registry_grants_nothing "$service" "$TEMP_USER" "$TEMP_TOKEN" "${scopes[@]}" ||
    e2e_fail "registry A's token on service '$service'"
  mapfile -t scopes < <(cross_scopes "$NS")
  registry_grants_nothing "$service" "$B_USER" "$B_TOKEN_SECRET" "${scopes[@]}" ||
    e2e_fail "the second account's token on service '$service'"
done
reply="$(registry_token_reply "$SERVICE" "$TEMP_USER" "$TEMP_TOKEN" "repository:$REPO_B:pull,push,delete,*")"
[[ "$reply" == '200 [{"type": "repository", "name": "'"$REPO_B"'", "actions": []}]' ]] ||
  e2e_fail "answer: $reply"
e2e_ok

# ---- public namespaces ----------------------------------------------------------------

e2e_step "a public namespace: anyone pulls (even without a login), nobody else pushes"
registry_push temp "$PUBLIC_REPO:v1" || e2e_fail "push to $PUBLIC_REPO refused"
registry_pull anonymous "$PUBLIC_REPO:v1" "$WORK/pulled-anonymous" || e2e_fail "anonymous pull refused"
[[ "$(registry_image_text "$WORK/pulled-anonymous")" == "$IMAGE_TEXT" ]] ||
  e2e_fail "the pulled layer does not hold the pushed file"
registry_pull tenant-b "$PUBLIC_REPO:v1" "$WORK/pulled-public-b" || e2e_fail "the second account's pull refused"
registry_refused registry_push tenant-b "$PUBLIC_REPO:v2" || e2e_fail "the second account's push not refused"
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

e2e_step "after ModifyNamespace IsPublic false, anonymous pull of $PUBLIC_REPO is refused"
tcr_ok admin ModifyNamespace "{\"RegistryId\": \"$REGISTRY_ID\", \"NamespaceName\": \"$PUBLIC_NS\", \"IsPublic\": false}" >/dev/null
registry_refused registry_pull anonymous "$PUBLIC_REPO:v1" "$WORK/pulled-anonymous-after" || e2e_fail "anonymous pull not refused"
registry_refused registry_pull tenant-b "$PUBLIC_REPO:v1" "$WORK/pulled-public-b-after" || e2e_fail "the second account's pull not refused"
registry_pull temp "$PUBLIC_REPO:v1" "$WORK/pulled-public-owner" || e2e_fail "the owner's pull refused"
e2e_ok

e2e_step "after DeleteNamespace, the namespace opens to nobody and its name stays taken on the service"
tcr_ok admin DeleteNamespace "{\"RegistryId\": \"$REGISTRY_ID\", \"NamespaceName\": \"$PUBLIC_NS\"}" >/dev/null
registry_refused registry_pull temp "$PUBLIC_REPO:v1" "$WORK/pulled-deleted-ns" || e2e_fail "the owner's pull not refused"
registry_refused registry_push temp "$PUBLIC_REPO:v2" || e2e_fail "the owner's push not refused"
code="$(tcr_error tenant-b CreateNamespace "{\"RegistryId\": \"$REGISTRY_B\", \"NamespaceName\": \"$PUBLIC_NS\", \"IsPublic\": true}")"
one_of "$code" InvalidParameter.ErrNamespaceExist FailedOperation.ErrorTcrResourceConflict || e2e_fail "Error.Code $code"
e2e_ok

# ---- service accounts ------------------------------------------------------------------

sa_body() { # sa_body JSON_FIELDS: a body for registry A's service account ci
  echo "{\"RegistryId\": \"$REGISTRY_ID\", \"Name\": \"ci\"$1}"
}

e2e_step "CreateServiceAccount ci (push and pull in $NS, pull in $NS2, 1 day) answers the login name tcr\$ci"
registry_push temp "$REPO2:v1" || e2e_fail "the temp token's push to $REPO2 refused"
answer="$(tcr_ok admin CreateServiceAccount "$(sa_body ", \"Description\": \"tcr e2e\", \"Duration\": 1, \"Disable\": false, \"Permissions\": [{\"Resource\": \"$NS\", \"Actions\": [\"tcr:PushRepository\", \"tcr:PullRepository\"]}, {\"Resource\": \"$NS2\", \"Actions\": [\"tcr:PullRepository\"]}]")")"
SA_USER="$(e2e_json Name <<<"$answer")"
SA_PASSWORD="$(e2e_json Password <<<"$answer")"
[[ "$SA_USER" == 'tcr$ci' ]] || e2e_fail "Name '$SA_USER', expected tcr\$ci"
[[ -n "$SA_PASSWORD" ]] || e2e_fail "no Password"
registry_login sa "$SA_USER" "$SA_PASSWORD" || e2e_fail "login refused"
registry_refused registry_login wrong "ci" "$SA_PASSWORD" || e2e_fail "login without the tcr\$ prefix not refused"
registry_refused registry_login wrong "$SA_USER" "not-the-password" || e2e_fail "login with a wrong password not refused"
e2e_ok

e2e_step "the service account pushes and pulls in $NS"
registry_push sa "$NS/ci:v1" || e2e_fail "push refused"
registry_pull sa "$REPO:v1" "$WORK/pulled-sa" || e2e_fail "pull refused"
[[ "$(registry_image_text "$WORK/pulled-sa")" == "$IMAGE_TEXT" ]] || e2e_fail "the pulled layer does not hold the pushed file"
access="$(registry_token_access "$SA_USER" "$SA_PASSWORD" "repository:$REPO:pull,push")" || e2e_fail "token refused"
[[ "$access" == '[{"type": "repository", "name": "'"$REPO"'", "actions": ["pull", "push"]}]' ]] ||
  e2e_fail "unexpected access claim $access"
e2e_ok

e2e_step "the service account pulls but cannot push in $NS2"
registry_pull sa "$REPO2:v1" "$WORK/pulled-sa-2" || e2e_fail "pull refused"
registry_refused registry_push sa "$REPO2:v2" || e2e_fail "push not refused"
access="$(registry_token_access "$SA_USER" "$SA_PASSWORD" "repository:$REPO2:pull,push")" || e2e_fail "token refused"
[[ "$access" == '[{"type": "repository", "name": "'"$REPO2"'", "actions": ["pull"]}]' ]] ||
  e2e_fail "unexpected access claim $access"
e2e_ok

e2e_step "the service account gets nothing in a namespace its Permissions do not name"
registry_refused registry_push sa "$NS3/ci:v1" || e2e_fail "push to $NS3 not refused"
registry_grants_nothing "$SERVICE" "$SA_USER" "$SA_PASSWORD" "repository:$NS3/ci:pull,push,delete,*" \
  "repository:ns/app:pull,push" "registry:catalog:*" || e2e_fail "granted"
e2e_ok

e2e_step "after ModifyServiceAccount (Permissions: pull only in $NS), the service account cannot push there"
tcr_ok admin ModifyServiceAccount "$(sa_body ", \"Permissions\": [{\"Resource\": \"$NS\", \"Actions\": [\"tcr:PullRepository\"]}]")" >/dev/null
registry_refused registry_push sa "$NS/ci:v2" || e2e_fail "push not refused"
registry_pull sa "$REPO:v1" "$WORK/pulled-sa-modified" || e2e_fail "pull refused"
registry_refused registry_pull sa "$REPO2:v1" "$WORK/pulled-sa-modified-2" || e2e_fail "pull in $NS2, no longer named, not refused"
described="$(tcr_ok admin DescribeServiceAccounts "{\"RegistryId\": \"$REGISTRY_ID\", \"EmbedPermission\": true}")"
# Compared as JSON: the order of an object's keys is no part of the answer.
permissions="$(e2e_json ServiceAccounts.0.Permissions <<<"$described" |
  python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin), sort_keys=True))')"
[[ "$permissions" == '[{"Actions": ["tcr:PullRepository"], "Resource": "'"$NS"'"}]' ]] ||
  e2e_fail "DescribeServiceAccounts: $described"
e2e_ok

e2e_step "with tcr:PushRepository alone in $NS, the service account pushes there (an upload asks for pull and push)"
tcr_ok admin ModifyServiceAccount "$(sa_body ", \"Permissions\": [{\"Resource\": \"$NS\", \"Actions\": [\"tcr:PushRepository\"]}]")" >/dev/null
registry_push sa "$NS/ci:v3" || e2e_fail "push refused"
e2e_ok

e2e_step "after ModifyServiceAccount Disable true, the service account can no longer log in or pull; Disable false restores it"
tcr_ok admin ModifyServiceAccount "$(sa_body ", \"Disable\": true")" >/dev/null
registry_refused registry_login sa-disabled "$SA_USER" "$SA_PASSWORD" || e2e_fail "login not refused"
registry_refused registry_pull sa "$REPO:v1" "$WORK/pulled-sa-disabled" || e2e_fail "pull with the stored login not refused"
tcr_ok admin ModifyServiceAccount "$(sa_body ", \"Disable\": false")" >/dev/null
registry_login sa "$SA_USER" "$SA_PASSWORD" || e2e_fail "login refused once enabled again"
e2e_ok

e2e_step "after ModifyServiceAccountPassword, only the new password logs in (random, then chosen)"
NEW_PASSWORD="$(tcr_ok admin ModifyServiceAccountPassword "$(sa_body ", \"Random\": true")" | e2e_json Password)"
[[ -n "$NEW_PASSWORD" && "$NEW_PASSWORD" != "$SA_PASSWORD" ]] || e2e_fail "no new random Password"
registry_refused registry_login wrong "$SA_USER" "$SA_PASSWORD" || e2e_fail "the old password logs in"
registry_login sa "$SA_USER" "$NEW_PASSWORD" || e2e_fail "the random password is refused"
tcr_ok admin ModifyServiceAccountPassword "$(sa_body ", \"Random\": false, \"Password\": \"E2e-Pass123\"")" >/dev/null
registry_refused registry_login wrong "$SA_USER" "$NEW_PASSWORD" || e2e_fail "the random password still logs in"
registry_login sa "$SA_USER" "E2e-Pass123" || e2e_fail "the chosen password is refused"
SA_PASSWORD="E2e-Pass123"
e2e_ok

e2e_step "after DeleteServiceAccount, the service account can no longer log in or pull"
tcr_ok admin DeleteServiceAccount "$(sa_body "")" >/dev/null
described="$(tcr_ok admin DescribeServiceAccounts "{\"RegistryId\": \"$REGISTRY_ID\"}")"
[[ "$(e2e_json TotalCount <<<"$described")" == 0 ]] || e2e_fail "DescribeServiceAccounts still lists it: $described"
registry_refused registry_login deleted "$SA_USER" "$SA_PASSWORD" || e2e_fail "login not refused"
registry_refused registry_pull sa "$REPO:v1" "$WORK/pulled-sa-deleted" || e2e_fail "pull with the stored login not refused"
e2e_ok

e2e_step "a service account of the second account whose Permissions name registry A's namespace gets nothing there"
status=0
answer="$(tcr tenant-b CreateServiceAccount "{\"RegistryId\": \"$REGISTRY_B\", \"Name\": \"intruder\", \"Permissions\": [{\"Resource\": \"$NS\", \"Actions\": [\"tcr:PushRepository\", \"tcr:PullRepository\"]}]}")" || status=$?
case "$status" in
  3) ;; # refused outright: the namespace is not the registry's
  0)
    INTRUDER_USER="$(e2e_json Name <<<"$answer")"
    INTRUDER_PASSWORD="$(e2e_json Password <<<"$answer")"
    mapfile -t scopes < <(cross_scopes "$NS")
    registry_grants_nothing "$SERVICE" "$INTRUDER_USER" "$INTRUDER_PASSWORD" "${scopes[@]}" || e2e_fail "granted"
    registry_login intruder "$INTRUDER_USER" "$INTRUDER_PASSWORD" || true
    registry_refused registry_pull intruder "$REPO:v1" "$WORK/pulled-intruder" || e2e_fail "pull of $REPO not refused"
    registry_refused registry_push intruder "$REPO:v3" || e2e_fail "push to $REPO not refused"
    ;;
  *) e2e_fail "CreateServiceAccount failed (status $status): $answer" ;;
esac
e2e_ok

