"""Server interceptors shared by every sweetrl service: errors, metrics, auth.

`GrpcServer` installs them as ``[MetricsInterceptor, AuthInterceptor,
ErrorMappingInterceptor]``; grpc.aio runs the first one outermost, so metrics also
count denied and failed calls with their final status code.

grpc.aio interceptors only see the *lookup* of a handler (`intercept_service`), not
its execution, so each interceptor here returns a copy of the handler whose
behaviour function is wrapped. The wrapper must keep the behaviour's shape, because
the aio server dispatches on it: coroutine functions and async generators run on
the event loop, plain functions and generators run in a thread pool with a
synchronous context. Serializers are carried over unchanged.

What this module does NOT do: rate limiting or per-method authorization.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import hmac
import inspect
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import grpc
from grpc import aio

from sweetrl.errors import InvalidInput, SweetError
from sweetrl.runtime import metrics

__all__ = [
    "ErrorMappingInterceptor",
    "MetricsInterceptor",
    "AuthInterceptor",
    "status_for",
    "split_method",
    "HEALTH_SERVICE",
]

logger = logging.getLogger(__name__)

HEALTH_SERVICE = "grpc.health.v1.Health"
"""Full name of the standard health service, exempt from authentication."""

Continuation = Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler | None]]
Guard = Callable[[Any], contextlib.AbstractContextManager[None]]


def split_method(method: str) -> tuple[str, str]:
    """``"/pkg.Service/Method"`` -> ``("pkg.Service", "Method")``."""
    service, _, name = method.lstrip("/").rpartition("/")
    return service, name


def status_for(exc: BaseException) -> tuple[grpc.StatusCode, str] | None:
    """The status a client sees for `exc`, or None when it is not a known error.

    `SweetError`s map to their declared code and message. NotImplementedError (what
    generated servicer base classes raise) maps to UNIMPLEMENTED.
    """
    if isinstance(exc, SweetError):
        return getattr(grpc.StatusCode, exc.code, grpc.StatusCode.UNKNOWN), exc.message
    if isinstance(exc, NotImplementedError):
        return grpc.StatusCode.UNIMPLEMENTED, "method not implemented"
    return None


class _Abort(Exception):
    """Internal: a guard asks the wrapper to end the RPC with this status.

    Guards are synchronous context managers (so one guard serves sync and async
    behaviours); the wrapper performs the abort in the style the context needs.
    """

    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        super().__init__(code, details)
        self.code = code
        self.details = details


class _WrappingInterceptor(aio.ServerInterceptor, abc.ABC):
    """Wraps every handler's behaviour in the context manager returned by `_guard`."""

    @abc.abstractmethod
    def _guard(self, method: str, context: Any) -> contextlib.AbstractContextManager[None]:
        """Context manager around one RPC's handler execution."""

    async def intercept_service(self, continuation: Continuation,
                                handler_call_details: grpc.HandlerCallDetails
                                ) -> grpc.RpcMethodHandler | None:
        handler = await continuation(handler_call_details)
        if handler is None:  # unknown method: grpc answers UNIMPLEMENTED itself
            return None
        method = handler_call_details.method
        return wrap_handler(handler, lambda context: self._guard(method, context))


class ErrorMappingInterceptor(_WrappingInterceptor):
    """Turns exceptions raised by handlers into gRPC statuses.

    * `SweetError` subclasses: their code and message (see `sweetrl.errors`).
    * ``context.abort(...)`` in a handler: passes through unchanged.
    * anything else: logged here with its traceback; the client gets INTERNAL and
      an error id to quote, never the exception text.
    * asyncio.CancelledError (client cancelled or deadline passed): propagates so
      grpc can finish the cancelled RPC.
    """

    async def intercept_service(self, continuation: Continuation,
                                handler_call_details: grpc.HandlerCallDetails
                                ) -> grpc.RpcMethodHandler | None:
        handler = await continuation(handler_call_details)
        if handler is None:
            return None
        if not handler.request_streaming and handler.request_deserializer is not None:
            handler = _reject_malformed(handler)
        method = handler_call_details.method
        return wrap_handler(handler, lambda context: self._guard(method, context))

    @contextlib.contextmanager
    def _guard(self, method: str, context: Any) -> Iterator[None]:
        try:
            yield
        except aio.AbortError:
            raise
        except Exception as exc:  # BaseException (cancellation, GeneratorExit) passes
            status = status_for(exc)
            if status is not None:
                raise _Abort(*status) from None
            error_id = uuid.uuid4().hex[:12]
            logger.exception("unhandled error in %s (error id %s)", method, error_id)
            raise _Abort(grpc.StatusCode.INTERNAL,
                         f"internal error (error id {error_id})") from None


