#!/usr/bin/env bash
# Benchmark (issue 5): the four examples/ built from the Dockerfile `careen init`
# writes and from the naive single-stage Dockerfile of tests/fixtures/naive/, both
# with buildah (`careen build --bench`: a cold build without cache, then a warm one
# after touching the app's main source file) in the e2e store of
# scripts/example-bases.sh, FROM the stand-in bases python:3.11 / node:18. Reports
# the image sizes (sum of the uncompressed layers), cold and warm build times and
# the time of `careen test` (built-in checks) on the careen init image. Both
# Dockerfiles build the same developer's working copy (a git repository with a
# .gitignore and, for Python, a local .venv), as examples_e2e.rs does. Prints a
# Markdown table; pip and npm fetch from the real registries, so build times
# include the network.
#
# usage: bash bench/examples.sh [EXAMPLE...]
#   env CAREEN  a careen binary to use (default: a release build of this checkout)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
ca=/etc/ssl/certs/ca-certificates.crt
say() { echo "examples-bench: $*" >&2; }

examples=("$@")
[ "${#examples[@]}" = 0 ] && examples=(python-http python-mcp node-http node-mcp)

bash scripts/example-bases.sh >&2
store="${CAREEN_E2E_STORE:-/var/tmp/careen-e2e}"
export CONTAINERS_STORAGE_CONF="$store/storage.conf" STORAGE_DRIVER=overlay SOURCE_DATE_EPOCH=1700000000
unset CAREEN_BUILDAH_ARGS

careen="${CAREEN:-}"
if [ -z "$careen" ]; then
  cargo build --release --locked -p careen >/dev/null 2>&1
  careen="${CARGO_TARGET_DIR:-$root/target}/release/careen"
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# The file a developer edits between two builds.
main_source() {
  case "$1" in
  python-http) echo app/main.py ;;
  python-mcp) echo weather_mcp/server.py ;;
  node-http) echo src/server.ts ;;
  node-mcp) echo src/index.ts ;;
  *) return 1 ;;
  esac
}
base_args() {
  case "$1" in
  python-*) echo "--build-arg PYTHON_IMAGE=localhost/careen-test/python:3.11 --build-arg PYTHON_VERSION=3.11" ;;
  node-*) echo "--build-arg NODE_IMAGE=localhost/careen-test/node:18 --build-arg NODE_VERSION=18" ;;
  esac
}
# working_copy NAME DIR: examples/NAME as a developer has it.
working_copy() {
  cp -r "examples/$1" "$2"
  printf '.venv/\nnode_modules/\ndist/\n__pycache__/\n' >"$2/.gitignore"
  case "$1" in python-*) python3 -m venv "$2/.venv" ;; esac
  (cd "$2" && git init -q && git add -A &&
    git -c user.name=dev -c user.email=dev@example.com commit -q -m work)
}
field() { python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))["bench"][sys.argv[2]]; print(v if isinstance(v, int) else f"{v:.1f}")' "$@"; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }

# bench_build NAME CONTEXT OUT.json [careen build args...]
bench_build() {
  local name="$1" context="$2" json="$3"
  shift 3
  # The main source file is the newest one, so --bench touches it for the warm build.
  touch "$context/$(main_source "$name")"
  "$careen" build --engine buildah --quiet --bench --format json --ca-bundle "$ca" "$@" "$context" >"$json" || {
    say "$name: build failed"
    exit 1
  }
}

rows=()
for name in "${examples[@]}"; do
  main_source "$name" >/dev/null || {
    say "unknown example $name"
    exit 2
  }
  say "$name"
  mkdir -p "$tmp/$name"
  working_copy "$name" "$tmp/$name/careen"
  working_copy "$name" "$tmp/$name/naive"
  "$careen" init "$tmp/$name/careen" 2>/dev/null
  # shellcheck disable=SC2046
  bench_build "$name" "$tmp/$name/careen" "$tmp/$name/careen.json" $(base_args "$name") \
    -o "docker-archive:$tmp/$name/careen.docker.tar"
  bench_build "$name" "$tmp/$name/naive" "$tmp/$name/naive.json" \
    -f "tests/fixtures/naive/$name.Dockerfile" -o "docker-archive:$tmp/$name/naive.docker.tar"
  start=$(date +%s.%N)
  "$careen" test --format json "docker-archive:$tmp/$name/careen.docker.tar" >"$tmp/$name/test.json" || {
    say "$name: careen test failed"
    cat "$tmp/$name/test.json" >&2
    exit 1
  }
  test_s=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  ours=$(field "$tmp/$name/careen.json" image_size_bytes)
  theirs=$(field "$tmp/$name/naive.json" image_size_bytes)
  rows+=("| $name | $(mb "$ours") | $(mb "$theirs") | $(awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "%.0f %%", 100 * (1 - a / b) }') \
| $(field "$tmp/$name/careen.json" cold_seconds) s | $(field "$tmp/$name/careen.json" warm_seconds) s \
| $(field "$tmp/$name/naive.json" cold_seconds) s | $(field "$tmp/$name/naive.json" warm_seconds) s | $test_s s |")
  rm -rf "${tmp:?}/$name"
done

echo "| example | careen init image | naive image | smaller by | careen cold build | careen warm build | naive cold build | naive warm build | careen test |"
echo "|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
