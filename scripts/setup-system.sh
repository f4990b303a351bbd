#!/usr/bin/env bash
# Installs the system packages Precis builds and tests against, only when missing.
# Idempotent and quiet when everything is there. Without root it prints the exact command to run.
set -euo pipefail

# Debian/Ubuntu packages: pkg-config, the C libraries (with headers), poppler-utils (pdftotext, used by
# ingestion fidelity checks), qpdf (encrypts a test PDF for the ingestion tests) and zlib1g-dev (ships the
# 29-page PDF "A Painless Guide to CRC Error Detection Algorithms" that the end-to-end tests summarize).
PACKAGES=(pkg-config libxml2-dev libpoppler-glib-dev libcairo2-dev poppler-utils qpdf zlib1g-dev)

missing=()
for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        cmd="sudo sh -c '$cmd'"
    else
        echo "precis setup: missing system packages: ${missing[*]}" >&2
        echo "precis setup: run as root:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
fi
echo "precis setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
sh -c "$cmd" >/dev/null
