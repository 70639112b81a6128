"""Where a training run keeps its state, and how its result reaches the object store.

A run's work directory (``TrainConfig.work_dir``, default ``$SWEET_HOME/train/<out>``)::

    config.yaml            the resolved config (reproducible: load_config reads it back)
    reference.pt           the frozen reference's per-turn logprob sums, with a fingerprint
    deepspeed/             resumable DeepSpeed checkpoints (step-NNNNNNNN/, latest)
    metrics.jsonl          one JSON line per optimizer step and per evaluation
    model/                 the exported Hugging Face checkpoint, plus sweet_training.json
                           (what trained it) and sweet_metrics.jsonl (a copy of metrics.jsonl)

`publish` copies ``model/`` to the output: ``s3://bucket/key`` through the configured
store (`sweetrl.storage.open_store().put_dir`), where the critic service's LoadCritic
and the policy's LoadCheckpoint read it, or a local folder.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sweetrl import envs
from sweetrl.train.data.encoding import Encoded

__all__ = ["default_work_dir", "publish", "load_reference_cache", "save_reference_cache",
           "reference_fingerprint", "fix_adapter_base", "METADATA_FILE", "METRICS_FILE"]

METADATA_FILE = "sweet_training.json"
METRICS_FILE = "sweet_metrics.jsonl"


def default_work_dir(out: str) -> Path:
    """``$SWEET_HOME/train/<out with unsafe characters replaced>``."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", out.strip()).strip("_.") or "run"
    return envs.SWEET_HOME / "train" / name


def is_store_uri(out: str) -> bool:
    return out.strip().lower().startswith(("s3://", "minio://"))


def publish(model_dir: Path, out: str, metadata: dict[str, Any] | None = None) -> str:
    """Copy the exported checkpoint to `out`; returns the reference services load.

    In a store the prefix is committed as a ``checkpoint`` with `metadata` in its
    manifest (`sweetrl.storage.manifest`).

    Raises:
        InvalidInput: a malformed s3:// URI.
    """
    if is_store_uri(out):
        from sweetrl.storage import open_store, parse_uri

        uri = parse_uri(out)
        open_store().put_dir(model_dir, uri, kind="checkpoint", metadata=metadata)
        return str(uri)
    target = Path(out).expanduser().absolute()
    if target != model_dir.absolute():
        shutil.copytree(model_dir, target, dirs_exist_ok=True)
    return str(target)


def reference_fingerprint(parts: Sequence[str], seqs: Sequence[Encoded]) -> str:
    """Hash of what the reference logprobs depend on: model, precision, the sequences."""
    h = hashlib.sha256("\0".join(parts).encode())
    for seq in seqs:
        h.update(seq.digest())
    return h.hexdigest()


def load_reference_cache(path: Path, fingerprint: str) -> list[Any] | None:
    """The cached sums if `path` holds them for `fingerprint`, else None."""
    import torch

    if not path.is_file():
        return None
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
    except Exception:  # noqa: BLE001 - a corrupt cache is recomputed
        return None
    if not isinstance(data, dict) or data.get("fingerprint") != fingerprint:
        return None
    return list(data["sums"])


def save_reference_cache(path: Path, fingerprint: str, sums: Sequence[Any]) -> None:
    import torch

    tmp = path.with_suffix(".tmp")
    torch.save({"fingerprint": fingerprint, "sums": list(sums)}, tmp)
    tmp.replace(path)


def fix_adapter_base(model_dir: Path, base: str) -> None:
    """Name `base` (the user's reference, resolvable anywhere) as a LoRA adapter's base
    instead of the local path it was loaded from."""
    config = model_dir / "adapter_config.json"
    if config.is_file() and base:
        data = json.loads(config.read_text())
        data["base_model_name_or_path"] = base
        config.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
