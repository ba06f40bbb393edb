#!/usr/bin/env bash
# The official Node.js SDKs, unmodified: tcr-svc with Tencent Cloud's (tcr.mjs), iam-svc
# with the Huawei Cloud core's signer (huawei_core.cjs). Installs the versions
# package-lock.json pins (npm ci, into tests/sdk/node/node_modules, which git ignores) when
# they are not installed yet, then runs each test against the services the environment
# names (TCR_URL, IAM_URL, IAM_ADMIN_*; see each test). Both run; either failing fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
command -v node >/dev/null || { echo "FAIL node is required for the Node SDK test (apt-get install nodejs npm)"; exit 2; }
# npm ci when the lock changed since the last install (its digest is kept beside the modules).
lock_digest="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ "$(cat node_modules/.installed-lock 2>/dev/null)" != "$lock_digest" ]]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_digest" >node_modules/.installed-lock
fi
export NO_PROXY="${NO_PROXY:+${NO_PROXY},}127.0.0.1,localhost"
export no_proxy="$NO_PROXY"
status=0
for t in tcr.mjs huawei_core.cjs; do
  echo "--> node $t"
  node "$t" || status=1
done
exit "$status"