class _Malformed:
    """Stands in for a request message whose bytes did not parse."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _reject_malformed(handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
    """Answer unparseable request bytes with INVALID_ARGUMENT (grpc's default is INTERNAL).

    The deserializer runs before any handler code; this one returns a marker instead of
    raising, and the behaviour turns the marker into `InvalidInput` inside the guard.
    """
    deserialize = handler.request_deserializer
    behaviour = handler.unary_unary or handler.unary_stream

    def tolerant(data: bytes) -> Any:
        try:
            return deserialize(data)
        except Exception as exc:  # DecodeError, invalid UTF-8 in a string field, ...
            return _Malformed(type(exc).__name__)

    def check(request: Any) -> None:
        if isinstance(request, _Malformed):
            raise InvalidInput(f"malformed request message ({request.reason}): "
                               "it does not parse as the method's protobuf type")

    if inspect.isasyncgenfunction(behaviour):
        async def checked(request: Any, context: Any) -> Any:
            check(request)
            async for response in behaviour(request, context):
                yield response
    elif inspect.iscoroutinefunction(behaviour):
        async def checked(request: Any, context: Any) -> Any:
            check(request)
            return await behaviour(request, context)
    elif inspect.isgeneratorfunction(behaviour):
        def checked(request: Any, context: Any) -> Any:
            check(request)
            yield from behaviour(request, context)
    else:
        def checked(request: Any, context: Any) -> Any:
            check(request)
            return behaviour(request, context)
    kwargs = dict(request_deserializer=tolerant, response_serializer=handler.response_serializer)
    if handler.unary_unary:
        return grpc.unary_unary_rpc_method_handler(checked, **kwargs)
    return grpc.unary_stream_rpc_method_handler(checked, **kwargs)


class MetricsInterceptor(_WrappingInterceptor):
    """Records ``sweet_grpc_requests_total``, ``sweet_grpc_request_seconds`` and
    ``sweet_grpc_in_flight`` per service and method (see `metrics`)."""

    @contextlib.contextmanager
    def _guard(self, method: str, context: Any) -> Iterator[None]:
        service, name = split_method(method)
        in_flight = metrics.IN_FLIGHT.labels(service=service, method=name)
        in_flight.inc()
        start = time.perf_counter()
        code = "UNKNOWN"
        try:
            yield
            code = _code_name(context) or "OK"
        except aio.AbortError:
            code = _code_name(context) or "UNKNOWN"
            raise
        except (asyncio.CancelledError, GeneratorExit):
            remaining = context.time_remaining()
            expired = remaining is not None and remaining <= 0
            code = "DEADLINE_EXCEEDED" if expired else "CANCELLED"
            raise
        finally:
            in_flight.dec()
            metrics.REQUEST_SECONDS.labels(service=service, method=name).observe(
                time.perf_counter() - start)
            metrics.REQUESTS.labels(service=service, method=name, code=code).inc()


class AuthInterceptor(aio.ServerInterceptor):
    """Requires ``authorization: Bearer <token>`` metadata on every RPC.

    Services in `exempt_services` (by default only grpc.health.v1.Health, so that
    Kubernetes probes work without the secret) are not checked. Denied calls end
    with UNAUTHENTICATED before the handler runs.
    """

    def __init__(self, token: str, exempt_services: tuple[str, ...] = (HEALTH_SERVICE,)
                 ) -> None:
        if not token:
            raise ValueError("AuthInterceptor needs a non-empty token")
        self._expected = f"Bearer {token}".encode()
        self._exempt = frozenset(exempt_services)

    def authorized(self, metadata: Any) -> bool:
        """Whether `metadata` (pairs of key, value) carries the expected token."""
        for key, value in metadata or ():
            if key.lower() == "authorization":
                presented = value.encode() if isinstance(value, str) else bytes(value)
                # Constant-time comparison so the token cannot be guessed by timing.
                return hmac.compare_digest(presented, self._expected)
        return False

    async def intercept_service(self, continuation: Continuation,
                                handler_call_details: grpc.HandlerCallDetails
                                ) -> grpc.RpcMethodHandler | None:
        handler = await continuation(handler_call_details)
        if handler is None:
            return None
        service, _ = split_method(handler_call_details.method)
        if service in self._exempt or self.authorized(
                handler_call_details.invocation_metadata):
            return handler
        return replace_behaviour(handler, _deny)


async def _deny(request: Any, context: aio.ServicerContext) -> None:
    # A coroutine function is a valid behaviour for all four RPC shapes.
    await context.abort(grpc.StatusCode.UNAUTHENTICATED,
                        "missing or invalid bearer token in 'authorization' metadata")


# ----------------------------------------------------------------- handler rewriting


def replace_behaviour(handler: grpc.RpcMethodHandler, behaviour: Callable[..., Any]
                      ) -> grpc.RpcMethodHandler:
    """A handler of the same RPC shape and serializers that runs `behaviour`."""
    kwargs = dict(request_deserializer=handler.request_deserializer,
                  response_serializer=handler.response_serializer)
    if handler.unary_unary:
        return grpc.unary_unary_rpc_method_handler(behaviour, **kwargs)
    if handler.unary_stream:
        return grpc.unary_stream_rpc_method_handler(behaviour, **kwargs)
    if handler.stream_unary:
        return grpc.stream_unary_rpc_method_handler(behaviour, **kwargs)
    if handler.stream_stream:
        return grpc.stream_stream_rpc_method_handler(behaviour, **kwargs)
    raise ValueError(f"handler has no behaviour: {handler!r}")


def wrap_handler(handler: grpc.RpcMethodHandler, guard: Guard) -> grpc.RpcMethodHandler:
    """A copy of `handler` whose behaviour runs inside ``guard(context)``."""
    behaviour = (handler.unary_unary or handler.unary_stream or handler.stream_unary
                 or handler.stream_stream)
    if handler.response_streaming:
        return replace_behaviour(handler, _wrap_streaming(behaviour, guard))
    return replace_behaviour(handler, _wrap_unary(behaviour, guard))


def _wrap_unary(behaviour: Callable[..., Any], guard: Guard) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(behaviour):
        async def unary(request: Any, context: Any) -> Any:
            try:
                with guard(context):
                    return await behaviour(request, context)
            except _Abort as abort:
                await context.abort(abort.code, abort.details)
        return unary

    def sync_unary(request: Any, context: Any) -> Any:
        context = _recording(context)
        try:
            with guard(context):
                return behaviour(request, context)
        except _Abort as abort:
            context.abort(abort.code, abort.details)
    return sync_unary


def _wrap_streaming(behaviour: Callable[..., Any], guard: Guard) -> Callable[..., Any]:
    if inspect.isasyncgenfunction(behaviour):
        async def stream(request: Any, context: Any) -> Any:
            try:
                with guard(context):
                    # aclosing: if the client goes away mid-stream, close the inner
                    # generator now (running its finally blocks) rather than at GC.
                    async with contextlib.aclosing(behaviour(request, context)) as it:
                        async for response in it:
                            yield response
            except _Abort as abort:
                await context.abort(abort.code, abort.details)
        return stream
    if inspect.iscoroutinefunction(behaviour):
        # Streaming by `await context.write(...)`, same wrapper as unary.
        return _wrap_unary(behaviour, guard)

    def sync_stream(request: Any, context: Any) -> Any:
        context = _recording(context)
        try:
            with guard(context):
                yield from behaviour(request, context)
        except _Abort as abort:
            context.abort(abort.code, abort.details)
    return sync_stream


class _CodeRecordingContext:
    """Proxy of grpc.aio's synchronous servicer context that remembers the status code.

    Sync handlers (run in grpc's thread pool) get a context without ``code()``, which
    `MetricsInterceptor` needs; this proxy records `set_code` and `abort` calls and
    forwards everything else.
    """

    def __init__(self, context: Any) -> None:
        self._context = context
        self._code: grpc.StatusCode | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)

    def code(self) -> grpc.StatusCode | None:
        return self._code

    def set_code(self, code: grpc.StatusCode) -> None:
        self._code = code
        self._context.set_code(code)

    def abort(self, code: grpc.StatusCode, *args: Any, **kwargs: Any) -> None:
        self._code = code
        self._context.abort(code, *args, **kwargs)


def _recording(context: Any) -> Any:
    # Nested wrappers share one proxy, so the outer (metrics) one sees inner aborts.
    return context if hasattr(context, "code") else _CodeRecordingContext(context)


def _code_name(context: Any) -> str | None:
    """The status code set on `context` so far (by abort or set_code), as a name."""
    code = context.code()
    if code is None:
        return None
    if isinstance(code, grpc.StatusCode):
        return code.name
    for member in grpc.StatusCode:  # the aio context may report the raw integer
        if member.value[0] == code:
            return member.name
    return str(code)
