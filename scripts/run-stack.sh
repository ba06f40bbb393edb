#!/usr/bin/env bash
# Build and run the local stack in the foreground (what `make run` does).
#
#   scripts/run-stack.sh
#
# For each service below: build, apply migrations, start it in the background and wait
# until /readyz answers. iam-svc is bootstrapped first (domain `local`, user `admin`,
# project `local-1`), which writes the admin credentials to var/local-stack.env.
# Ctrl-C or SIGTERM stops every service this script started.
#
# Environment:
#   MAKE_PROFILE   release (default) or debug
#   READY_TIMEOUT  seconds to wait for each service's /readyz (default 30)
# Anything else (IAM__DATABASE__URL, ...) is passed on to the services.
set -euo pipefail

# One line per service, in start order: binary, port, then any extra VAR=value for it.
# Each service gets <PREFIX>__SERVER__PORT (PREFIX = binary name without -svc, upper case);
# every service but iam-svc gets <PREFIX>_URL added to the env file.
SERVICES=(
  "iam-svc 8081 IAM__PUBLIC_URL=http://127.0.0.1:8081"
  "lakeformation-svc 8083"
  "swr-svc 8082"
  "tcr-svc 8084"
)

# The registries every swr-svc instance and every tcr-svc registry front (each service's
# registry.service and registry.address), started when Debian's docker-registry is
# installed: one per token issuer, as a registry trusts one. "name address service issuer realm".
REGISTRIES=(
  "swr 127.0.0.1:5000 swr-registry swr-svc http://127.0.0.1:8082/service/token"
  "tcr 127.0.0.1:5001 tcr-registry tcr-svc http://127.0.0.1:8084/service/token"
)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PROFILE="${MAKE_PROFILE:-release}"
READY_TIMEOUT="${READY_TIMEOUT:-30}"
ENV_FILE="var/local-stack.env"
LOG_DIR="var/log"
TARGET_DIR="${CARGO_TARGET_DIR:-target}"

case "$PROFILE" in
  release) BIN_DIR="$TARGET_DIR/release"; profile_flag=(--release) ;;
  debug) BIN_DIR="$TARGET_DIR/debug"; profile_flag=() ;;
  *) echo "run-stack: MAKE_PROFILE must be release or debug, not '$PROFILE'" >&2; exit 2 ;;
esac

say() { printf '==> %s\n' "$*"; }
die() { printf 'run-stack: %s\n' "$*" >&2; exit 1; }

command -v curl >/dev/null || die "curl is required"

# iam-svc -> IAM, lakeformation-svc -> LAKEFORMATION
prefix_of() { local n="${1%-svc}"; n="${n//-/_}"; printf '%s' "${n^^}"; }

pids=()
names=()
tail_pid=""

# shellcheck disable=SC2317 # reached through the traps
stop_all() {
  trap - INT TERM EXIT
  if [[ -n "$tail_pid" ]]; then kill "$tail_pid" 2>/dev/null || true; fi
  local i
  # Stop in reverse order: the others depend on iam-svc.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    if kill -0 "${pids[i]}" 2>/dev/null; then
      say "stopping ${names[i]} (pid ${pids[i]})"
      kill -TERM "${pids[i]}" 2>/dev/null || true
    fi
  done
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    local waited=0
    while kill -0 "${pids[i]}" 2>/dev/null && ((waited < 100)); do
      sleep 0.1
      waited=$((waited + 1))
    done
    if kill -0 "${pids[i]}" 2>/dev/null; then
      say "${names[i]} did not stop within 10 s: killing it"
      kill -KILL "${pids[i]}" 2>/dev/null || true
    fi
    wait "${pids[i]}" 2>/dev/null || true
  done
}
# shellcheck disable=SC2317
on_signal() { echo; stop_all; exit 130; }
trap on_signal INT TERM
trap stop_all EXIT

# --- build -------------------------------------------------------------------------------
packages=()
for line in "${SERVICES[@]}"; do
  read -r name _ <<<"$line"
  packages+=("$name")
done
say "building ${packages[*]} ($PROFILE)"
cargo build "${profile_flag[@]}" "${packages[@]/#/--package=}"

mkdir -p var "$LOG_DIR"

# Drops every line of the env file that sets $1, then appends $1=$2.
set_env_line() {
  local key="$1" value="$2" tmp
  tmp="$(mktemp "$ENV_FILE.XXXXXX")"
  grep -v "^${key}=" "$ENV_FILE" >"$tmp" || true
  printf "%s='%s'\n" "$key" "$value" >>"$tmp"
  chmod 600 "$tmp"
  mv "$tmp" "$ENV_FILE"
}

