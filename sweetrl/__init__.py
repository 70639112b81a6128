"""SWEET-RL on ColBench: the library every service, pipeline and trainer imports.

Heavy dependencies (torch, vllm, playwright, deepspeed) are imported lazily inside
the modules that need them, so importing :mod:`sweetrl` and running ``sweet --help``
stay fast.
"""

__version__ = "0.1.0"
