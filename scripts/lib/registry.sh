# shellcheck shell=bash
# A real container registry for end-to-end tests: Debian's docker-registry (CNCF
# distribution 2.8) with token auth pointing at one of our services, a tiny OCI image made
# by hand, and skopeo to log in, push and pull. Source it after scripts/lib/stack.sh, then:
#
#   registry_require_tools     install docker-registry and skopeo when missing (as root);
#                              check python3 and curl
#   registry_init              after stack_init: pick REGISTRY_ADDRESS (a free loopback
#                              port) and make $REGISTRY_DIR; no registry runs yet, so the
#                              token service can be told the address first
#   registry_start REALM SERVICE ISSUER ROOTCERTBUNDLE
#                              serve the registry at $REGISTRY_ADDRESS with that auth.token
#                              configuration; stack_stop stops it with the services
#   registry_make_image TEXT   a one-layer OCI image at $REGISTRY_IMAGE (tag v1) whose layer
#                              holds hello.txt with TEXT
#   registry_image_text DIR    the text of hello.txt in the single layer of DIR's image
#   registry_login NAME USER SECRET     skopeo login as identity NAME (password on stdin)
#   registry_push NAME REPO:TAG         push $REGISTRY_IMAGE:v1 as NAME
#   registry_pull NAME REPO:TAG DIR     pull into the OCI directory DIR (tag v1) as NAME
#   registry_skopeo NAME ARGS...        any other skopeo command as NAME
#   registry_refused COMMAND ARGS...    run a registry_login/push/pull that must fail because
#                              the registry or its token server refused it (skopeo names an
#                              authorization error); otherwise say what happened and fail
#   registry_token_access USER SECRET SCOPE
#                              ask the realm for a token with Basic USER:SECRET and print
#                              its JWT `access` claim as JSON
#   registry_token_reply SERVICE USER SECRET SCOPE...
#                              ask the realm for a token on SERVICE with every SCOPE (no
#                              credentials when USER is empty); print the HTTP status and,
#                              on 200, the JWT `access` claim as JSON: `200 [...]`, `401`
#   registry_grants_nothing SERVICE USER SECRET SCOPE...
#                              succeed when that request is refused (4xx), or answered
#                              with one entry per resource asked and not one action in
#                              any; otherwise print the answer and fail
#
# Each identity NAME has a REGISTRY_AUTH_FILE of its own ($REGISTRY_DIR/auth/NAME.json),
# so a login persists for later pushes and pulls by the same NAME. skopeo's output goes to
# $STACK_DIR/log/skopeo.log and the registry's to $STACK_DIR/log/registry.log, which
# stack_dump_logs prints. Helpers return skopeo's status, so tests can expect refusals.

REGISTRY_ADDRESS=""
REGISTRY_DIR=""
REGISTRY_IMAGE=""
REGISTRY_REALM=""
REGISTRY_SERVICE=""

