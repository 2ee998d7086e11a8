#!/usr/bin/env bash
# Fetch third-party test data that is not committed: the SARIF 2.1.0 JSON
# schema (from the npm package @microsoft/jest-sarif, which ships OASIS's schema).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/target/test-data"
mkdir -p "$dest"
if [ ! -s "$dest/sarif-schema-2.1.0.json" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent @microsoft/jest-sarif@1.0.0-beta.0 >/dev/null 2>&1)
  tar -xzf "$tmp"/microsoft-jest-sarif-*.tgz -C "$tmp" package/lib/schemas/sarif-2.1.0-rtm.5.json
  cp "$tmp/package/lib/schemas/sarif-2.1.0-rtm.5.json" "$dest/sarif-schema-2.1.0.json"
fi
echo "test data in $dest"
