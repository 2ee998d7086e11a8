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
# matches is kept, so a warm re-run takes a second. Needs root, buildah and
# debootstrap; apt inside the builds needs the Debian mirror.
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
command -v buildah >/dev/null || {
  say "buildah is missing (apt-get install buildah)"
  exit 2
}
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
