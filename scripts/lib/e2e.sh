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
#   e2e_user NAME ROLE GRANT_PATH
#                              after e2e_identities: the user NAME of the admin's domain
#                              (E2E_USER_ID, E2E_USER_PASSWORD) in a new group NAME-s with
#                              ROLE on GRANT_PATH
#   e2e_project NAME           a new project of the admin's domain; its id on stdout
#   e2e_second_domain NAME     after stack_start_iam: a second domain (account) NAME with its
#                              own admin user, project and admin group, made by iam-svc
#                              bootstrap (the public API makes no domains; the first domain
#                              is renamed in iam-svc's database meanwhile, as bootstrap makes
#                              its domain under a fixed name, then named back): sets
#                              E2E_DOMAIN2_ID, E2E_DOMAIN2_USER, E2E_DOMAIN2_USER_ID,
#                              E2E_DOMAIN2_PASSWORD, E2E_DOMAIN2_PROJECT_ID
#
# Answers go through $STACK_DIR/answer, so a failed call can show what it got back.

E2E_NAME=""
E2E_PASSED=0
E2E_CURRENT=""
E2E_ADMIN_TOKEN=""
E2E_READER_NAME=""
E2E_READER_PASSWORD=""
E2E_READER_ID=""
E2E_USER_ID=""
E2E_USER_PASSWORD=""
E2E_DOMAIN2_ID=""
E2E_DOMAIN2_USER=""
E2E_DOMAIN2_USER_ID=""
E2E_DOMAIN2_PASSWORD=""
E2E_DOMAIN2_PROJECT_ID=""

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
  E2E_ADMIN_TOKEN="$(e2e_iam_token "$IAM_ADMIN_USER" "$IAM_ADMIN_DOMAIN" "$IAM_ADMIN_PASSWORD" "$IAM_ADMIN_PROJECT_ID")"
  [[ -n "$E2E_ADMIN_TOKEN" ]] || e2e_die "no X-Subject-Token for the admin"
  e2e_user "$1" readonly "$2"
  # shellcheck disable=SC2034 # for the script that sources this, to log the user in
  E2E_READER_NAME="$1"
  E2E_READER_PASSWORD="$E2E_USER_PASSWORD"
  E2E_READER_ID="$E2E_USER_ID"
}

# e2e_user NAME ROLE GRANT_PATH
e2e_user() {
  local group_id role_id
  E2E_USER_PASSWORD="User-e2e-$(python3 -c 'import secrets; print(secrets.token_hex(8))')"
  E2E_USER_ID="$(e2e_api POST "$IAM_URL/v3/users" "$E2E_ADMIN_TOKEN" 201 \
    "{\"user\": {\"name\": \"$1\", \"password\": \"$E2E_USER_PASSWORD\", \"domain_id\": \"$IAM_ADMIN_DOMAIN_ID\"}}" | e2e_json user.id)"
  group_id="$(e2e_api POST "$IAM_URL/v3/groups" "$E2E_ADMIN_TOKEN" 201 \
    "{\"group\": {\"name\": \"$1s\", \"domain_id\": \"$IAM_ADMIN_DOMAIN_ID\"}}" | e2e_json group.id)"
  e2e_api PUT "$IAM_URL/v3/groups/$group_id/users/$E2E_USER_ID" "$E2E_ADMIN_TOKEN" 204 >/dev/null
  role_id="$(e2e_api GET "$IAM_URL/v3/roles?name=$2" "$E2E_ADMIN_TOKEN" 200 | e2e_json roles.0.id)"
  e2e_api PUT "$IAM_URL/v3/$3/groups/$group_id/roles/$role_id" "$E2E_ADMIN_TOKEN" 204 >/dev/null
}

# e2e_project NAME
e2e_project() {
  e2e_api POST "$IAM_URL/v3/projects" "$E2E_ADMIN_TOKEN" 201 \
    "{\"project\": {\"name\": \"$1\", \"domain_id\": \"$IAM_ADMIN_DOMAIN_ID\"}}" | e2e_json project.id
}

# e2e_iam_sql SQL: one statement on iam-svc's database (SQLite file or PostgreSQL schema).
e2e_iam_sql() {
  case "$IAM__DATABASE__URL" in
    postgres://* | postgresql://*)
      psql "$IAM__DATABASE__URL" -v ON_ERROR_STOP=1 -qc "$1" >/dev/null ;;
    *)
      python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1].removeprefix("sqlite://"), timeout=30)
with db:
    db.execute(sys.argv[2])' "$IAM__DATABASE__URL" "$1" ;;
  esac
}

# e2e_second_domain NAME
e2e_second_domain() {
  local env_file="$STACK_DIR/domain2.env" bin
  bin="$(stack_bin iam-svc)"
  # bootstrap makes its domain under a fixed name: the first one steps aside meanwhile.
  e2e_iam_sql "UPDATE domains SET name = '$1-first' WHERE id = '$IAM_ADMIN_DOMAIN_ID'" ||
    e2e_die "cannot rename the first domain in iam-svc's database"
  (cd "$STACK_DIR" && "$bin" bootstrap --env-file "$env_file") >>"$STACK_DIR/log/iam-svc.log" 2>&1 ||
    e2e_die "iam-svc bootstrap of a second domain failed"
  E2E_DOMAIN2_ID="$( (. "$env_file" && echo "$IAM_ADMIN_DOMAIN_ID"))"
  [[ -n "$E2E_DOMAIN2_ID" && "$E2E_DOMAIN2_ID" != "$IAM_ADMIN_DOMAIN_ID" ]] ||
    e2e_die "the second bootstrap made no new domain"
  e2e_iam_sql "UPDATE domains SET name = '$1' WHERE id = '$E2E_DOMAIN2_ID'" &&
    e2e_iam_sql "UPDATE domains SET name = '$IAM_ADMIN_DOMAIN' WHERE id = '$IAM_ADMIN_DOMAIN_ID'" ||
    e2e_die "cannot rename the domains back"
  E2E_DOMAIN2_USER="$( (. "$env_file" && echo "$IAM_ADMIN_USER"))"
  E2E_DOMAIN2_USER_ID="$( (. "$env_file" && echo "$IAM_ADMIN_USER_ID"))"
  E2E_DOMAIN2_PASSWORD="$( (. "$env_file" && echo "$IAM_ADMIN_PASSWORD"))"
  E2E_DOMAIN2_PROJECT_ID="$( (. "$env_file" && echo "$IAM_ADMIN_PROJECT_ID"))"
}
