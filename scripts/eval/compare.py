#!/usr/bin/env python3
"""Methods side by side from `precis eval --json` reports: a totals table and a per-document table (Markdown).

    precis eval DOCS --method extractive --json > extractive.json   # likewise grounded.json, mapreduce.json
    scripts/eval/compare.py extractive.json grounded.json mapreduce.json

Each report is labelled by its method (or its file name when two share one). Documents are matched by file name.
"""
import json
import os
import sys


def main(paths):
    reports = []
    for p in paths:
        with open(p) as f:
            r = json.load(f)
        label = r.get("method") or os.path.basename(p)
        if any(label == l for l, _ in reports):
            label = os.path.splitext(os.path.basename(p))[0]
        reports.append((label, r))

    print("| method | docs | R-1 | R-2 | R-L | unsupported numbers | repeated 4-gram | tokens (of target) | ends on sentence | s/doc |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, r in reports:
        t = r["total"]
        n = t["documents"]
        print(f"| {label} | {n} | {t['rouge1']:.1f} | {t['rouge2']:.1f} | {t['rouge_l']:.1f} "
              f"| {t['unsupported_numbers_percent']:.1f}% of {t['numbers']} | {t['repeated4_gram_percent']:.0f}% "
              f"| {t['mean_tokens']:.0f} ({t['mean_length_ratio']:.2f}) | {t['ends_on_sentence_percent']:.0f}% "
              f"| {t['seconds'] / max(1, n):.1f} |")

    print()
    print("| document | " + " | ".join(f"{l} R-1/R-2/R-L" for l, _ in reports) + " |")
    print("|---|" + "---|" * len(reports))
    by_doc = [{os.path.basename(d["path"]): d for d in r["results"]} for _, r in reports]
    for name in sorted(by_doc[0]):
        cells = []
        for docs in by_doc:
            d = docs.get(name)
            m = d["metrics"]["rouge"] if d else None
            cells.append(f"{m['rouge1']:.1f} / {m['rouge2']:.1f} / {m['rouge_l']:.1f}" if m else "–")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
