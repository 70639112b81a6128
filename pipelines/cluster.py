"""Kubernetes settings of a cluster run, applied to the pipeline's tasks with kfp.kubernetes.

`ClusterSettings` (YAML section ``cluster``; ``sweet pipeline compile --cluster FILE``)
says which tasks get a GPU, where they may run (node selector, tolerations), where the
object store is and which Secret holds its credentials, and which extra environment
every stage sees (e.g. a hosted simulator's API key from a Secret). The defaults match
the Helm chart's names (release ``sweetrl``): MinIO at ``http://sweetrl-minio:9000``
with credentials in the Secret ``sweetrl-s3`` (keys ``accesskey``/``secretkey``), which
the chart also copies into the pipelines namespace.

Local runs build the pipelines without these settings (kfp's local runner would apply
the environment variables, pointing the stages at a cluster's MinIO).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sweetrl.config import doc

SECTION = "cluster"
GPU_STAGES = frozenset({"collect", "evaluate", "train_critic", "critic_eval", "best_of_n", "rank",
                        "train_policy", "train_rft", "train_mtdpo"})


@dataclass(frozen=True)
class ClusterSettings:
    """Where and how the stages run on Kubernetes (module docstring)."""

    gpus_per_stage: int = doc("GPUs requested by every model stage (collect, evaluate, training, "
                              "best-of-N, ranking); 0 runs them on CPUs.", 1)
    accelerator: str = doc("Extended resource name of a GPU.", "nvidia.com/gpu")
    cpu_request: str = doc("CPU request of every stage.", "4")
    memory_request: str = doc("Memory request of every stage.", "32Gi")
    node_selector: dict[str, str] = doc("Node labels model stages must run on, e.g. "
                                        "{nvidia.com/gpu.product: NVIDIA-H100-80GB-HBM3}.",
                                        default_factory=dict)
    tolerations: tuple[str, ...] = doc("Taint keys model stages tolerate (effect NoSchedule, "
                                       "operator Exists).", ("nvidia.com/gpu",))
    store: str = doc("SWEET_STORE of the stages: the MinIO/S3 endpoint.", "http://sweetrl-minio:9000")
    store_secret: str = doc("Secret with the store credentials (the chart's S3 Secret).",
                            "sweetrl-s3")
    access_key_key: str = doc("Key of the access key in store_secret.", "accesskey")
    secret_key_key: str = doc("Key of the secret key in store_secret.", "secretkey")
    secret_env: dict[str, str] = doc("More variables from Secrets: VARIABLE -> secret/key, "
                                     "e.g. {OPENAI_API_KEY: simulator-api/key}.", default_factory=dict)
    env: dict[str, str] = doc("Plain variables every stage sees, e.g. service addresses or "
                              "SWEET_PIPELINE__BACKEND=vllm.", default_factory=lambda: {
                                  "SWEET_PIPELINE__BACKEND": "vllm"})


def apply(task: Any, stage: str, settings: ClusterSettings) -> Any:
    """Give `task` (stage `stage`) its resources, placement, store and secrets."""
    from kfp import kubernetes

    task.set_cpu_request(settings.cpu_request).set_memory_request(settings.memory_request)
    task.set_env_variable("SWEET_STORE", settings.store)
    for name, value in sorted(settings.env.items()):
        task.set_env_variable(name, value)
    kubernetes.use_secret_as_env(task, secret_name=settings.store_secret, secret_key_to_env={
        settings.access_key_key: "SWEET_S3_ACCESS_KEY", settings.secret_key_key: "SWEET_S3_SECRET_KEY"})
    for variable, ref in sorted(settings.secret_env.items()):
        secret, _, key = ref.partition("/")
        kubernetes.use_secret_as_env(task, secret_name=secret, secret_key_to_env={key: variable})
    if stage in GPU_STAGES and settings.gpus_per_stage:
        task.set_accelerator_type(settings.accelerator).set_accelerator_limit(settings.gpus_per_stage)
        for label, value in sorted(settings.node_selector.items()):
            kubernetes.add_node_selector(task, label_key=label, label_value=value)
        for key in settings.tolerations:
            kubernetes.add_toleration(task, key=key, operator="Exists", effect="NoSchedule")
    return task
