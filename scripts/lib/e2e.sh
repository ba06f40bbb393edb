# shellcheck shell=bash
# What the end-to-end scripts (tests/registry/*-e2e.sh) share: numbered checks, a report
# and clean-up at exit, JSON fields, calls with an X-Auth-Token, and the identities they
# test with (the admin, and a readonly user). Source it after scripts/lib/stack.sh, then:
#
#   e2e_init NAME              stack_init; at exit stop everything, print the logs when a
#                              check failed, and "NAME: P passed, F failed"
#   e2e_step TEXT              the check that follows is TEXT
#   e2e_ok                     it passed ("ok N - TEXT")
#   e2e_fail MESSAGE           it failed: exit, naming the check
#   e2e_die MESSAGE            exit with "NAME: MESSAGE"
#   e2e_json FIELD.PATH        one field of the JSON on stdin (list items by index)
#   e2e_api METHOD URL TOKEN EXPECTED_STATUS [JSON_BODY]
#                              a call with X-Auth-Token; its body on stdout. EXPECTED_STATUS
#                              is a glob: 201, or 2?? for any success
#   e2e_iam_token USER DOMAIN PASSWORD PROJECT_ID
#                              a project-scoped X-Auth-Token from iam-svc
#   e2e_identities NAME GRANT_PATH
#                              after stack_start_iam: sets E2E_ADMIN_TOKEN, and makes the
#                              user NAME (E2E_READER_ID, E2E_READER_NAME, E2E_READER_PASSWORD)
#                              in a group NAME-s with the role readonly on GRANT_PATH
#                              (projects/ID or domains/ID)
#
# Answers go through $STACK_DIR/answer, so a failed call can show what it got back.

E2E_NAME=""
E2E_PASSED=0
E2E_CURRENT=""
E2E_ADMIN_TOKEN=""
E2E_READER_NAME=""
E2E_READER_PASSWORD=""
E2E_READER_ID=""

e2e_die() { printf '%s: %s\n' "$E2E_NAME" "$*" >&2; exit 1; }

# e2e_init NAME
e2e_init() {
  E2E_NAME="$1"
  # The original stdout and stderr: the EXIT trap must not write into a log.
  exec 3>&1 4>&2
  trap e2e_finish EXIT
  trap 'exit 130' INT TERM
  stack_init
}

e2e_finish() {
  local status=$?
  trap - EXIT INT TERM
  exec 1>&3 2>&4
  if ((status != 0)); then
    [[ -n "$E2E_CURRENT" ]] && echo "$E2E_NAME: FAILED: $E2E_CURRENT" >&2
    stack_dump_logs
  fi
  stack_stop
  echo "$E2E_NAME: $E2E_PASSED passed, $((status == 0 ? 0 : 1)) failed"
  exit "$status"
}

e2e_step() { E2E_CURRENT="$1"; }
e2e_ok() { E2E_PASSED=$((E2E_PASSED + 1)); printf 'ok %d - %s\n' "$E2E_PASSED" "$E2E_CURRENT"; E2E_CURRENT=""; }
e2e_fail() { e2e_die "$E2E_CURRENT: $*"; }

# e2e_json FIELD.PATH. Empty input (the command before it failed and said why) fails quietly.
e2e_json() {
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

# e2e_api METHOD URL TOKEN EXPECTED_STATUS [JSON_BODY]
e2e_api() {
  local method=$1 url=$2 token=$3 expected=$4 body=${5:-} code
  local args=(-sS -X "$method" -o "$STACK_DIR/answer" -w '%{http_code}' -H "X-Auth-Token: $token")
  [[ -n "$body" ]] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
  code="$(curl "${args[@]}" "$url")" || e2e_die "$method $url: curl failed"
  # shellcheck disable=SC2053
  [[ "$code" == $expected ]] || e2e_die "$method $url answered $code, expected $expected: $(head -c 500 "$STACK_DIR/answer")"
  cat "$STACK_DIR/answer"
}

# e2e_iam_token USER DOMAIN PASSWORD PROJECT_ID
e2e_iam_token() {
  local body code
  body="$(python3 -c '
import json, sys
name, domain, password, project = sys.argv[1:]
print(json.dumps({"auth": {"identity": {"methods": ["password"], "password": {"user": {
    "domain": {"name": domain}, "name": name, "password": password}}},
    "scope": {"project": {"id": project}}}}))' "$@")"
  code="$(curl -sS -o "$STACK_DIR/answer" -D "$STACK_DIR/headers" -w '%{http_code}' -X POST "$IAM_URL/v3/auth/tokens" \
    -H 'Content-Type: application/json' --data-binary "$body")" || e2e_die "iam-svc login: curl failed"
  [[ "$code" == 201 ]] || e2e_die "iam-svc login of $1 answered $code: $(head -c 500 "$STACK_DIR/answer")"
  awk 'tolower($1) == "x-subject-token:" { print $2 }' "$STACK_DIR/headers" | tr -d '\r'
}

# e2e_identities NAME GRANT_PATH
e2e_identities() {
  local group_id role_id
  E2E_ADMIN_TOKEN="$(e2e_iam_token "$IAM_ADMIN_USER" "$IAM_ADMIN_DOMAIN" "$IAM_ADMIN_PASSWORD" "$IAM_ADMIN_PROJECT_ID")"
  [[ -n "$E2E_ADMIN_TOKEN" ]] || e2e_die "no X-Subject-Token for the admin"
  # shellcheck disable=SC2034 # for the script that sources this, to log the user in
  E2E_READER_NAME="$1"
  E2E_READER_PASSWORD="Reader-e2e-$(python3 -c 'import secrets; print(secrets.token_hex(8))')"
  E2E_READER_ID="$(e2e_api POST "$IAM_URL/v3/users" "$E2E_ADMIN_TOKEN" 201 \
    "{\"user\": {\"name\": \"$1\", \"password\": \"$E2E_READER_PASSWORD\", \"domain_id\": \"$IAM_ADMIN_DOMAIN_ID\"}}" | e2e_json user.id)"
  group_id="$(e2e_api POST "$IAM_URL/v3/groups" "$E2E_ADMIN_TOKEN" 201 \
    "{\"group\": {\"name\": \"$1s\", \"domain_id\": \"$IAM_ADMIN_DOMAIN_ID\"}}" | e2e_json group.id)"
  e2e_api PUT "$IAM_URL/v3/groups/$group_id/users/$E2E_READER_ID" "$E2E_ADMIN_TOKEN" 204 >/dev/null
  role_id="$(e2e_api GET "$IAM_URL/v3/roles?name=readonly" "$E2E_ADMIN_TOKEN" 200 | e2e_json roles.0.id)"
  e2e_api PUT "$IAM_URL/v3/$2/groups/$group_id/roles/$role_id" "$E2E_ADMIN_TOKEN" 204 >/dev/null
}