wait_ready() {
  local name="$1" pid="$2" url="$3" log="$4" deadline=$((SECONDS + READY_TIMEOUT))
  until curl -fs -o /dev/null --max-time 2 "$url/readyz"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "run-stack: $name exited before it was ready; last lines of $log:" >&2
      tail -n 50 "$log" >&2 || true
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      echo "run-stack: $name not ready at $url/readyz after ${READY_TIMEOUT}s; last lines of $log:" >&2
      tail -n 50 "$log" >&2 || true
      exit 1
    fi
    sleep 0.2
  done
}

# --- migrate, bootstrap, serve -----------------------------------------------------------
logs=()
for line in "${SERVICES[@]}"; do
  read -r name port extra <<<"$line"
  prefix="$(prefix_of "$name")"
  bin="$BIN_DIR/$name"
  url="http://127.0.0.1:$port"
  log="$LOG_DIR/$name.log"
  # shellcheck disable=SC2206 # extra is a list of VAR=value words by design
  svc_env=("${prefix}__SERVER__PORT=$port" ${extra:-})

  if curl -fsS -o /dev/null --max-time 2 "$url/healthz" 2>/dev/null; then
    die "something already answers on $url (another \`make run\`?); stop it first"
  fi

  say "$name: migrate"
  env "${svc_env[@]}" "$bin" migrate
  if [[ "$name" == "iam-svc" ]]; then
    say "$name: development keys"
    env "${svc_env[@]}" "$bin" gen-keys
    say "$name: bootstrap"
    env "${svc_env[@]}" "$bin" bootstrap --env-file "$ENV_FILE"
  else
    set_env_line "${prefix}_URL" "$url"
  fi

  say "$name: serve on $url (log: $log)"
  : >"$log"
  env "${svc_env[@]}" "$bin" serve >>"$log" 2>&1 &
  pids+=("$!")
  names+=("$name")
  logs+=("$log")
  wait_ready "$name" "$!" "$url" "$log"
  say "$name: ready"
done

# --- real registries that log in through swr-svc and tcr-svc, when one is installed -----
if command -v docker-registry >/dev/null; then
  for line in "${REGISTRIES[@]}"; do
    read -r name address service issuer realm <<<"$line"
    mkdir -p "var/registry/$name"
    cat >"var/registry/$name/config.yml" <<EOF
version: 0.1
storage:
  filesystem: {rootdirectory: $ROOT/var/registry/$name/data}
  delete: {enabled: true}
http:
  addr: $address
auth:
  token:
    realm: $realm
    service: $service
    issuer: $issuer
    rootcertbundle: $ROOT/var/keys/$name-registry-token.crt
EOF
    log="$LOG_DIR/registry-$name.log"
    say "docker-registry for $issuer: serve on $address (log: $log)"
    : >"$log"
    docker-registry serve "var/registry/$name/config.yml" >>"$log" 2>&1 &
    pids+=("$!")
    names+=("docker-registry ($name)")
    logs+=("$log")
  done
else
  say "docker-registry is not installed: apt-get install docker-registry skopeo to log in to real registries"
fi

cat <<EOF

The stack is running. In another shell:

  set -a; . $ENV_FILE; set +a
  TOKEN=\$(curl -si "\$IAM_URL/v3/auth/tokens" -H 'Content-Type: application/json' -d "{
    \"auth\": {\"identity\": {\"methods\": [\"password\"], \"password\": {\"user\": {
      \"domain\": {\"name\": \"\$IAM_ADMIN_DOMAIN\"}, \"name\": \"\$IAM_ADMIN_USER\",
      \"password\": \"\$IAM_ADMIN_PASSWORD\"}}},
    \"scope\": {\"project\": {\"id\": \"\$IAM_ADMIN_PROJECT_ID\"}}}}" \\
    | awk 'tolower(\$1) == "x-subject-token:" {print \$2}' | tr -d '\r')
  curl -s -H "X-Auth-Token: \$TOKEN" "\$IAM_URL/v3/projects"

More in README.md and docs/examples/ (bash docs/examples/quickstart.sh runs as it is).
Logs follow below; Ctrl-C stops everything.

EOF

tail -n 0 -F "${logs[@]}" &
tail_pid=$!

# Returns as soon as any service exits (or a signal arrives and on_signal runs).
set +e
wait -n "${pids[@]}"
status=$?
set -e
for i in "${!pids[@]}"; do
  if ! kill -0 "${pids[i]}" 2>/dev/null; then
    echo "run-stack: ${names[i]} exited (status $status); stopping the rest" >&2
  fi
done
exit "$status"
