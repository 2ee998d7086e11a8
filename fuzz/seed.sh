#!/usr/bin/env bash
# Seed the fuzz corpus from BuildKit's conformance Dockerfiles and the shared
# real-world corpus (copies are made at run time; none are committed).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
shared="${SHARED:-$here/../../shared}"
out="$here/corpus/parse"
mkdir -p "$out"
n=0
for f in "$shared"/conformance/buildkit-dockerfile/testfiles*/*/Dockerfile "$shared"/corpus/dockerfiles/*; do
  [ -f "$f" ] || continue
  cp "$f" "$out/seed-$n"
  n=$((n + 1))
done
echo "seeded $n files into $out"
