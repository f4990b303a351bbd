#!/opt/llref/bin/python
"""llama.cpp's prefill and decode speed on a GGUF file, measured like `precis bench`, to put the two side by side.

Prefills a pseudo-random prompt of --prompt-tokens tokens in one batch (n_batch = n_ubatch = the prompt), then
decodes --gen-tokens tokens one at a time after it (greedy), through llama-cpp-python's low-level llama_decode.
Reports the best of --repetitions runs, as JSON in `precis bench --json`'s shape.

    /opt/llref/bin/python scripts/bench/llamacpp_bench.py --threads 2 [--model Models/...gguf] [--kv-cache q8_0]

--kv-cache q8_0 stores keys and values as q8_0 with flash attention on (llama.cpp needs it for a quantized V
cache) and its Hadamard rotation of the cache off: the arithmetic precis's q8_0 cache repeats (GoldenTests).
"""
import argparse
import json
import os
import random
import time

import numpy as np
import llama_cpp

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=os.path.join(ROOT, "Models", "SmolLM2-135M-Instruct.Q4_1.gguf"))
    ap.add_argument("--prompt-tokens", type=int, default=512)
    ap.add_argument("--gen-tokens", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repetitions", type=int, default=1)
    ap.add_argument("--flash-attn", action="store_true")
    ap.add_argument("--kv-cache", choices=["f16", "q8_0"], default="f16")
    args = ap.parse_args()
    quantized = args.kv_cache == "q8_0"
    if quantized:
        os.environ["LLAMA_ATTN_ROT_DISABLE"] = "1"

    llama_cpp.llama_backend_init()
    model = llama_cpp.llama_model_load_from_file(args.model.encode(), llama_cpp.llama_model_default_params())
    n_vocab = llama_cpp.llama_vocab_n_tokens(llama_cpp.llama_model_get_vocab(model))
    cp = llama_cpp.llama_context_default_params()
    cp.n_ctx = args.prompt_tokens + args.gen_tokens
    cp.n_batch = cp.n_ubatch = args.prompt_tokens
    cp.n_threads = cp.n_threads_batch = args.threads
    cp.flash_attn_type = (llama_cpp.LLAMA_FLASH_ATTN_TYPE_ENABLED if args.flash_attn or quantized
                          else llama_cpp.LLAMA_FLASH_ATTN_TYPE_DISABLED)
    cp.type_k = cp.type_v = llama_cpp.GGML_TYPE_Q8_0 if quantized else llama_cpp.GGML_TYPE_F16
    ctx = llama_cpp.llama_init_from_model(model, cp)
    rng = random.Random(1)
    prompt = [rng.randrange(n_vocab) for _ in range(args.prompt_tokens)]
    batch = llama_cpp.llama_batch_init(args.prompt_tokens, 0, 1)

    def decode(ids, pos):
        for j, t in enumerate(ids):
            batch.token[j] = t
            batch.pos[j] = pos + j
            batch.n_seq_id[j] = 1
            batch.seq_id[j][0] = 0
            batch.logits[j] = j == len(ids) - 1
        batch.n_tokens = len(ids)
        assert llama_cpp.llama_decode(ctx, batch) == 0

    decode(prompt[:8], 0)  # warm-up
    best_prefill = best_decode = 0.0
    for _ in range(args.repetitions):
        llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(ctx), True)
        t0 = time.perf_counter()
        decode(prompt, 0)
        t1 = time.perf_counter()
        for k in range(args.gen_tokens):
            logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(ctx, -1), shape=(n_vocab,))
            decode([int(np.argmax(logits))], args.prompt_tokens + k)
        t2 = time.perf_counter()
        best_prefill = max(best_prefill, args.prompt_tokens / (t1 - t0))
        best_decode = max(best_decode, args.gen_tokens / (t2 - t1))
    print(json.dumps({"prefill_tokens_per_s": best_prefill, "decode_tokens_per_s": best_decode,
                      "prompt_tokens": args.prompt_tokens, "gen_tokens": args.gen_tokens, "threads": args.threads,
                      "isa": "llama.cpp"}, sort_keys=True))


if __name__ == "__main__":
    main()
