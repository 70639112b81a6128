"""Fixtures of the serving tests: tiny random models built once per session."""

from __future__ import annotations

import pytest

from sweetrl.models.tiny import build_tiny_model


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory):
    """A tiny random Llama chat model (seed 0), float32."""
    return build_tiny_model(tmp_path_factory.mktemp("serving") / "tiny-a", seed=0)


@pytest.fixture(scope="session")
def tiny_dir_b(tmp_path_factory):
    """Same shape and tokenizer as `tiny_dir`, other weights (seed 1)."""
    return build_tiny_model(tmp_path_factory.mktemp("serving") / "tiny-b", seed=1)


@pytest.fixture(scope="session")
def reference(tiny_dir):
    """The tiny model loaded with plain transformers, for reference computations."""
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(tiny_dir).eval()
