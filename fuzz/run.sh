#!/usr/bin/env bash
# Run every cargo-fuzz target of fuzz/ from a copy of its committed corpus and write a
# markdown summary (docs/fuzzing.md says how the stable toolchain runs them).
#
#   fuzz/run.sh --smoke --summary FILE   # ~5 s a target (CI: make fuzz-smoke)
#   fuzz/run.sh --full  --summary FILE   # 60 s a target (make fuzz)
#   FUZZ_SECONDS=600 fuzz/run.sh --full --summary FILE   # any other length
#
# Installs cargo-fuzz when missing, builds all targets once, then runs each with its corpus
# copied to var/fuzz/corpus/<target> (so the run leaves git clean) and its crashes in
# var/fuzz/artifacts/<target>/. Exits non-zero when any target crashed or failed to run;
# the output names each crash file (docs/fuzzing.md: from a crash to a regression test).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

mode=smoke
summary=""
while (($#)); do
  case "$1" in
    --smoke) mode=smoke ;;
    --full) mode=full ;;
    --summary) summary="${2:?--summary needs a file}"; shift ;;
    *) echo "usage: fuzz/run.sh [--smoke|--full] --summary FILE" >&2; exit 2 ;;
  esac
  shift
done
[[ -n $summary ]] || { echo "usage: fuzz/run.sh [--smoke|--full] --summary FILE" >&2; exit 2; }
if [[ $mode == smoke ]]; then seconds=${FUZZ_SECONDS:-5}; else seconds=${FUZZ_SECONDS:-60}; fi

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi

# The targets read configuration files through the services' loader, which also reads
# these variables: the ones of this shell must not decide what a file means.
while read -r name; do unset "$name"; done < <(env | sed -n 's/^\(\(IAM\|SWR\|TCR\|LAKEFORMATION\)__[^=]*\)=.*/\1/p')

# Stable rustc: no sanitizer (-Zsanitizer is nightly-only); coverage and libFuzzer need
# only stable -C flags. Release with debug assertions, as cargo-fuzz builds by default.
# The targets build apart from the workspace, in fuzz/target, whatever CARGO_TARGET_DIR
# the shell has (a shared one would hold the workspace's build lock and its artifacts).
export CARGO_TARGET_DIR="$ROOT/fuzz/target"

echo "fuzz: building every target"
build_start=$SECONDS
cargo fuzz build --sanitizer none
build_seconds=$((SECONDS - build_start))

host="$(rustc -vV | sed -n 's/^host: //p')"
bin_dir="$ROOT/fuzz/target/$host/release"
work="$ROOT/var/fuzz"
mapfile -t targets < <(cargo fuzz list)

rows=()
failed=()
for t in "${targets[@]}"; do
  corpus="$work/corpus/$t"
  artifacts="$work/artifacts/$t"
  log="$work/logs/$t.log"
  rm -rf "$corpus" "$artifacts"
  mkdir -p "$corpus" "$artifacts" "$work/logs"
  if [[ -d fuzz/corpus/$t ]]; then cp -R "fuzz/corpus/$t/." "$corpus/"; fi
  seeds=$(find "$corpus" -type f | wc -l)

  echo "fuzz: $t for $seconds s ($seeds seeds)"
  status=0
  "$bin_dir/$t" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=8192 -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1 || status=$?

  runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
  took=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\2/p' "$log" | tail -n 1)
  if [[ -z $runs ]]; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  fi
  entries=$(find "$corpus" -type f | wc -l)
  crashes=$(find "$artifacts" -type f | sort)
  if [[ $status -eq 0 && -z $crashes ]]; then
    findings="none"
  else
    failed+=("$t")
    findings="**exit $status**"
    if [[ -n $crashes ]]; then
      findings="**$(echo "$crashes" | wc -l) crash(es)**: \`${crashes//$ROOT\//}\`"
      findings="${findings//$'\n'/\`, \`}"
    fi
    echo "fuzz: $t FAILED (exit $status); log $log" >&2
    grep -m 5 -E "panicked at|ERROR: libFuzzer|SUMMARY|Test unit written" "$log" >&2 || true
    if [[ -n $crashes ]]; then
      echo "$crashes" | sed 's/^/fuzz:   crash file /' >&2
    fi
  fi
  rows+=("| \`$t\` | ${took:-?} | ${runs:-?} | $seeds → $entries | $findings |")
done

mkdir -p "$(dirname "$summary")"
{
  echo "## Fuzz targets"
  echo
  echo "\`fuzz/run.sh --$mode\`: ${#targets[@]} cargo-fuzz targets (libFuzzer, stable rustc, no sanitizer),"
  echo "$seconds s each from a copy of the committed corpus; build ${build_seconds} s. See docs/fuzzing.md."
  echo
  echo "| target | seconds | executions | corpus entries (seeds → after) | findings |"
  echo "|---|---:|---:|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  if ((${#failed[@]})); then
    echo "**Failed: ${failed[*]}.** Crash files are under var/fuzz/artifacts/; docs/fuzzing.md says how to replay and minimise one."
  else
    echo "No crash, no failed property."
  fi
} >"$summary"
echo "fuzz: summary in $summary"

if ((${#failed[@]})); then
  echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
  exit 1
fi
