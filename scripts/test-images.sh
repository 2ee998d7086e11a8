#!/usr/bin/env bash
# Build careen's real test images (tests/images/<name>/Dockerfile, FROM the
# debootstrap base of scripts/debian-base.sh) with buildah and export each one
# to every transport careen reads, under target/test-data/images/:
#
#   <name>.docker.tar     docker-archive (uncompressed layers)
#   <name>.oci/           oci layout directory, gzip layers (skopeo --dest-compress)
#   <name>.oci.tar        oci-archive, the same gzip layers
#   <name>.zstd.oci.tar   oci-archive, zstd layers (skopeo --dest-compress-format zstd)
#   images.json           what was built: names, references, context hashes, files
#
# An image whose Dockerfile, context files and base image are unchanged since
# its last export is skipped, so a warm re-run takes seconds.
# Needs root and the apt packages buildah, skopeo, debootstrap.
#
# usage: bash scripts/test-images.sh [--force] [NAME...]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out="$root/target/test-data/images"
buildah=(buildah --storage-driver vfs)
ca=/etc/ssl/certs/ca-certificates.crt
# Bumped when this script's output changes shape, so old exports are redone.
format_version=1
say() { echo "test-images: $*" >&2; }

force=0
names=()
for arg in "$@"; do
  case "$arg" in
  --force) force=1 ;;
  -*)
    say "unknown option $arg (usage: test-images.sh [--force] [NAME...])"
    exit 2
    ;;
  *) names+=("$arg") ;;
  esac
done
for tool in buildah skopeo sha256sum; do
  command -v "$tool" >/dev/null || {
    say "$tool is missing (apt-get install $tool)"
    exit 2
  }
done
[ -s "$ca" ] || {
  say "no CA bundle at $ca (pip and npm inside the builds need it)"
  exit 2
}
if [ "${#names[@]}" = 0 ]; then
  for dir in tests/images/*/; do
    [ -f "$dir/Dockerfile" ] && names+=("$(basename "$dir")")
  done
fi

bash scripts/debian-base.sh
base_id=$("${buildah[@]}" inspect --type image --format '{{.FromImageID}}' localhost/careen-test/debian:bookworm)
mkdir -p "$out"

# Hash of everything that decides an image: the context files (path, mode, content), the base
# image and this script's output format.
context_hash() {
  local dir="$1"
  {
    echo "format $format_version base $base_id"
    (cd "$dir" && find . -type f -print0 | LC_ALL=C sort -z |
      xargs -0 -r stat -c '%n %a' && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
  } | sha256sum | cut -d' ' -f1
}

outputs_exist() {
  local name="$1"
  [ -s "$out/$name.docker.tar" ] && [ -s "$out/$name.oci/index.json" ] &&
    [ -s "$out/$name.oci.tar" ] && [ -s "$out/$name.zstd.oci.tar" ]
}

build_one() {
  local name="$1" dir="tests/images/$1" ref="localhost/careen-test/$1:latest" hash start
  [ -f "$dir/Dockerfile" ] || {
    say "no $dir/Dockerfile"
    exit 2
  }
  hash=$(context_hash "$dir")
  if [ "$force" = 0 ] && [ "$(cat "$out/$name.hash" 2>/dev/null)" = "$hash" ] && outputs_exist "$name"; then
    say "$name: up to date"
    return
  fi
  start=$SECONDS
  say "$name: buildah bud"
  rm -f "$out/$name.hash"
  # The host CA bundle is mounted read-only outside /etc/ssl (so nothing of it lands in a layer);
  # pip and npm are pointed at it through build args.
  "${buildah[@]}" bud --isolation chroot --format docker --layers --quiet \
    --volume "$ca:/run/ca.crt:ro" \
    --build-arg PIP_CERT=/run/ca.crt \
    --build-arg npm_config_cafile=/run/ca.crt \
    --build-arg NODE_EXTRA_CA_CERTS=/run/ca.crt \
    -t "$ref" -f "$dir/Dockerfile" "$dir" >"$out/$name.build.log" 2>&1 || {
    tail -40 "$out/$name.build.log" >&2
    say "$name: build failed (log above, all of it in $out/$name.build.log)"
    exit 1
  }
  built=$SECONDS
  # One read of buildah's storage (vfs computes each layer's diff by walking the whole tree, so
  # it is the slow part): the docker-archive, which keeps the Docker config (HEALTHCHECK). The
  # OCI copies are made from it by skopeo; the OCI config has no HEALTHCHECK field, so it is
  # dropped there, as it is by every Docker-to-OCI conversion.
  rm -rf "$out/$name.docker.tar" "$out/$name.oci" "$out/$name.oci.tar" "$out/$name.zstd.oci.tar"
  "${buildah[@]}" push --quiet "$ref" "docker-archive:$out/$name.docker.tar:$ref"
  skopeo copy --quiet --dest-compress --dest-compress-format gzip \
    "docker-archive:$out/$name.docker.tar" "oci:$out/$name.oci:latest"
  skopeo copy --quiet \
    "oci:$out/$name.oci:latest" "oci-archive:$out/$name.oci.tar:latest"
  skopeo copy --quiet --dest-compress --dest-compress-format zstd \
    "oci:$out/$name.oci:latest" "oci-archive:$out/$name.zstd.oci.tar:latest"
  echo "$hash" >"$out/$name.hash"
  say "$name: done in $((SECONDS - start)) s (build $((built - start)) s, export $((SECONDS - built)) s)"
}

for name in "${names[@]}"; do
  build_one "$name"
done

# The manifest lists every image exported so far (not only the ones named on this run).
{
  echo '{'
  echo '  "schema": "careen.test-images/v1",'
  echo "  \"base\": {\"reference\": \"localhost/careen-test/debian:bookworm\", \"id\": \"$base_id\"},"
  echo '  "images": ['
  sep=""
  for hashfile in "$out"/*.hash; do
    [ -e "$hashfile" ] || continue
    name=$(basename "$hashfile" .hash)
    outputs_exist "$name" || continue
    printf '%s    {"name": "%s", "reference": "localhost/careen-test/%s:latest", "context": "tests/images/%s", "hash": "%s",\n' \
      "$sep" "$name" "$name" "$name" "$(cat "$hashfile")"
    printf '     "transports": {"docker-archive": "%s.docker.tar", "oci": "%s.oci", "oci-archive": "%s.oci.tar", "oci-archive-zstd": "%s.zstd.oci.tar"}}' \
      "$name" "$name" "$name" "$name"
    sep=$',\n'
  done
  printf '\n  ]\n}\n'
} >"$out/images.json.tmp"
mv "$out/images.json.tmp" "$out/images.json"
say "images in $out ($(du -sh "$out" | cut -f1)), listed in $out/images.json"
