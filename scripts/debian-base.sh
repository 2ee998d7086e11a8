#!/usr/bin/env bash
# Make the Debian bookworm base image every test image is built FROM:
# `debootstrap --variant=minbase`, a tar of the root filesystem (numeric owners,
# entries sorted by name) and a buildah import as localhost/careen-test/debian:bookworm.
#
# Cached: the tar is kept at target/test-data/debian-bookworm-rootfs.tar and the
# image in buildah's vfs storage; a re-run with both present returns at once.
# Needs root and the apt packages debootstrap and buildah.
#
# usage: bash scripts/debian-base.sh [--force]
#   env DEBIAN_MIRROR  (default: the mirror apt uses on this machine, else deb.debian.org)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
image="localhost/careen-test/debian:bookworm"
data="$root/target/test-data"
tarball="$data/debian-bookworm-rootfs.tar"
buildah=(buildah --storage-driver vfs)
say() { echo "debian-base: $*" >&2; }

force=0
[ "${1:-}" = "--force" ] && force=1

for tool in debootstrap buildah; do
  command -v "$tool" >/dev/null || {
    say "$tool is missing (apt-get install $tool)"
    exit 2
  }
done
[ "$(id -u)" = 0 ] || {
  say "needs root (debootstrap and buildah's vfs storage)"
  exit 2
}

if [ "$force" = 0 ] && "${buildah[@]}" inspect --type image "$image" >/dev/null 2>&1; then
  say "$image already in buildah storage (--force to rebuild)"
  exit 0
fi

# The mirror apt uses here (deb822 or one-line sources), so the base comes from the same place.
mirror="${DEBIAN_MIRROR:-}"
if [ -z "$mirror" ]; then
  mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
    grep -oE 'https?://[^ ]+/debian/?( |$)' | grep -v security | head -1 | tr -d ' ' || true)
  mirror="${mirror:-http://deb.debian.org/debian}"
fi

mkdir -p "$data"
if [ "$force" = 1 ] || [ ! -s "$tarball" ]; then
  work="$(mktemp -d "$data/debootstrap.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  say "debootstrap --variant=minbase bookworm from $mirror (a few minutes)"
  debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
    tail -30 "$work/debootstrap.log" >&2
    say "debootstrap failed (log above)"
    exit 1
  }
  # What a container base does not need: downloaded .debs, apt lists, logs of the bootstrap.
  rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"* \
    "$work/rootfs/var/log/bootstrap.log" "$work/rootfs/var/cache/ldconfig/aux-cache"
  # Device nodes come from the runtime, not the image.
  find "$work/rootfs/dev" -mindepth 1 -delete
  # apt settings of Docker's official debian images: no translations, gzip'ed lists, no
  # package caches kept (so a test image that forgets to clean apt lists is realistic, not huge).
  conf="$work/rootfs/etc/apt/apt.conf.d"
  echo 'Acquire::Languages "none";' >"$conf/docker-no-languages"
  printf 'Acquire::GzipIndexes "true";\nAcquire::CompressionTypes::Order:: "gz";\n' >"$conf/docker-gzip-indexes"
  cat >"$conf/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT
  echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$conf/docker-autoremove-suggests"
  say "tar $tarball"
  tar --sort=name --numeric-owner --xattrs --one-file-system -C "$work/rootfs" -cf "$tarball.tmp" .
  mv "$tarball.tmp" "$tarball"
  rm -rf "$work"
  trap - EXIT
fi

ctx="$(mktemp -d "$data/debian-base-ctx.XXXXXX")"
trap 'rm -rf "$ctx"' EXIT
ln "$tarball" "$ctx/rootfs.tar" 2>/dev/null || cp "$tarball" "$ctx/rootfs.tar"
cat >"$ctx/Containerfile" <<'CF'
FROM scratch
ADD rootfs.tar /
ENV LANG=C.UTF-8
CMD ["bash"]
CF
say "buildah bud -> $image"
"${buildah[@]}" bud --isolation chroot --format docker --quiet --layers \
  -t "$image" -f "$ctx/Containerfile" "$ctx" >/dev/null
say "done: $image ($("${buildah[@]}" inspect --type image --format '{{.FromImageID}}' "$image" | cut -c1-12))"
