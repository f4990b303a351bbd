#!/opt/llref/bin/python
"""`precis bench` beside llama.cpp on the same GGUF file, same threads, same run: a Markdown table of prefill and
decode tokens/s (median of the repetitions) and our speed as a ratio of llama.cpp's.

The two are interleaved (precis, llama.cpp, precis, llama.cpp, ...) so a noisy neighbour hurts both alike.
Needs a release build (.build/release/precis) and llama-cpp-python in /opt/llref (see llamacpp_bench.py).

    /opt/llref/bin/python scripts/bench/side_by_side.py [--threads 1 2] [--repetitions 3] [--model M]
        [--kv-cache f16 q8_0]

Each KV cache type is compared with llama.cpp's run of the same arithmetic: f16 without flash attention (its
default), q8_0 with flash attention (see llamacpp_bench.py).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def run(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=os.path.join(ROOT, "Models", "SmolLM2-135M-Instruct.Q4_1.gguf"))
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--repetitions", type=int, default=3)
    ap.add_argument("--prompt-tokens", type=int, default=512)
    ap.add_argument("--gen-tokens", type=int, default=128)
    ap.add_argument("--precis", default=os.path.join(ROOT, ".build", "release", "precis"))
    ap.add_argument("--kv-cache", nargs="+", default=["f16", "q8_0"], choices=["f16", "q8_0"])
    args = ap.parse_args()

    sizes = ["--prompt-tokens", str(args.prompt_tokens), "--gen-tokens", str(args.gen_tokens)]
    rows = []
    isa = "?"
    for cache in args.kv_cache:
        for t in args.threads:
            ours, theirs = [], []
            for _ in range(args.repetitions):
                r = run([args.precis, "bench", "--model", args.model, "--threads", str(t), "--kv-cache", cache,
                         "--json"] + sizes)
                isa = r["isa"]
                ours.append(r)
                theirs.append(run([sys.executable, os.path.join(HERE, "llamacpp_bench.py"), "--model", args.model,
                                   "--threads", str(t), "--kv-cache", cache] + sizes))
                print(f"{cache}, threads {t}: precis {ours[-1]['prefill_tokens_per_s']:.1f}/"
                      f"{ours[-1]['decode_tokens_per_s']:.1f}, llama.cpp {theirs[-1]['prefill_tokens_per_s']:.1f}/"
                      f"{theirs[-1]['decode_tokens_per_s']:.1f}", file=sys.stderr)
            med = lambda runs, key: statistics.median(r[key] for r in runs)
            for key, name in (("prefill_tokens_per_s", f"prefill {args.prompt_tokens}"),
                              ("decode_tokens_per_s", f"decode {args.gen_tokens} after it")):
                a, b = med(ours, key), med(theirs, key)
                rows.append((cache, t, name, a, b, a / b, [round(r[key], 1) for r in ours],
                             [round(r[key], 1) for r in theirs]))

    print(f"precis kernels: {isa}; median of {args.repetitions} interleaved runs each; tokens/s\n")
    print("| KV cache | threads | phase | precis | llama.cpp | ratio | precis runs | llama.cpp runs |")
    print("|---|---:|---|---:|---:|---:|---|---|")
    for cache, t, name, a, b, ratio, ra, rb in rows:
        print(f"| {cache} | {t} | {name} | {a:.1f} | {b:.1f} | {ratio:.2f}× | {ra} | {rb} |")


if __name__ == "__main__":
    main()
