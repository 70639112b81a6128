"""The embedded SmolLM2 conversion (real model; cached in $SWEET_HOME/models)."""

from __future__ import annotations

import json
import time

import pytest

from sweetrl.models.refs import file_sha256, resolve
from sweetrl.models.smollm2 import SMOLLM2_NAME, ensure_smollm2, main, smollm2_gguf

pytestmark = pytest.mark.smollm2


def test_conversion_is_a_cached_plain_bf16_folder(capsys):
    folder = ensure_smollm2()
    sha = file_sha256(smollm2_gguf())
    assert folder.name == f"{SMOLLM2_NAME}-{sha[:12]}"
    config = json.loads((folder / "config.json").read_text())
    assert "quantization_config" not in config  # loads without the GGUF machinery
    assert (config["model_type"], config["dtype"]) == ("llama", "bfloat16")
    assert (folder / "model.safetensors").stat().st_size > 200e6
    assert "im_start" in (folder / "chat_template.jinja").read_text()
    start = time.monotonic()
    assert main(["--quiet"]) == 0 and time.monotonic() - start < 5  # cached: no work
    assert capsys.readouterr().out.strip() == str(folder)


def test_builtin_reference_resolves_to_the_cached_folder():
    resolved = resolve("smollm2-135m-instruct")
    assert resolved == resolve("builtin:smollm2-135m-instruct")
    assert resolved.path == ensure_smollm2()
    assert resolved.revision == file_sha256(smollm2_gguf())
    assert (resolved.name, resolved.uri) == (SMOLLM2_NAME, "builtin:smollm2-135m-instruct")
