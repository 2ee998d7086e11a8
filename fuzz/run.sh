#!/usr/bin/env bash
# Run fuzz targets one after another (2-core machine: one at a time).
#   fuzz/run.sh [SECONDS] [TARGET...]     default: 300 s each, every target
# Seeds the corpora first (seed.sh). Crashes land in fuzz/artifacts/<target>/,
# logs in fuzz/logs/<target>.log; the last stats line of each is printed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
secs="${1:-300}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(lint parse shell expand dockerignore check_config provenance)
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target-fuzz}"
cd "$here"
./seed.sh
mkdir -p logs
for t in "${targets[@]}"; do
  case "$t" in
    lint | parse) dict=dicts/dockerfile.dict ;;
    shell) dict=dicts/dockerfile.dict ;;
    expand) dict=dicts/expand.dict ;;
    dockerignore) dict=dicts/dockerignore.dict ;;
    *) dict= ;;
  esac
  args=(-max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -max_len=65536 -print_final_stats=1)
  [ -n "$dict" ] && args+=(-dict="$dict")
  status=0
  cargo fuzz run "$t" "corpus/$t" -- "${args[@]}" > "logs/$t.log" 2>&1 || status=$?
  echo "== $t (exit $status): $(grep -E '^#[0-9]+' "logs/$t.log" | tail -1)"
  grep -E 'stat::number_of_executed_units|SUMMARY|panicked|Test unit written' "logs/$t.log" || true
done