registry_require_tools() {
  local missing=()
  command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
  command -v skopeo >/dev/null 2>&1 || missing+=(skopeo)
  if ((${#missing[@]} > 0)); then
    ((EUID == 0)) || stack_die "${missing[*]} missing, and installing needs root: run 'apt-get update && apt-get install -y ${missing[*]}' as root"
    echo "==> installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  command -v python3 >/dev/null || stack_die "python3 is required"
  command -v curl >/dev/null || stack_die "curl is required"
}

registry_init() {
  [[ -n "${STACK_DIR:-}" ]] || stack_die "registry_init needs stack_init first"
  REGISTRY_ADDRESS="127.0.0.1:$(stack_free_port)"
  REGISTRY_DIR="$STACK_DIR/registry"
  REGISTRY_IMAGE="$REGISTRY_DIR/image"
  mkdir -p "$REGISTRY_DIR/auth" "$REGISTRY_DIR/storage"
  echo '{"default": [{"type": "insecureAcceptAnything"}]}' >"$REGISTRY_DIR/policy.json"
}

# registry_start REALM SERVICE ISSUER ROOTCERTBUNDLE
registry_start() {
  [[ -n "$REGISTRY_DIR" ]] || stack_die "registry_start needs registry_init first"
  REGISTRY_REALM="$1" REGISTRY_SERVICE="$2"
  [[ -s "$4" ]] || stack_die "registry root certificate bundle $4 is missing or empty"
  cat >"$REGISTRY_DIR/config.yml" <<YAML
version: 0.1
log:
  level: info
  formatter: text
storage:
  filesystem:
    rootdirectory: $REGISTRY_DIR/storage
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDRESS
  secret: $(python3 -c 'import secrets; print(secrets.token_hex(16))')
auth:
  token:
    realm: $1
    service: $2
    issuer: $3
    rootcertbundle: $4
YAML
  docker-registry serve "$REGISTRY_DIR/config.yml" >>"$STACK_DIR/log/registry.log" 2>&1 &
  local pid=$!
  STACK_PIDS+=("$pid") # stack_stop stops it with the services
  local deadline=$((SECONDS + STACK_READY_TIMEOUT))
  # Ready when /v2/ asks for a token.
  until [[ "$(curl -sS -o /dev/null -w '%{http_code}' --max-time 2 "http://$REGISTRY_ADDRESS/v2/" 2>/dev/null)" == 401 ]]; do
    kill -0 "$pid" 2>/dev/null || stack_die "docker-registry exited before it was ready (log: $STACK_DIR/log/registry.log)"
    ((SECONDS < deadline)) || stack_die "docker-registry not ready at http://$REGISTRY_ADDRESS/v2/ after ${STACK_READY_TIMEOUT}s"
    sleep 0.2
  done
}

# registry_make_image TEXT
registry_make_image() {
  python3 - "$REGISTRY_IMAGE" "$1" <<'PY'
import gzip, hashlib, io, json, os, sys, tarfile

out, text = sys.argv[1], sys.argv[2]
blobs = os.path.join(out, "blobs", "sha256")
os.makedirs(blobs)

def put(data):
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, digest), "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}

content = text.encode()
raw = io.BytesIO()
with tarfile.open(fileobj=raw, mode="w") as tar:
    info = tarfile.TarInfo("hello.txt")
    info.size, info.mode, info.mtime = len(content), 0o644, 0
    tar.addfile(info, io.BytesIO(content))
layer_tar = raw.getvalue()
layer = put(gzip.compress(layer_tar, mtime=0))
config = put(json.dumps({
    "architecture": "amd64", "os": "linux", "config": {},
    "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(layer_tar).hexdigest()]},
    "history": [{"created_by": "scripts/lib/registry.sh"}],
}).encode())
manifest = put(json.dumps({
    "schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **config},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", **layer}],
}).encode())
with open(os.path.join(out, "index.json"), "w") as f:
    json.dump({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json", **manifest,
        "annotations": {"org.opencontainers.image.ref.name": "v1"}}]}, f)
with open(os.path.join(out, "oci-layout"), "w") as f:
    json.dump({"imageLayoutVersion": "1.0.0"}, f)
PY
}

# registry_image_text DIR
registry_image_text() {
  python3 - "$1" <<'PY'
import gzip, io, json, os, sys, tarfile
d = sys.argv[1]
blob = lambda digest: open(os.path.join(d, "blobs", *digest.split(":", 1)), "rb").read()
manifest = json.loads(blob(json.load(open(os.path.join(d, "index.json")))["manifests"][0]["digest"]))
(layer,) = manifest["layers"]
with tarfile.open(fileobj=io.BytesIO(gzip.decompress(blob(layer["digest"])))) as tar:
    sys.stdout.write(tar.extractfile("hello.txt").read().decode())
PY
}

