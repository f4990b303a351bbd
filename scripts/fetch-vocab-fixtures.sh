#!/usr/bin/env bash
# Fetches llama.cpp's vocabulary-only GGUF files and their token fixtures (.inp/.out) for the tokenizer tests.
# They ship inside the source distribution of llama-cpp-python on PyPI (vendor/llama.cpp/models/); they are never
# committed. Usage: scripts/fetch-vocab-fixtures.sh [DEST] (default .build/vocab-fixtures). Does nothing when DEST
# already holds every file.
set -euo pipefail

VERSION=0.3.36
DEST=${1:-.build/vocab-fixtures}
VOCABS="gpt-2 starcoder llama-bpe qwen2 llama-spm phi-3"

complete() {
    for v in $VOCABS; do
        for ext in gguf gguf.inp gguf.out; do
            [ -s "$DEST/ggml-vocab-$v.$ext" ] || return 1
        done
    done
}
complete && exit 0

PY=$(command -v python3 || command -v python || true)
if [ -z "$PY" ]; then
    echo "precis setup: python3 with pip is needed to download llama-cpp-python's source package" >&2
    exit 1
fi
mkdir -p "$DEST"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "precis setup: downloading the llama-cpp-python==$VERSION source package (77 MB) for its tokenizer fixtures" >&2
# --no-binary for this package only: its build dependencies still come as wheels, so nothing is compiled.
"$PY" -m pip download --quiet --no-deps --no-binary llama-cpp-python -d "$tmp" "llama-cpp-python==$VERSION"
"$PY" - "$tmp"/llama_cpp_python-"$VERSION".tar.gz "$DEST" $VOCABS <<'PY'
import os, sys, tarfile
archive, dest, *vocabs = sys.argv[1:]
wanted = {f"ggml-vocab-{v}.{ext}" for v in vocabs for ext in ("gguf", "gguf.inp", "gguf.out")}
with tarfile.open(archive) as tar:
    for member in tar:
        name = os.path.basename(member.name)
        if name in wanted and "/vendor/llama.cpp/models/" in member.name and member.isfile():
            src = tar.extractfile(member)
            tmp = os.path.join(dest, name + ".part")
            with open(tmp, "wb") as out:
                out.write(src.read())
            os.replace(tmp, os.path.join(dest, name))
            wanted.discard(name)
if wanted:
    sys.exit("precis setup: missing from the source package: " + ", ".join(sorted(wanted)))
PY
complete || { echo "precis setup: vocabulary fixtures incomplete in $DEST" >&2; exit 1; }
echo "precis setup: vocabulary fixtures in $DEST" >&2
