#!/usr/bin/env bash
# Log in with curl, list projects, create a permanent access key and delete it again.
# Needs the variables `make run` writes to var/local-stack.env:
#   set -a; . var/local-stack.env; set +a; bash docs/examples/quickstart.sh
set -euo pipefail

# 1. A project-scoped token: the token is the X-Subject-Token response header.
TOKEN=$(curl -sS -D - -o /dev/null -X POST "$IAM_URL/v3/auth/tokens" \
  -H 'Content-Type: application/json' \
  -d @- <<JSON | awk 'tolower($1) == "x-subject-token:" { print $2 }' | tr -d '\r'
{"auth": {"identity": {"methods": ["password"], "password": {"user": {
   "domain": {"name": "$IAM_ADMIN_DOMAIN"}, "name": "$IAM_ADMIN_USER", "password": "$IAM_ADMIN_PASSWORD"}}},
 "scope": {"project": {"id": "$IAM_ADMIN_PROJECT_ID"}}}}
JSON
)
[ -n "$TOKEN" ] || { echo "login failed" >&2; exit 1; }

# 2. Projects visible to the token.
curl -sSf "$IAM_URL/v3/projects" -H "X-Auth-Token: $TOKEN"
echo

# 3. A permanent access key for yourself; the secret is shown only in this answer.
KEY=$(curl -sSf -X POST "$IAM_URL/v3.0/OS-CREDENTIAL/credentials" \
  -H "X-Auth-Token: $TOKEN" -H 'Content-Type: application/json;charset=utf-8' \
  -d "{\"credential\": {\"user_id\": \"$IAM_ADMIN_USER_ID\", \"description\": \"quickstart\"}}")
ACCESS=$(printf '%s' "$KEY" | python3 -c 'import json, sys; print(json.load(sys.stdin)["credential"]["access"])')
echo "created access key $ACCESS"

# 4. Delete it.
curl -sSf -X DELETE "$IAM_URL/v3.0/OS-CREDENTIAL/credentials/$ACCESS" -H "X-Auth-Token: $TOKEN"
echo "deleted access key $ACCESS"
