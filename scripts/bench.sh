#!/usr/bin/env bash
# Benchmarks of iam-svc's hot paths over HTTP, side by side with the same server's
# /healthz ceiling, on SQLite. Writes a results table.
#
#   scripts/bench.sh            full run (10 s per case), writes bench/results.md
#   scripts/bench.sh --smoke    1 s per case on the debug build, writes var/bench-smoke.md
#                               (CI runs this)
#
# Needs wrk (installed from Debian's packages when missing and running as root).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

DURATION=10s
CONNECTIONS=16
THREADS=2
OUT=bench/results.md
PROFILE="${BENCH_PROFILE:-release}"
if [[ "${1:-}" == "--smoke" ]]; then
  # Proves the benchmarks still run; the numbers mean little, so reuse the debug build.
  DURATION=1s
  OUT=var/bench-smoke.md
  PROFILE="${BENCH_PROFILE:-debug}"
fi

die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

if ! command -v wrk >/dev/null; then
  [[ $(id -u) -eq 0 ]] || die "wrk is missing; install it: apt-get install wrk"
  echo "==> installing wrk"
  (apt-get install -y wrk || { apt-get update && apt-get install -y wrk; }) >/dev/null
fi
command -v python3 >/dev/null || die "python3 is required"

if [[ "$PROFILE" == release ]]; then
  echo "==> building iam-svc (release)"
  cargo build --release -p iam-svc
else
  echo "==> building iam-svc (debug)"
  cargo build -p iam-svc
fi
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/$PROFILE/iam-svc"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/iam-bench.XXXXXX")"
pid=""
cleanup() {
  [[ -n "$pid" ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
URL="http://127.0.0.1:$PORT"
export IAM__SERVER__PORT="$PORT" IAM__PUBLIC_URL="$URL"
export IAM__DATABASE__URL="sqlite://$WORK/iam.db"
export IAM__TOKENS__SIGNING_KEY_FILE="$WORK/keys/signing.keys"
export IAM__INTERNAL__CREDENTIAL_FILE="$WORK/keys/internal"
export IAM__ACCESS_KEYS__MASTER_KEY_FILE="$WORK/keys/master.keys"
export RUST_LOG=warn

"$BIN" gen-keys >/dev/null 2>&1
"$BIN" bootstrap --env-file "$WORK/stack.env" >/dev/null
"$BIN" serve >"$WORK/iam.log" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -fs "$URL/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fs "$URL/readyz" >/dev/null || die "iam-svc did not become ready"

set -a; . "$WORK/stack.env"; set +a
INTERNAL="$(cat "$IAM__INTERNAL__CREDENTIAL_FILE")"

# A token and an access key to drive the authenticated paths.
python3 - "$URL" "$WORK" <<'PY'
import hashlib, hmac, json, os, sys, urllib.request
url, work = sys.argv[1], sys.argv[2]
login = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
    "domain": {"name": os.environ["IAM_ADMIN_DOMAIN"]}, "name": os.environ["IAM_ADMIN_USER"],
    "password": os.environ["IAM_ADMIN_PASSWORD"]}}},
    "scope": {"project": {"id": os.environ["IAM_ADMIN_PROJECT_ID"]}}}}
req = urllib.request.Request(url + "/v3/auth/tokens", json.dumps(login).encode(),
                             {"Content-Type": "application/json"}, method="POST")
token = urllib.request.urlopen(req).headers["X-Subject-Token"]
open(os.path.join(work, "token"), "w").write(token)
body = {"credential": {"user_id": os.environ["IAM_ADMIN_USER_ID"], "description": "bench"}}
req = urllib.request.Request(url + "/v3.0/OS-CREDENTIAL/credentials", json.dumps(body).encode(),
                             {"Content-Type": "application/json", "X-Auth-Token": token}, method="POST")
cred = json.load(urllib.request.urlopen(req))["credential"]
sts = "SDK-HMAC-SHA256\n20240101T000000Z\n" + hashlib.sha256(b"bench").hexdigest()
check = {"algorithm": "SDK-HMAC-SHA256", "access": cred["access"], "string_to_sign": sts,
         "signature": hmac.new(cred["secret"].encode(), sts.encode(), hashlib.sha256).hexdigest(),
         "project_id": os.environ["IAM_ADMIN_PROJECT_ID"]}
open(os.path.join(work, "check.json"), "w").write(json.dumps(check))
open(os.path.join(work, "login.json"), "w").write(json.dumps(login))
PY
TOKEN="$(cat "$WORK/token")"

results=()
# run NAME SCRIPT PATH [HEADER VALUE [BODY_FILE]]
run() {
  local name="$1" script="$2" path="$3" header="${4:-}" value="${5:-}" body="${6:-}"
  local out
  out="$(BENCH_SUBJECT_TOKEN="${BENCH_SUBJECT_TOKEN:-}" BENCH_HEADER_NAME="$header" BENCH_HEADER_VALUE="$value" BENCH_BODY_FILE="$body" \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "bench/$script" "$URL$path")"
  local rps p50 p99 bad
  rps="$(awk '/^Requests\/sec/ {print $2}' <<<"$out")"
  p50="$(awk '$1 == "50%" {print $2}' <<<"$out")"
  p99="$(awk '$1 == "99%" {print $2}' <<<"$out")"
  bad="$(awk '/^non-2xx/ {print $2}' <<<"$out")"
  [[ "${bad:-0}" == 0 ]] || die "$name: $bad answers were not 2xx"
  printf '  %-34s %10s req/s  p50 %-9s p99 %s\n' "$name" "$rps" "$p50" "$p99"
  results+=("| $name | $rps | $p50 | $p99 |")
}

echo "==> $DURATION per case, $CONNECTIONS connections, $THREADS wrk threads"
run "GET /healthz (ceiling)" get.lua /healthz
BENCH_SUBJECT_TOKEN="$TOKEN" run "GET /v3/auth/tokens (validate)" get.lua /v3/auth/tokens X-Auth-Token "$TOKEN"
run "POST /internal/v1/signature-checks" post-json.lua /internal/v1/signature-checks X-Internal-Token "$INTERNAL" "$WORK/check.json"
run "GET /v3/projects (token)" get.lua /v3/projects X-Auth-Token "$TOKEN"

rss_kb="$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")"
mkdir -p "$(dirname "$OUT")"
{
  echo "# iam-svc benchmark results"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "- machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
  echo "- build: $PROFILE; database: SQLite (WAL, synchronous=FULL)"
  echo "- load: \`wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency\` on the same machine"
  echo "- command: \`scripts/bench.sh${1:+ $1}\`"
  echo "- peak RSS of iam-svc: $((rss_kb / 1024)) MiB"
  echo
  echo "| case | requests/s | p50 | p99 |"
  echo "|---|---|---|---|"
  printf '%s\n' "${results[@]}"
  echo
  echo "Token validation verifies a token's Ed25519 signature once and then answers from the"
  echo "verified-token cache. The signature check does one primary-key read, one AES-256-GCM"
  echo "open and one HMAC-SHA256 per request, plus the scope's role lookup."
} >"$OUT"
echo "==> wrote $OUT"
