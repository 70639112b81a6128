"""SWEET-RL on ColBench: the library every service, pipeline and trainer imports.

Heavy dependencies (torch, vllm, playwright, deepspeed) are imported lazily inside
the modules that need them, so importing :mod:`sweetrl` and running ``sweet --help``
stay fast.
"""

__version__ = "0.1.0"

import os as _os

# gRPC's fork handlers run in every child forked after grpc is imported. Our only
# forks (sandbox jails) exec at once and never use gRPC, and a fork from a process
# with live gRPC servers could leave the child's poller broken before exec
# ("epoll_wait ... Bad file descriptor"), killing a sandbox slot at start. Must be
# set before the first ``import grpc``; an explicit setting by the operator wins.
_os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")

