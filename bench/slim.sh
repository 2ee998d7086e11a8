#!/usr/bin/env bash
# careen slim: bytes saved, wall time and peak memory on the example test images and the
# ≈1.3 GB bench image (bench/analyze-real.sh makes it), compared with docker-squash run against
# podman's Docker-compatible API service (vfs storage in a temp dir).
#
#   bash bench/slim.sh            # all images
#   IMAGES="waste" bash bench/slim.sh
#
# Needs: target/release/careen (cargo build --release -p careen), /usr/bin/time, podman,
# `pip install docker-squash` (optional: skipped with the reason when it cannot run).
set -euo pipefail
cd "$(dirname "$0")/.."
CAREEN=${CAREEN:-target/release/careen}
OUT=${OUT:-target/bench-data/slim}
mkdir -p "$OUT"
export SOURCE_DATE_EPOCH=1700000000

images=()
for name in ${IMAGES:-waste python node big}; do
  case $name in
    big) path=target/bench-data/big.docker.tar ;;
    *) path=target/test-data/images/$name.docker.tar ;;
  esac
  if [[ -f $path ]]; then images+=("$name=$path"); else echo "skip $name: $path missing" >&2; fi
done

size() { stat -c %s "$1"; }

# podman API service for docker-squash
podman_dir=$(mktemp -d)
cleanup() {
  [[ -n ${podman_pid:-} ]] && kill "$podman_pid" 2>/dev/null || true
  rm -rf "$podman_dir"
}
trap cleanup EXIT
pm() {
  XDG_RUNTIME_DIR=$podman_dir/xdg podman --root "$podman_dir/root" --runroot "$podman_dir/run" \
    --storage-driver vfs --events-backend file --cgroup-manager cgroupfs "$@"
}
mkdir -p "$podman_dir/xdg"
squash_ok=0
if command -v docker-squash >/dev/null && command -v podman >/dev/null; then
  pm system service --time=0 "unix://$podman_dir/podman.sock" >/dev/null 2>&1 &
  podman_pid=$!
  for _ in $(seq 100); do [[ -S $podman_dir/podman.sock ]] && break; sleep 0.1; done
  export DOCKER_HOST=unix://$podman_dir/podman.sock
  squash_ok=1
else
  echo "docker-squash or podman missing: no comparison" >&2
fi

printf '%-8s %12s %12s %12s %10s %10s %14s %s\n' image input careen saved time maxRSS docker-squash note
for item in "${images[@]}"; do
  name=${item%%=*}; path=${item#*=}
  out=$OUT/$name.slim.tar
  rm -f "$out"
  /usr/bin/time -f '%e %M' -o "$OUT/time.txt" \
    "$CAREEN" slim "docker-archive:$path" -o "docker-archive:$out" --format json >"$OUT/$name.json"
  read -r secs rss <"$OUT/time.txt"
  saved=$(python3 -c "import json;print(json.load(open('$OUT/$name.json'))['saved']['total'])")
  ds="-"; note=""
  # podman's vfs storage keeps a full copy per layer: the big image needs many GB of /tmp.
  if [[ $squash_ok == 1 && ( $name != big || ${DOCKER_SQUASH_BIG:-0} == 1 ) ]]; then
    tag="localhost/bench/$name:latest"
    if pm load -i "$path" >/dev/null 2>"$OUT/load.err"; then
      loaded=$(pm images --format '{{.Id}}' | head -1)
      pm tag "$loaded" "$tag" >/dev/null 2>&1 || true
      # docker-squash squashes everything above --from-layer (default: all layers of the image
      # above its first); -t tags the result, --output-path writes it as a docker save tar.
      if timeout 1800 docker-squash -t "$tag-squashed" --output-path "$OUT/$name.docker-squash.tar" "$tag" \
          >"$OUT/$name.docker-squash.log" 2>&1; then
        ds=$(size "$OUT/$name.docker-squash.tar")
      else
        note="docker-squash failed: $(grep -m1 -iE 'error|exception' "$OUT/$name.docker-squash.log" | cut -c1-120)"
      fi
    else
      note="podman load failed: $(head -c 120 "$OUT/load.err")"
    fi
  fi
  printf '%-8s %12s %12s %12s %10s %10s %14s %s\n' "$name" "$(size "$path")" "$(size "$out")" "$saved" "${secs}s" "${rss}KB" "$ds" "$note"
done
