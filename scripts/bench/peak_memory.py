#!/usr/bin/env python3
"""Runs a command and reports its resident memory at the peak, by mapping, read from /proc/PID/smaps every 50 ms.

    scripts/bench/peak_memory.py .build/release/precis bench --prompt-tokens 1920 --gen-tokens 128 --threads 1

Prints the sampled peak (KiB) and the largest mappings at that moment (the model file, anonymous memory, the
executable, each shared library), which is how docs/performance.md's memory table is made. The sampled peak can
be a little below the kernel's high-water mark (`peak_rss_kib` of `precis bench --json`, or /usr/bin/time -v).
"""
import collections
import re
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
    peak, snapshot = 0, ""
    while process.poll() is None:
        try:
            with open(f"/proc/{process.pid}/smaps") as f:
                text = f.read()
        except OSError:
            break
        total = sum(int(kib) for kib in re.findall(r"^Rss:\s+(\d+)", text, re.M))
        if total > peak:
            peak, snapshot = total, text
        time.sleep(0.05)
    by_mapping = collections.Counter()
    name = "[anon]"
    for line in snapshot.splitlines():
        if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
            parts = line.split(None, 5)
            name = parts[5] if len(parts) > 5 else "[anon]"
        elif line.startswith("Rss:"):
            by_mapping[name] += int(line.split()[1])
    print(f"peak resident memory (sampled): {peak} KiB")
    for mapping, kib in by_mapping.most_common(12):
        if kib:
            print(f"{kib:>9} KiB  {mapping}")
    sys.exit(process.returncode)


if __name__ == "__main__":
    main()
