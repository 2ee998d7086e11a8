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
# CycloneDX 1.5 JSON schema and the two schemas it refers to (SPDX license ids,
# JSF), from the PyPI package cyclonedx-python-lib, which ships CycloneDX's schemas.
if [ ! -s "$dest/cyclonedx/bom-1.5.schema.json" ]; then
  tmp_cdx="$(mktemp -d)"
  (cd "$tmp_cdx" && python3 -m pip download --quiet --no-deps cyclonedx-python-lib==11.12.0 -d . >/dev/null 2>&1)
  mkdir -p "$dest/cyclonedx"
  python3 - "$tmp_cdx" "$dest/cyclonedx" <<'PY'
import glob, sys, zipfile
src, out = sys.argv[1], sys.argv[2]
wheel = zipfile.ZipFile(glob.glob(src + "/cyclonedx_python_lib-*.whl")[0])
for name in ("bom-1.5", "spdx", "jsf-0.82"):
    with open(f"{out}/{name}.schema.json", "wb") as f:
        f.write(wheel.read(f"cyclonedx/schema/_res/{name}.SNAPSHOT.schema.json"))
PY
  rm -rf "$tmp_cdx"
fi
echo "test data in $dest"
