"""Domain exceptions shared by every sweetrl component.

Domain code (environments, sandbox, trainers, service logic) raises these; it never
imports grpc. The runtime's error interceptor (`sweetrl.runtime.interceptors`) maps
each class to a gRPC status code through the `code` attribute, which holds the
*name* of a `grpc.StatusCode` member so this module stays transport-free.

The message is shown to the client verbatim, so it must be written for a user: say
what was wrong and how to fix it, and never include secrets, file contents or
stack traces. Anything that is not a `SweetError` reaches the client only as a
generic INTERNAL error with an error id (see the interceptor).
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "SweetError",
    "InvalidInput",
    "Overloaded",
    "NotFound",
    "FailedPrecondition",
    "DeadlineExceeded",
    "Unavailable",
    "Unauthenticated",
    "PermissionDenied",
]


class SweetError(Exception):
    """Base class of errors whose message is safe to show to a client.

    Args:
        message: user-facing explanation of what went wrong.
    """

    code: ClassVar[str] = "UNKNOWN"
    """Name of the `grpc.StatusCode` member the interceptor answers with."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidInput(SweetError):
    """The request or configuration is malformed; retrying it unchanged will fail."""

    code = "INVALID_ARGUMENT"


class Overloaded(SweetError):
    """A queue or quota is full; the client may retry later with backoff."""

    code = "RESOURCE_EXHAUSTED"


class NotFound(SweetError):
    """A named entity (task, episode, checkpoint...) does not exist."""

    code = "NOT_FOUND"


class FailedPrecondition(SweetError):
    """The system is not in a state that allows the operation (e.g. episode closed)."""

    code = "FAILED_PRECONDITION"


class DeadlineExceeded(SweetError):
    """Work ran out of its time budget (e.g. sandboxed code hit its wall-clock limit)."""

    code = "DEADLINE_EXCEEDED"


class Unavailable(SweetError):
    """A dependency (model server, storage, peer service) cannot be reached right now."""

    code = "UNAVAILABLE"


class Unauthenticated(SweetError):
    """The caller did not present valid credentials."""

    code = "UNAUTHENTICATED"


class PermissionDenied(SweetError):
    """The caller is known but not allowed to do this."""

    code = "PERMISSION_DENIED"
