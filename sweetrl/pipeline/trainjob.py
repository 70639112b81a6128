"""Training stages as Kubeflow Trainer TrainJobs: multi-node DeepSpeed from a pipeline step.

By default a training stage trains in its own pod (one process). When
``SWEET_TRAINJOB__RUNTIME`` names a (Cluster)TrainingRuntime of Kubeflow Trainer v2
(e.g. ``deepspeed-distributed``), the stage instead creates a ``TrainJob``
(``trainer.kubeflow.org/v1alpha1``) through the kubernetes client, with
``num_nodes`` x ``gpus_per_node`` GPUs, and waits for it. Every rank runs
``python -m sweetrl.pipeline.trainjob WORK`` where WORK is the job as JSON: the
trainer kind, its settings, and the object-store URIs of its data. Each rank
downloads the data (hash-checked), the launcher's environment (RANK, WORLD_SIZE,
MASTER_ADDR) sets up torch.distributed (`sweetrl.train.strategy`), rank 0 publishes
the checkpoint to the stage's output URI, and the stage then checks it is committed.

The TrainJob's pods get the store's address and credentials the way the stage's pod
has them (``SWEET_STORE`` as a value, the keys from the same Secret), and the node
selector / tolerations of `TrainJobSettings`.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sweetrl.config import doc

log = logging.getLogger(__name__)

SECTION = "trainjob"
GROUP, VERSION, PLURAL = "trainer.kubeflow.org", "v1alpha1", "trainjobs"
NAMESPACE_FILE = Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")


@dataclass(frozen=True)
class TrainJobSettings:
    """Where a training stage trains (module docstring); section ``trainjob``."""

    runtime: str = doc("Kubeflow Trainer runtime to train with (e.g. deepspeed-distributed); "
                       "'' trains inside the stage's own pod.", "")
    num_nodes: int = doc("Nodes of the TrainJob.", 1)
    gpus_per_node: int = doc("GPUs per node (one rank each).", 8)
    image: str = doc("Image of the ranks; '' is the pipeline components' image.", "")
    namespace: str = doc("Namespace of the TrainJob; '' is the stage pod's own.", "")
    store_secret: str = doc("Secret with the store credentials (as the stage pods use).",
                            "sweetrl-s3")
    access_key_key: str = doc("Key of the access key in store_secret.", "accesskey")
    secret_key_key: str = doc("Key of the secret key in store_secret.", "secretkey")
    poll_s: float = doc("Seconds between two status checks.", 15.0)
    timeout_s: float = doc("Give up (and delete the TrainJob) after this many seconds.", 172800.0)


def settings() -> TrainJobSettings:
    from sweetrl.config import load_config

    return load_config(TrainJobSettings, section=SECTION)


def encode(work: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(work, sort_keys=True).encode()).decode()


def manifest(name: str, work: dict[str, Any], s: TrainJobSettings, namespace: str) -> dict[str, Any]:
    """The TrainJob object that trains `work` (see `run_worker`)."""
    from sweetrl.pipeline.config import STAGE_IMAGE

    env = [{"name": "SWEET_STORE", "value": os.environ.get("SWEET_STORE", "")},
           *({"name": var, "valueFrom": {"secretKeyRef": {"name": s.store_secret, "key": key}}}
             for var, key in (("SWEET_S3_ACCESS_KEY", s.access_key_key),
                              ("SWEET_S3_SECRET_KEY", s.secret_key_key)))]
    return {
        "apiVersion": f"{GROUP}/{VERSION}", "kind": "TrainJob",
        "metadata": {"name": name, "namespace": namespace,
                     "labels": {"app.kubernetes.io/part-of": "sweetrl",
                                "sweetrl.io/stage": str(work.get("stage", ""))}},
        "spec": {
            "runtimeRef": {"name": s.runtime},
            "trainer": {
                "image": s.image or STAGE_IMAGE,
                "command": ["python", "-m", "sweetrl.pipeline.trainjob", encode(work)],
                "numNodes": s.num_nodes,
                "resourcesPerNode": {"limits": {"nvidia.com/gpu": s.gpus_per_node}},
                "env": env,
            },
        },
    }


def submit_and_wait(name: str, work: dict[str, Any], s: TrainJobSettings, api: Any = None,
                    sleep=time.sleep) -> None:
    """Create the TrainJob and wait until it completes.

    Raises:
        FailedPrecondition: the TrainJob failed or timed out (it is deleted then).
    """
    from sweetrl.errors import FailedPrecondition

    namespace = s.namespace or (NAMESPACE_FILE.read_text().strip() if NAMESPACE_FILE.exists() else "default")
    if api is None:
        from kubernetes import client, config

        config.load_incluster_config()
        api = client.CustomObjectsApi()
    body = manifest(name, work, s, namespace)
    api.create_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL, body)
    log.info("TrainJob %s/%s created (%d node(s) x %d GPU(s), runtime %s)", namespace, name,
             s.num_nodes, s.gpus_per_node, s.runtime)
    waited = 0.0
    while waited <= s.timeout_s:
        status = api.get_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL, name).get("status") or {}
        for cond in status.get("conditions") or []:
            if cond.get("status") != "True":
                continue
            if cond.get("type") == "Complete":
                log.info("TrainJob %s completed", name)
                return
            if cond.get("type") == "Failed":
                raise FailedPrecondition(f"TrainJob {namespace}/{name} failed: "
                                         f"{cond.get('reason', '')} {cond.get('message', '')}".strip())
        sleep(s.poll_s)
        waited += s.poll_s
    api.delete_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL, name)
    raise FailedPrecondition(f"TrainJob {namespace}/{name} did not finish in {s.timeout_s:.0f} s; deleted")


def run_worker(work: dict[str, Any]) -> str:
    """One rank of a TrainJob: fetch the data, train, (rank 0) publish; the output URI."""
    from sweetrl.pipeline.stages.training import run_trainer
    from sweetrl.storage import materialize

    flags = dict(work["flags"])
    for name, uri in work.get("files", {}).items():
        flags[name] = str(materialize(uri))
    return run_trainer(work["kind"], work["stage"], flags, work["overrides"])


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    work = json.loads(base64.urlsafe_b64decode(args[0]))
    log.info("rank %s of %s: %s", os.environ.get("RANK", "0"), os.environ.get("WORLD_SIZE", "1"),
             run_worker(work))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
