"""Channels to sweetrl services, with the runtime's auth, TLS and size limits.

Bearer tokens travel as ``authorization: Bearer <token>`` metadata, which is what
`AuthInterceptor` checks. gRPC refuses call credentials on insecure channels, so
over TLS the token is attached as access-token call credentials and over
plaintext (in-cluster, tests) by a small client interceptor.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import grpc
from grpc import aio

from sweetrl import envs
from sweetrl.errors import Unavailable
from sweetrl.runtime.config import DEFAULT_MAX_MESSAGE_BYTES

__all__ = ["make_channel", "make_sync_channel", "wait_ready", "wait_ready_sync"]

ChannelOptions = Sequence[tuple[str, Any]]


def make_channel(address: str, *, token: str | None = None,
                 tls_ca_file: str | Path | None = None,
                 tls_cert_file: str | Path | None = None,
                 tls_key_file: str | Path | None = None,
                 max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
                 options: ChannelOptions = ()) -> aio.Channel:
    """An asyncio channel to `address` (``host:port``).

    Args:
        address: target, e.g. ``sandbox:50051``.
        token: bearer token; None falls back to SWEET_AUTH_TOKEN (unset: no token).
        tls_ca_file: PEM CA bundle that signed the server certificate; enables TLS.
        tls_cert_file: client certificate for mTLS (with `tls_key_file`).
        tls_key_file: client private key for mTLS.
        max_message_bytes: largest message sent or received.
        options: extra gRPC channel arguments.
    """
    token = token or envs.SWEET_AUTH_TOKEN
    opts = _options(max_message_bytes, options)
    if tls_ca_file is not None:
        creds = _channel_credentials(token, tls_ca_file, tls_cert_file, tls_key_file)
        return aio.secure_channel(address, creds, options=opts)
    interceptors = _aio_bearer_interceptors(token) if token else None
    return aio.insecure_channel(address, options=opts, interceptors=interceptors)


def make_sync_channel(address: str, *, token: str | None = None,
                      tls_ca_file: str | Path | None = None,
                      tls_cert_file: str | Path | None = None,
                      tls_key_file: str | Path | None = None,
                      max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
                      options: ChannelOptions = ()) -> grpc.Channel:
    """A blocking channel to `address`; arguments as in `make_channel`."""
    token = token or envs.SWEET_AUTH_TOKEN
    opts = _options(max_message_bytes, options)
    if tls_ca_file is not None:
        creds = _channel_credentials(token, tls_ca_file, tls_cert_file, tls_key_file)
        return grpc.secure_channel(address, creds, options=opts)
    channel = grpc.insecure_channel(address, options=opts)
    return grpc.intercept_channel(channel, _SyncBearerToken(token)) if token else channel


async def wait_ready(channel: aio.Channel, timeout: float) -> None:
    """Wait until `channel` is connected.

    Raises:
        Unavailable: not connected within `timeout` seconds.
    """
    try:
        await asyncio.wait_for(channel.channel_ready(), timeout)
    except asyncio.TimeoutError:
        raise Unavailable(f"service not reachable within {timeout:g} s") from None


def wait_ready_sync(channel: grpc.Channel, timeout: float) -> None:
    """Blocking `wait_ready` for channels from `make_sync_channel`."""
    try:
        grpc.channel_ready_future(channel).result(timeout=timeout)
    except grpc.FutureTimeoutError:
        raise Unavailable(f"service not reachable within {timeout:g} s") from None


def _options(max_message_bytes: int, extra: ChannelOptions) -> list[tuple[str, Any]]:
    return [("grpc.max_send_message_length", max_message_bytes),
            ("grpc.max_receive_message_length", max_message_bytes),
            *extra]


def _channel_credentials(token: str | None, ca: str | Path, cert: str | Path | None,
                         key: str | Path | None) -> grpc.ChannelCredentials:
    if (cert is None) != (key is None):
        raise ValueError("tls_cert_file and tls_key_file must be given together")
    creds = grpc.ssl_channel_credentials(
        root_certificates=Path(ca).read_bytes(),
        private_key=Path(key).read_bytes() if key else None,
        certificate_chain=Path(cert).read_bytes() if cert else None)
    if token:
        creds = grpc.composite_channel_credentials(
            creds, grpc.access_token_call_credentials(token))
    return creds


class _AioBearerToken:
    """Adds the bearer token to the call details of a plaintext asyncio channel."""

    def __init__(self, token: str) -> None:
        self._header = ("authorization", f"Bearer {token}")

    def _with_token(self, details: aio.ClientCallDetails) -> aio.ClientCallDetails:
        metadata = aio.Metadata(*(details.metadata or ()))
        metadata.add(*self._header)
        return details._replace(metadata=metadata)


# grpc.aio files each client interceptor under the FIRST of the four interfaces it
# implements (an if/elif chain in aio.Channel), so one class per RPC shape is needed.
class _AioBearerUnaryUnary(_AioBearerToken, aio.UnaryUnaryClientInterceptor):
    async def intercept_unary_unary(self, continuation, client_call_details, request):
        return await continuation(self._with_token(client_call_details), request)


class _AioBearerUnaryStream(_AioBearerToken, aio.UnaryStreamClientInterceptor):
    async def intercept_unary_stream(self, continuation, client_call_details, request):
        return await continuation(self._with_token(client_call_details), request)


class _AioBearerStreamUnary(_AioBearerToken, aio.StreamUnaryClientInterceptor):
    async def intercept_stream_unary(self, continuation, client_call_details,
                                     request_iterator):
        return await continuation(self._with_token(client_call_details), request_iterator)


class _AioBearerStreamStream(_AioBearerToken, aio.StreamStreamClientInterceptor):
    async def intercept_stream_stream(self, continuation, client_call_details,
                                      request_iterator):
        return await continuation(self._with_token(client_call_details), request_iterator)


def _aio_bearer_interceptors(token: str) -> list[aio.ClientInterceptor]:
    return [cls(token) for cls in (_AioBearerUnaryUnary, _AioBearerUnaryStream,
                                   _AioBearerStreamUnary, _AioBearerStreamStream)]


class _SyncCallDetails(
        collections.namedtuple("_SyncCallDetails", ("method", "timeout", "metadata",
                                                    "credentials", "wait_for_ready",
                                                    "compression")),
        grpc.ClientCallDetails):
    """Concrete grpc.ClientCallDetails (the grpc one is abstract)."""


class _SyncBearerToken(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor,
                       grpc.StreamUnaryClientInterceptor, grpc.StreamStreamClientInterceptor):
    """Adds the bearer token to every call of a plaintext blocking channel."""

    def __init__(self, token: str) -> None:
        self._header = ("authorization", f"Bearer {token}")

    def _with_token(self, d: grpc.ClientCallDetails) -> grpc.ClientCallDetails:
        return _SyncCallDetails(d.method, d.timeout, (*(d.metadata or ()), self._header),
                                d.credentials, d.wait_for_ready,
                                getattr(d, "compression", None))

    def intercept_unary_unary(self, continuation, client_call_details, request):
        return continuation(self._with_token(client_call_details), request)

    def intercept_unary_stream(self, continuation, client_call_details, request):
        return continuation(self._with_token(client_call_details), request)

    def intercept_stream_unary(self, continuation, client_call_details, request_iterator):
        return continuation(self._with_token(client_call_details), request_iterator)

    def intercept_stream_stream(self, continuation, client_call_details, request_iterator):
        return continuation(self._with_token(client_call_details), request_iterator)
