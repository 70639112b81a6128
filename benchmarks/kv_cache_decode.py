"""Decoding-step time of the transformers engine's KV cache: growing in place vs torch.cat.

Run from the repository root::

    .venv/bin/python benchmarks/kv_cache_decode.py [--model smollm2-135m-instruct]
        [--shapes 16x400,16x1600,8x1600] [--steps 60] [--threads 1] [--repeats 3]

For each batch x context shape, the model (SmolLM2-135M-Instruct by default, on the
CPU with the backend's grouped decode attention) prefills random prompts once, then
runs ``--steps`` one-token decoding steps the way the engine does (left-padded
attention mask, per-row position ids) from two copies of the same prompt KV:

* **growing** (ours, `sweetrl.serving.kv_cache`): each step's keys and values are
  written into buffers with spare columns; the attention multiplies the buffers;
* **dynamic** (the baseline, transformers' ``DynamicCache``): each step appends with
  ``torch.cat``, copying the batch's whole cache.

The two alternate ``--repeats`` times per shape (the machine's speed drifts); the
figure is the median milliseconds per step. Both must pick the same greedy tokens at
every step, else the run says so and fails. The simulated human's prompts (hidden code
plus the whole dialogue) are the long-context case. The last stdout line is one JSON
object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default="smollm2-135m-instruct")
    p.add_argument("--shapes", default="16x400,16x1600,8x1600",
                   help="comma-separated BATCHxCONTEXT")
    p.add_argument("--steps", type=int, default=60)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--repeats", type=int, default=3)
    return p.parse_args(argv)


def decode(loaded, cache, batch: int, context: int, steps: int) -> tuple[float, list]:
    """Milliseconds per step and the greedy tokens of `steps` decoding steps."""
    import torch

    mask = torch.ones(batch, context, dtype=torch.long)
    positions = torch.full((batch,), context)
    tokens = torch.full((batch,), 42)
    chosen = []
    started = time.perf_counter()
    for _ in range(steps):
        mask = torch.cat([mask, torch.ones(batch, 1, dtype=torch.long)], dim=1)
        out = loaded.model(input_ids=tokens[:, None], attention_mask=mask,
                           position_ids=positions[:, None], past_key_values=cache, use_cache=True)
        positions = positions + 1
        tokens = out.logits[:, -1].argmax(-1)
        chosen.append(tokens.tolist())
    return 1000 * (time.perf_counter() - started) / steps, chosen


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch

    from sweetrl.models.refs import resolve
    from sweetrl.serving.config import TransformersBackendConfig
    from sweetrl.serving.kv_cache import growing_cache
    from sweetrl.serving.loading import kv_tensors, load_model

    torch.set_num_threads(args.threads)
    loaded = load_model(resolve(args.model), TransformersBackendConfig(model=args.model))
    caches = {"growing": growing_cache, "dynamic": loaded.cache_from}
    rows, agree = [], True
    print(f"KV cache decoding steps: {args.model} ({loaded.dtype_name}), {args.steps} steps, "
          f"{args.threads} torch thread(s), median of {args.repeats}\n")
    print("batch | context | growing ms/step | dynamic ms/step | speed-up")
    for shape in args.shapes.split(","):
        batch, context = (int(x) for x in shape.lower().split("x"))
        generator = torch.Generator().manual_seed(batch * 100003 + context)
        ids = torch.randint(100, 20000, (batch, context), generator=generator)
        with torch.inference_mode():
            prefill = loaded.new_cache()
            loaded.model(input_ids=ids, past_key_values=prefill, use_cache=True)
            kv = [(k.clone(), v.clone()) for k, v in kv_tensors(prefill)]
            times: dict[str, list[float]] = {name: [] for name in caches}
            tokens: dict[str, list] = {}
            for _ in range(args.repeats):
                for name, make in caches.items():
                    ms, chosen = decode(loaded, make(kv), batch, context, args.steps)
                    times[name].append(ms)
                    tokens[name] = chosen
        same = tokens["growing"] == tokens["dynamic"]
        agree = agree and same
        ours, base = (statistics.median(times[n]) for n in ("growing", "dynamic"))
        rows.append({"batch": batch, "context": context, "growing_ms": round(ours, 1),
                     "dynamic_ms": round(base, 1), "speedup": round(base / ours, 2),
                     "same_tokens": same})
        print(f"{batch} | {context} | {ours:.1f} | {base:.1f} | {base / ours:.2f}x"
              + ("" if same else "  (greedy tokens DIFFER)"), flush=True)
    print(json.dumps({"benchmark": "kv_cache_decode", "args": vars(args), "shapes": rows,
                      "same_tokens": agree}))
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
