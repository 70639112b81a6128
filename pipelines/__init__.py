"""Kubeflow Pipelines (kfp 2.17) definitions of the SWEET-RL loop and its baselines.

``components.py`` wraps each stage of `sweetrl.pipeline.stages` as a lightweight
component; ``definitions.py`` composes them into the pipelines listed in `PIPELINES`;
``cluster.py`` adds the Kubernetes settings of a cluster run (GPUs, node selectors,
tolerations, MinIO secret, service addresses) through ``kfp.kubernetes``. The compiled
YAML of every pipeline is checked in under ``compiled/`` and CI regenerates and diffs
it (tests/pipelines/test_compiled.py); ``sweet pipeline compile`` rewrites it.
"""
