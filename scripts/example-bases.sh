#!/usr/bin/env bash
# Build the language base images the examples/ end-to-end tests build FROM, with
# buildah (vfs storage, chroot isolation, docker format), on the debootstrap base
# of scripts/debian-base.sh:
#
#   localhost/careen-test/python:3.11   tests/images/bases/python/Dockerfile
#   localhost/careen-test/node:18       tests/images/bases/node/Dockerfile
#
# Each image carries the hash of its inputs (Dockerfile, the Debian base's id,
# this script's format) in the label careen.test.inputs; an image whose label
# matches is kept, so a warm re-run takes a second. Needs root, buildah, skopeo
# and debootstrap; apt inside the builds needs the Debian mirror.
#
# Both bases are then copied (skopeo, same image IDs) into the e2e store: a
# buildah storage of its own with the overlay driver at $CAREEN_E2E_STORE
# (default /var/tmp/careen-e2e; its storage.conf is written here), where
# crates/careen/tests/cli/examples_e2e.rs and bench/examples.sh build the
# examples. vfs copies the whole root filesystem for every layer: a layer-cached
# build of one Node example there takes ~6 GB; overlay keeps only the changes
# (~0.5 GB for all four examples and their bases). Delete the directory to
# reclaim the space; the next run of this script recreates it.
#
# usage: bash scripts/example-bases.sh [--force] [python|node]...
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
buildah=(buildah --storage-driver vfs)
# Bumped when the way the bases are built changes, so old ones are redone.
format_version=1
label=careen.test.inputs
say() { echo "example-bases: $*" >&2; }

force=0
names=()
for arg in "$@"; do
  case "$arg" in
  --force) force=1 ;;
  python | node) names+=("$arg") ;;
  *)
    say "unknown argument $arg (usage: example-bases.sh [--force] [python|node]...)"
    exit 2
    ;;
  esac
done
[ "${#names[@]}" = 0 ] && names=(python node)
for tool in buildah skopeo; do
  command -v "$tool" >/dev/null || {
    say "$tool is missing (apt-get install $tool)"
    exit 2
  }
done
[ "$(id -u)" = 0 ] || {
  say "needs root (buildah's vfs storage)"
  exit 2
}

bash scripts/debian-base.sh
base_id=$("${buildah[@]}" inspect --type image --format '{{.FromImageID}}' localhost/careen-test/debian:bookworm)
logs="$root/target/test-data/bases"
mkdir -p "$logs"

reference() {
  case "$1" in
  python) echo localhost/careen-test/python:3.11 ;;
  node) echo localhost/careen-test/node:18 ;;
  esac
}

for name in "${names[@]}"; do
  ref=$(reference "$name")
  dockerfile="tests/images/bases/$name/Dockerfile"
  hash=$({
    echo "format $format_version base $base_id"
    sha256sum <"$dockerfile"
  } | sha256sum | cut -d' ' -f1)
  have=$("${buildah[@]}" inspect --type image --format "{{index .Docker.Config.Labels \"$label\"}}" "$ref" 2>/dev/null || true)
  if [ "$force" = 0 ] && [ "$have" = "$hash" ]; then
    say "$ref: up to date"
    continue
  fi
  start=$SECONDS
  say "$ref: buildah bud (apt-get from the Debian mirror; a minute or two)"
  "${buildah[@]}" bud --isolation chroot --format docker --layers --quiet \
    --label "$label=$hash" -t "$ref" -f "$dockerfile" "tests/images/bases/$name" \
    >"$logs/$name.build.log" 2>&1 || {
    tail -40 "$logs/$name.build.log" >&2
    say "$ref: build failed (log above, all of it in $logs/$name.build.log)"
    exit 1
  }
  say "$ref: done in $((SECONDS - start)) s"
done

# The e2e store (overlay) and the copies of the bases in it.
store="${CAREEN_E2E_STORE:-/var/tmp/careen-e2e}"
mkdir -p "$store"
cat >"$store/storage.conf.tmp" <<CONF
# Written by scripts/example-bases.sh: the buildah storage the examples are built in.
[storage]
driver = "overlay"
graphroot = "$store/storage"
runroot = "$store/run"
CONF
mv "$store/storage.conf.tmp" "$store/storage.conf"
e2e=(env CONTAINERS_STORAGE_CONF="$store/storage.conf" buildah --storage-driver overlay)
# Every test run adds a few untagged images (the naive builds of a fresh working copy
# never hit the cache); past 4 GB the untagged ones go, and the next run builds cold once.
if [ -d "$store/storage" ] && [ "$(du -sm "$store/storage" | cut -f1)" -gt 4096 ]; then
  say "$store is over 4 GB: removing its untagged images (the layer cache)"
  "${e2e[@]}" rmi --prune >/dev/null || true
fi
for name in "${names[@]}"; do
  ref=$(reference "$name")
  want=$("${buildah[@]}" inspect --type image --format '{{.FromImageID}}' "$ref")
  have=$("${e2e[@]}" inspect --type image --format '{{.FromImageID}}' "$ref" 2>/dev/null || true)
  if [ "$want" = "$have" ]; then
    say "$ref: up to date in $store"
    continue
  fi
  say "$ref: copy into $store (overlay)"
  skopeo copy --quiet "containers-storage:[vfs@/var/lib/containers/storage+/run/containers/storage]$ref" \
    "containers-storage:[overlay@$store/storage+$store/run]$ref"
done
