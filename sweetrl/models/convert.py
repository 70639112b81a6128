"""Convert a GGUF checkpoint once into a cached Hugging Face folder.

transformers can read a GGUF file (dequantising it to float32, ~15-20 s for a 135M
model here), but the loaded model refuses ``save_pretrained`` and every later load
pays the dequantisation again. `convert_gguf` therefore builds a plain model with
``AutoModelForCausalLM.from_config``, copies the dequantised weights in, and saves a
normal folder (bf16 safetensors, tokenizer with its chat template, generation config)
under ``$SWEET_HOME/models/<name>-<sha256[:12]>`` that any tool (vLLM included) loads.

Concurrency: converters take an exclusive ``flock`` on a lock file beside the target
and write into a temporary folder next to it that is renamed into place only when
complete, so a second converter waits and then reuses the result, and a crash never
leaves a half-written folder under the final name.

What it does NOT do: keep the quantisation (the result is bf16), or convert
architectures transformers cannot read from GGUF.
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from sweetrl import envs
from sweetrl.errors import FailedPrecondition

__all__ = ["convert_gguf", "models_dir", "cached_folder"]

log = logging.getLogger(__name__)


def models_dir() -> Path:
    """Where converted models are cached: ``$SWEET_HOME/models``."""
    return envs.SWEET_HOME / "models"


def cached_folder(name: str, sha256: str) -> Path:
    """The cache folder of a conversion (it may not exist yet)."""
    return models_dir() / f"{name}-{sha256[:12]}"


def convert_gguf(gguf: Path, *, sha256: str | None = None, name: str | None = None,
                 quiet: bool = False) -> Path:
    """Return the HF folder converted from `gguf`, converting on the first call.

    Args:
        gguf: the .gguf file.
        sha256: its hex sha256 if already known (computed otherwise).
        name: folder name prefix; default the file stem.
        quiet: no progress display (log lines only).

    Raises:
        FailedPrecondition: the file cannot be read or converted (message says why).
    """
    if sha256 is None:
        from sweetrl.models.refs import file_sha256

        sha256 = file_sha256(gguf)
    final = cached_folder(name or gguf.stem, sha256)
    if final.is_dir():
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    with _locked(final.parent / f".{final.name}.lock"):
        if final.is_dir():  # another process converted it while we waited
            return final
        for stale in final.parent.glob(f".{final.name}.tmp-*"):
            shutil.rmtree(stale, ignore_errors=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.tmp-", dir=final.parent))
        try:
            seconds = _convert_into(gguf, tmp, quiet=quiet)
            os.rename(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    log.info("converted %s to %s in %.1f s", gguf.name, final, seconds)
    return final


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _convert_into(gguf: Path, out: Path, *, quiet: bool) -> float:
    """Dequantise `gguf` and save it as a bf16 HF folder in `out`; return seconds taken."""
    from rich.console import Console

    console = Console(stderr=True, quiet=quiet)
    start = time.monotonic()
    steps = ("reading the tokenizer", "dequantising the weights (the slow part)",
             "writing bf16 safetensors")
    with console.status(f"Converting {gguf.name} (one time, ~30 s)") as status:
        def step(i: int) -> None:
            message = f"Converting {gguf.name} [{i + 1}/{len(steps)}]: {steps[i]}"
            status.update(message)
            log.info("%s (%.0f s elapsed)", message, time.monotonic() - start)

        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer

            step(0)
            tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
            step(1)
            loaded = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name,
                                                          dtype=torch.float32)
            step(2)
            config = copy.deepcopy(loaded.config)
            # The GGUF marker would make every later load try to dequantise again.
            if hasattr(config, "quantization_config"):
                del config.quantization_config
            config._name_or_path = ""
            model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
            model.load_state_dict(loaded.state_dict(), strict=True)
            model.generation_config = copy.deepcopy(loaded.generation_config)
            del loaded
            model.to(torch.bfloat16).save_pretrained(out)
            if getattr(tokenizer, "model_max_length", 0) > 10 ** 9:
                tokenizer.model_max_length = config.max_position_embeddings
            tokenizer.save_pretrained(out)
        except FailedPrecondition:
            raise
        except Exception as e:  # noqa: BLE001 - any loader error means "cannot convert"
            raise FailedPrecondition(f"cannot convert {gguf}: {type(e).__name__}: {e}") from e
    seconds = time.monotonic() - start
    console.print(f"Converted {gguf.name} in {seconds:.0f} s -> {out.parent}")
    return seconds
