"""A tiny randomly initialised chat model, built in-process for fast tests.

`build_tiny_model` writes a normal Hugging Face folder (config, safetensors weights,
tokenizer with a ChatML chat template, generation config) that every loader in the
project accepts: a 2-layer Llama with hidden size 64 and a byte-level BPE tokenizer
of ~320 tokens trained on a short built-in corpus. Nothing is downloaded.

What it is NOT: a model that says anything sensible. Its outputs are random but
deterministic for a seed, which is what tests of batching, sampling, scoring and
checkpoint switching need.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["build_tiny_model", "TINY_CHAT_TEMPLATE", "SPECIAL_TOKENS"]

# ChatML, as SmolLM2 uses, so code paths that render chats see the same shape.
TINY_CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

SPECIAL_TOKENS = ("<|endoftext|>", "<|im_start|>", "<|im_end|>", "<pad>")
"""bos/unk, chat start, eos (end of a turn), pad -- ids 0..3 in that order."""

_CORPUS = (
    "The user asks the assistant to write a Python function. ",
    "def add(a, b):\n    return a + b\n",
    "Can you make the button blue and center the title? ",
    "<div class=\"flex items-center\"><h1>Hello</h1></div>",
    "I think the answer depends on the input list being sorted. ",
    "for i in range(10):\n    print(i)\n",
    "What should the function return when the list is empty? ",
    "Thanks! That works. Please also handle negative numbers. ",
)


def _train_tokenizer(vocab_size: int):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    # Repeated so that merges have stable, tie-free counts (training is deterministic).
    tok.train_from_iterator([line for line in _CORPUS for _ in range(4)], trainer=trainer)
    bos, _start, eos, pad = SPECIAL_TOKENS
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token=bos, eos_token=eos, unk_token=bos, pad_token=pad,
        chat_template=TINY_CHAT_TEMPLATE, model_max_length=512,
        additional_special_tokens=[SPECIAL_TOKENS[1]])


def build_tiny_model(path: str | Path, *, seed: int = 0, hidden_size: int = 64,
                     num_layers: int = 2, num_heads: int = 4, vocab_size: int = 320,
                     max_position_embeddings: int = 512,
                     initializer_range: float = 0.2) -> Path:
    """Write a tiny random Llama causal LM + tokenizer to `path` (created if needed).

    Deterministic for `seed`: the same arguments give the same weights and tokens.
    Takes well under a second on a CPU.

    Args:
        path: destination folder; existing files in it are overwritten.
        seed: torch seed of the weight initialisation.
        hidden_size, num_layers, num_heads: model shape (2 key/value heads: GQA, as
            in SmolLM2).
        vocab_size: target BPE vocabulary (the byte alphabet alone is 256 tokens).
        max_position_embeddings: the model's context length.
        initializer_range: std of the random weights; larger than a real model's so
            that the next-token distribution is peaked and greedy outputs are not
            decided by float noise.

    Returns:
        `path` as a Path.
    """
    import torch
    from transformers import GenerationConfig, LlamaConfig, LlamaForCausalLM

    out = Path(path)
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = _train_tokenizer(vocab_size)
    config = LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=hidden_size,
        intermediate_size=hidden_size * 2, num_hidden_layers=num_layers,
        num_attention_heads=num_heads, num_key_value_heads=max(1, num_heads // 2),
        max_position_embeddings=max_position_embeddings,
        initializer_range=initializer_range, tie_word_embeddings=True,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id)
    # fork_rng: building a model must not disturb the caller's global RNG stream.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = LlamaForCausalLM(config)
    model.generation_config = GenerationConfig(
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out
