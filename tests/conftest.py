"""Session-wide test set-up (imported before any test module, so before grpc)."""

import sweetrl  # noqa: F401  (sets GRPC_ENABLE_FORK_SUPPORT before grpc is imported)
