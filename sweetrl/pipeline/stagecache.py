"""Stage outputs addressed by their inputs: a stage whose inputs did not change is not re-run.

Every stage writes one committed prefix in the object store::

    s3://<bucket>/<prefix>/<stage>/<key>     key = sha256(stage, version, inputs)[:16]

where ``inputs`` are the settings the stage reads and the URIs of the stage outputs it
consumes (themselves keyed the same way, so a change anywhere upstream changes every
key downstream). Before working, a stage asks `StageOutput.done`: a committed prefix
means an earlier run finished it, and the stage returns its URI at once. This works
the same with kfp's local runner, on a cluster (where Kubeflow's own cache may be on
or off) and across runs with different run names; a failed stage re-runs from its
inputs, and its own resumable state (collector file, trainer checkpoints) lives in
`StageOutput.work`, ``$SWEET_HOME/pipeline/<stage>/<key>``, so an interrupted stage
continues rather than restarts.

Bump `VERSION` when a stage's output format or meaning changes.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from sweetrl import envs
from sweetrl.storage import ObjectUri, materialize, open_store, parse_uri

log = logging.getLogger(__name__)

VERSION = 1


class StageOutput:
    """Where stage `stage` with `inputs` writes, and whether it already has."""

    def __init__(self, stage: str, inputs: dict[str, Any], *, bucket: str, prefix: str) -> None:
        blob = json.dumps({"stage": stage, "version": VERSION, "inputs": inputs},
                          sort_keys=True, default=str)
        self.stage = stage
        self.key = hashlib.sha256(blob.encode()).hexdigest()[:16]
        self.inputs = inputs
        self.uri = ObjectUri(bucket, f"{prefix.strip('/')}/{stage}/{self.key}")
        self.work = envs.SWEET_HOME / "pipeline" / stage / self.key
        self._store = open_store()

    def __str__(self) -> str:
        return str(self.uri)

    def done(self) -> bool:
        """Whether a committed output exists (an earlier run finished this stage)."""
        if self._store.exists(self.uri):
            log.info("%s: inputs unchanged, reusing %s", self.stage, self.uri)
            return True
        return False

    def publish(self, folder: Path, *, kind: str = "files",
                metadata: dict[str, Any] | None = None) -> str:
        """Commit `folder` as this stage's output; returns its URI."""
        meta = {"stage": self.stage, "inputs": self.inputs, **(metadata or {})}
        self._store.put_dir(folder, self.uri, kind=kind, metadata=meta)
        return str(self.uri)

    def metadata(self) -> dict[str, Any]:
        """The manifest metadata of the committed output."""
        return dict(self._store.read_manifest(self.uri).metadata or {})


def fetch(uri: str, name: str = "") -> Path:
    """A local path of committed output `uri` (or of file `name` in it), hash-checked."""
    return materialize(f"{uri.rstrip('/')}/{name}" if name else uri)


def read_json(uri: str, name: str) -> Any:
    """JSON file `name` of committed output `uri`."""
    return json.loads(fetch(uri, name).read_text(encoding="utf-8"))


def manifest_metadata(uri: str) -> dict[str, Any]:
    """The manifest metadata of committed prefix `uri`."""
    return dict(open_store().read_manifest(parse_uri(uri)).metadata or {})
