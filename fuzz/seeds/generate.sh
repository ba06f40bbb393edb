#!/usr/bin/env bash
# Regenerate the committed seed corpora, fuzz/corpus/<target>/:
#   - sdk_seeds.py: requests, Authorization headers and bodies the official Huawei Cloud and
#     Tencent Cloud Python SDKs make (captured before sending), in the SDK virtualenv
#     tests/sdk/run.sh makes (var/sdk-venv);
#   - mint/: what the project's own code mints (IAM tokens, sealed secrets, security tokens,
#     bearer tokens) with the fixture keys of fuzz/src/fixtures.rs;
#   - the configuration files of deploy/config and each service's built-in defaults.
#
#   fuzz/seeds/generate.sh        # rewrites fuzz/corpus (review the diff, then commit)
#
# Hand-written seeds (fuzz/seeds/extra/<target>/) are copied as they are.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
OUT=fuzz/corpus
PY="${SDK_VENV:-var/sdk-venv}/bin/python"

if [[ ! -x $PY ]]; then
  # run.sh installs the pinned SDKs first; "--help" is no test, so it stops there (exit 2).
  bash tests/sdk/run.sh --help >/dev/null 2>&1 || true
  [[ -x $PY ]] || { echo "generate.sh: no SDK virtualenv at $PY" >&2; exit 1; }
fi

rm -rf "$OUT"
mkdir -p "$OUT"
"$PY" fuzz/seeds/sdk_seeds.py "$OUT"
CARGO_TARGET_DIR="$ROOT/fuzz/target" cargo run --quiet --manifest-path fuzz/seeds/mint/Cargo.toml -- "$OUT"

# Configuration: the first byte picks the service (see fuzz_targets/config_toml.rs).
mkdir -p "$OUT/config_toml"
i=0
for svc in iam swr tcr lakeformation; do
  { printf "\\x0$i"; cat "deploy/config/$svc.toml"; } >"$OUT/config_toml/deploy-$svc"
  crate=$svc-svc
  python3 - "crates/$crate/src/config.rs" >"$OUT/config_toml/defaults-$svc.tmp" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
print(re.search(r'const DEFAULTS: &str = r#"(.*?)"#;', text, re.S).group(1), end="")
PY
  { printf "\\x0$i"; cat "$OUT/config_toml/defaults-$svc.tmp"; } >"$OUT/config_toml/defaults-$svc"
  rm "$OUT/config_toml/defaults-$svc.tmp"
  i=$((i + 1))
done

if [[ -d fuzz/seeds/extra ]]; then
  cp -R fuzz/seeds/extra/. "$OUT/"
fi
echo "generate.sh: $(find "$OUT" -type f | wc -l) seeds, $(du -sh "$OUT" | cut -f1) in $OUT"