# registry_skopeo NAME ARGS...
registry_skopeo() {
  local name=$1
  shift
  echo "\$ [$name] skopeo $*" >>"$STACK_DIR/log/skopeo.log"
  REGISTRY_AUTH_FILE="$REGISTRY_DIR/auth/$name.json" \
    skopeo --policy "$REGISTRY_DIR/policy.json" "$@" >>"$STACK_DIR/log/skopeo.log" 2>&1
}

# registry_login NAME USER SECRET
registry_login() {
  printf '%s' "$3" | registry_skopeo "$1" login --tls-verify=false -u "$2" --password-stdin "$REGISTRY_ADDRESS"
}

# registry_push NAME REPO:TAG
registry_push() {
  registry_skopeo "$1" copy --dest-tls-verify=false "oci:$REGISTRY_IMAGE:v1" "docker://$REGISTRY_ADDRESS/$2"
}

# registry_pull NAME REPO:TAG DIR
registry_pull() {
  registry_skopeo "$1" copy --src-tls-verify=false "docker://$REGISTRY_ADDRESS/$2" "oci:$3:v1"
}

# registry_refused COMMAND ARGS...
registry_refused() {
  local log="$STACK_DIR/log/skopeo.log" seen=0 said
  [[ -f "$log" ]] && seen="$(wc -l <"$log")"
  if "$@"; then
    echo "registry_refused: $* succeeded"
    return 1
  fi
  said="$(tail -n "+$((seen + 1))" "$log")"
  # distribution's 401/403 (a token without the action), the token server's 401 (a login)
  grep -qiE 'unauthorized|denied|authentication required|invalid username/password' <<<"$said" && return 0
  echo "registry_refused: $* failed, but not for want of access: $(tail -n 3 <<<"$said")"
  return 1
}

# registry_token_access USER SECRET SCOPE
registry_token_access() {
  curl -sSf -u "$1:$2" --get "$REGISTRY_REALM" \
    --data-urlencode "service=$REGISTRY_SERVICE" --data-urlencode "scope=$3" | python3 -c '
import base64, json, sys
token = json.load(sys.stdin)["token"]
claims = token.split(".")[1]
print(json.dumps(json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))["access"]))'
}

# registry_token_reply SERVICE USER SECRET SCOPE...
registry_token_reply() {
  local service=$1 user=$2 secret=$3 scope code
  shift 3
  local args=(-sS -o "$REGISTRY_DIR/token-answer" -w '%{http_code}' --get "$REGISTRY_REALM"
    --data-urlencode "service=$service")
  for scope in "$@"; do args+=(--data-urlencode "scope=$scope"); done
  [[ -n "$user" ]] && args+=(-u "$user:$secret")
  code="$(curl "${args[@]}")" || return 1
  if [[ "$code" != 200 ]]; then
    echo "$code"
    return 0
  fi
  python3 -c '
import base64, json, sys
token = json.load(open(sys.argv[1]))["token"]
claims = token.split(".")[1]
print("200", json.dumps(json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))["access"]))' \
    "$REGISTRY_DIR/token-answer"
}

# registry_grants_nothing SERVICE USER SECRET SCOPE...
registry_grants_nothing() {
  local reply
  reply="$(registry_token_reply "$@")" || { echo "the token request failed"; return 1; }
  [[ "$reply" == 4?? ]] && return 0
  python3 -c '
import json, sys
status, _, access = sys.argv[1].partition(" ")
# One entry per resource asked (the scopes of one resource are merged).
asked = {tuple(s.rsplit(":", 1)[0].split(":", 1)) for s in sys.argv[2:]}
if status != "200":
    sys.exit(f"HTTP {status}")
access = json.loads(access)
if {(e["type"], e["name"]) for e in access} != asked or len(access) != len(asked):
    sys.exit(f"access entries {access} for the resources {sorted(asked)}")
granted = [e for e in access if e.get("actions")]
if granted:
    sys.exit(f"granted {granted}")' "$reply" "${@:4}" || { echo "answer: $reply"; return 1; }
}
