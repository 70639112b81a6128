"""Model serving, engine-agnostic: request/response types and the one backend interface.

Backends (``transformers_backend``, later ``vllm_backend``) implement :class:`Backend`;
services import only this package's types and pick a backend by name from config.
Heavy libraries are imported inside the backend modules.
"""
