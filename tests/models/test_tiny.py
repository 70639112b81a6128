"""The tiny test model: fast, deterministic, a normal HF folder with a chat template."""

from __future__ import annotations

import time

from sweetrl.models.refs import file_sha256
from sweetrl.models.tiny import SPECIAL_TOKENS, build_tiny_model


def test_build_is_fast_deterministic_and_seeded(tmp_path):
    build_tiny_model(tmp_path / "warm")  # first call pays the library imports
    start = time.monotonic()
    a = build_tiny_model(tmp_path / "a", seed=0)
    assert time.monotonic() - start < 2.0
    b = build_tiny_model(tmp_path / "b", seed=0)
    c = build_tiny_model(tmp_path / "c", seed=1)
    for name in ("model.safetensors", "tokenizer.json"):
        assert file_sha256(a / name) == file_sha256(b / name)
    assert file_sha256(a / "model.safetensors") != file_sha256(c / "model.safetensors")
    assert file_sha256(a / "tokenizer.json") == file_sha256(c / "tokenizer.json")


def test_folder_loads_with_tokenizer_and_chat_template(tmp_path):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = build_tiny_model(tmp_path / "tiny")
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path)
    bos, start, eos, pad = SPECIAL_TOKENS
    assert (tokenizer.bos_token, tokenizer.eos_token, tokenizer.pad_token) == (bos, eos, pad)
    assert len(tokenizer) == model.config.vocab_size <= 320
    text = "def add(a, b): return a + b  # ünïcode"
    assert tokenizer.decode(tokenizer.encode(text)) == text
    rendered = tokenizer.apply_chat_template([{"role": "user", "content": "hi"}],
                                             add_generation_prompt=True, tokenize=False)
    assert rendered == f"{start}user\nhi{eos}\n{start}assistant\n"
    ids = tokenizer.apply_chat_template([{"role": "user", "content": "hi"}],
                                        add_generation_prompt=True, return_dict=False)
    assert ids[0] == tokenizer.convert_tokens_to_ids(start)
    logits = model(torch.tensor([ids])).logits
    assert logits.shape == (1, len(ids), len(tokenizer)) and torch.isfinite(logits).all()
