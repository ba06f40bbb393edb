#!/usr/bin/env bash
# Fuzz the services two ways and write one summary:
#   - tests/schemathesis/run.sh: schemathesis against each running service with its
#     /openapi.json (docs/openapi/), authenticated and signed as the SDKs do;
#   - fuzz/run.sh: every cargo-fuzz target of fuzz/ (the parsers of untrusted bytes).
#
#   scripts/fuzz.sh            # the full run (make fuzz): writes bench/fuzz.md
#   scripts/fuzz.sh --smoke    # a short run (make fuzz-smoke, CI): writes var/fuzz-smoke.md
#
# Both parts run even when the first fails; any failure fails the run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

mode=full
case "${1:-}" in
  "") ;;
  --smoke) mode=smoke ;;
  *) echo "usage: scripts/fuzz.sh [--smoke]" >&2; exit 2 ;;
esac
if [[ $mode == smoke ]]; then summary=var/fuzz-smoke.md; else summary=bench/fuzz.md; fi

parts=var/fuzz
mkdir -p "$parts"
rm -f "$parts/schemathesis.md" "$parts/targets.md"

status=0
bash tests/schemathesis/run.sh "--$mode" --summary "$parts/schemathesis.md" || status=$?
bash fuzz/run.sh "--$mode" --summary "$parts/targets.md" || status=$?

{
  echo "# Fuzzing ($mode run)"
  echo
  echo "Written by \`scripts/fuzz.sh${1:+ $1}\` on $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)."
  echo
  for part in "$parts/schemathesis.md" "$parts/targets.md"; do
    if [[ -s $part ]]; then cat "$part"; else echo "_${part##*/}: no summary (the part failed before writing one)_"; fi
    echo
  done
} >"$summary"
echo "fuzz: summary in $summary"
exit "$status"
