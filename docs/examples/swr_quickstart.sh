#!/usr/bin/env bash
# Create an SWR instance, a namespace in it and a long-term credential with curl, then
# (when a registry that logs in through swr-svc is running, as `make run` starts one) log in
# to it with skopeo.
# Needs the variables `make run` writes to var/local-stack.env:
#   set -a; . var/local-stack.env; set +a; bash docs/examples/swr_quickstart.sh
set -euo pipefail

TOKEN=$(curl -sS -D - -o /dev/null -X POST "$IAM_URL/v3/auth/tokens" \
  -H 'Content-Type: application/json' \
  -d @- <<JSON | awk 'tolower($1) == "x-subject-token:" { print $2 }' | tr -d '\r'
{"auth": {"identity": {"methods": ["password"], "password": {"user": {
   "domain": {"name": "$IAM_ADMIN_DOMAIN"}, "name": "$IAM_ADMIN_USER", "password": "$IAM_ADMIN_PASSWORD"}}},
 "scope": {"project": {"id": "$IAM_ADMIN_PROJECT_ID"}}}}
JSON
)
P="$SWR_URL/v2/$IAM_ADMIN_PROJECT_ID"
field() { python3 -c "import json, sys; print(json.load(sys.stdin)[\"$1\"])"; }

# 1. An instance; it fronts the registry named in swr-svc's configuration.
INSTANCE=$(curl -sSf -X POST "$P/instances" -H "X-Auth-Token: $TOKEN" -H 'Content-Type: application/json' \
  -d "{\"name\": \"demo-$RANDOM\", \"spec\": \"swr.ee.professional\"}" | field instance_id)
echo "instance $INSTANCE"

# 2. A namespace: the credentials of this instance push and pull <registry>/<namespace>/<app>,
#    and nothing of another instance's namespaces. Its name is unique in the registry.
NAMESPACE="demo-$RANDOM"
curl -sSf -X POST "$P/instances/$INSTANCE/namespaces" -H "X-Auth-Token: $TOKEN" \
  -H 'Content-Type: application/json' -d "{\"namespace_name\": \"$NAMESPACE\", \"metadata\": {\"public\": \"false\"}}"
echo
curl -sSf "$P/instances/$INSTANCE/namespaces/$NAMESPACE" -H "X-Auth-Token: $TOKEN"
echo

# 3. A long-term credential: user_id is the registry user name, auth_token the password
#    (shown only in this answer).
CRED=$(curl -sSf -X POST "$P/instances/$INSTANCE/long-term-credential" \
  -H "X-Auth-Token: $TOKEN" -H 'Content-Type: application/json' -d '{"name": "laptop"}')
USER_ID=$(printf '%s' "$CRED" | field user_id)
PASSWORD=$(printf '%s' "$CRED" | field auth_token)
echo "credential for registry user $USER_ID"

# 4. List (no secrets), then log in to the registry with it.
curl -sSf "$P/instances/$INSTANCE/long-term-credentials?offset=0&limit=10" -H "X-Auth-Token: $TOKEN"
echo
REGISTRY=$(curl -sSf "$P/instances/$INSTANCE" -H "X-Auth-Token: $TOKEN" | field access_address)
# Only a registry that sends its logins to this swr-svc will accept the credential.
if command -v skopeo >/dev/null &&
  curl -s -D - -o /dev/null "http://$REGISTRY/v2/" | grep -qi "realm=\"$SWR_URL/service/token\""; then
  REGISTRY_AUTH_FILE="$(mktemp -d)/auth.json" skopeo login --tls-verify=false -u "$USER_ID" -p "$PASSWORD" "$REGISTRY"
  echo "push to $REGISTRY/$NAMESPACE/<app>:<tag>"
else
  echo "no registry at $REGISTRY; with one: skopeo login --tls-verify=false -u $USER_ID -p <auth_token> $REGISTRY"
fi

# 5. Clean up: the instance's namespaces go with it (their names stay taken).
curl -sSf -X DELETE "$P/instances/$INSTANCE" -H "X-Auth-Token: $TOKEN"
echo "deleted instance $INSTANCE"
