#!/usr/bin/env bash
# Seed every fuzz target's corpus from BuildKit's conformance data and the
# shared real-world corpus (copies are made at run time; none are committed).
#   parse, lint   : whole Dockerfiles
#   shell         : RUN bodies cut out of those Dockerfiles
#   expand        : words from BuildKit's envVarTest/wordsTest and ENV/ARG
#                   values, each behind one option byte (see expand.rs)
#   dockerignore  : the repository's .dockerignore fixtures and their lines
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
shared="${SHARED:-$here/../../shared}"
repo="$here/.."
corpus="$here/corpus"
mkdir -p "$corpus"/{parse,lint,shell,expand,dockerignore}

dockerfiles=()
for f in "$shared"/conformance/buildkit-dockerfile/testfiles*/*/Dockerfile "$shared"/corpus/dockerfiles/*; do
  [ -f "$f" ] && dockerfiles+=("$f")
done

n=0
for f in "${dockerfiles[@]}"; do
  cp "$f" "$corpus/parse/seed-$n"
  cp "$f" "$corpus/lint/seed-$n"
  n=$((n + 1))
done
echo "seeded $n Dockerfiles into parse and lint"

# RUN bodies: keep continuation lines, drop `RUN` and its flags.
awk -v out="$corpus/shell" '
  function emit(text) { f = out "/seed-" n++; printf "%s", text > f; close(f) }
  cont != "" && $0 ~ /^[ \t]*#/ { next }
  cont != "" { cont = cont "\n" $0; if ($0 !~ /\\$/) { emit(cont); cont = "" }; next }
  toupper($1) == "RUN" {
    line = $0
    sub(/^[ \t]*[Rr][Uu][Nn][ \t]+/, "", line)
    while (line ~ /^--[a-z-]+=[^ ]* /) sub(/^--[a-z-]+=[^ ]* +/, "", line)
    if (line ~ /\\$/) cont = line; else emit(line)
  }' "${dockerfiles[@]}"
n=$(ls "$corpus/shell" | wc -l)
echo "seeded $n RUN scripts into shell"

# Expansion words: option byte 0 (`\` escape) and 1 (backtick escape).
n=0
{
  for t in envVarTest wordsTest; do
    f="$shared/conformance/buildkit-dockerfile/$t"
    [ -f "$f" ] || continue
    grep -v '^#' "$f" | grep -v '^ENV ' | sed -E 's/^[A-Z]\|//; s/[[:space:]]*\|.*$//' || true
  done
  grep -hiE '^[[:space:]]*(ENV|ARG|WORKDIR|USER|LABEL)[[:space:]]' "${dockerfiles[@]}" \
    | sed -E 's/^[[:space:]]*[A-Za-z]+[[:space:]]+//' | sort -u | head -1500 || true
} | while IFS= read -r word; do
  printf '\000%s' "$word" > "$corpus/expand/seed-$n"
  printf '\001%s' "${word//\\/\`}" > "$corpus/expand/seed-$n-bt"
  n=$((n + 1))
done
echo "seeded $(ls "$corpus/expand" | wc -l) words into expand"

n=0
while IFS= read -r -d '' f; do
  cp "$f" "$corpus/dockerignore/seed-$n"
  n=$((n + 1))
done < <(find "$repo/crates" -name '.dockerignore' -print0)
printf '%s\n' '**/node_modules' '!keep/**' '*.log' '[a-z]?/**/x' 'a\\*b' '/abs/../x' \
  > "$corpus/dockerignore/seed-handmade"
echo "seeded $((n + 1)) files into dockerignore"

# check_config: the repository's careen.toml files.
mkdir -p "$corpus/check_config"
n=0
while IFS= read -r f; do
  cp "$f" "$corpus/check_config/seed-$n"
  n=$((n + 1))
done < <(find "$repo/examples" "$repo/crates" "$repo/docs" -name 'careen.toml' -not -path '*/target/*')
echo "seeded $n careen.toml files into check_config"

# provenance: each test image's Dockerfile, `===`, then history strings in the three formats
# (buildah, BuildKit, classic builder) for its instructions.
mkdir -p "$corpus/provenance"
n=0
for f in "$repo"/tests/images/*/Dockerfile "$repo"/tests/images/bases/*/Dockerfile; do
  {
    cat "$f"
    printf '\n===\n'
    printf '%s\n' '/bin/sh -c #(nop) ADD file:0c70 in / ' '-/bin/sh -c #(nop)  CMD ["bash"]'
    grep -E '^(RUN|COPY|ADD|WORKDIR)' "$f" | while IFS= read -r line; do
      case "$line" in
        RUN*) printf '/bin/sh -c %s\n|1 PIP_CERT=/x /bin/sh -c %s\nRUN %s # buildkit\n' "${line#RUN }" "${line#RUN }" "${line#RUN }" ;;
        *) printf '/bin/sh -c #(nop) %s\n%s # buildkit\n' "$line" "$line" ;;
      esac
    done
  } > "$corpus/provenance/seed-$n"
  n=$((n + 1))
done
echo "seeded $n Dockerfile + history pairs into provenance"
