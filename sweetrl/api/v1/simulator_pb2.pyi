from sweetrl.api.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class HiddenFact(_message.Message):
    __slots__ = ("name", "keywords", "statement", "value_json")
    NAME_FIELD_NUMBER: _ClassVar[int]
    KEYWORDS_FIELD_NUMBER: _ClassVar[int]
    STATEMENT_FIELD_NUMBER: _ClassVar[int]
    VALUE_JSON_FIELD_NUMBER: _ClassVar[int]
    name: str
    keywords: _containers.RepeatedScalarFieldContainer[str]
    statement: str
    value_json: str
    def __init__(self, name: _Optional[str] = ..., keywords: _Optional[_Iterable[str]] = ..., statement: _Optional[str] = ..., value_json: _Optional[str] = ...) -> None: ...

class BackendHidden(_message.Message):
    __slots__ = ("ground_truth", "facts")
    GROUND_TRUTH_FIELD_NUMBER: _ClassVar[int]
    FACTS_FIELD_NUMBER: _ClassVar[int]
    ground_truth: str
    facts: _containers.RepeatedCompositeFieldContainer[HiddenFact]
    def __init__(self, ground_truth: _Optional[str] = ..., facts: _Optional[_Iterable[_Union[HiddenFact, _Mapping]]] = ...) -> None: ...

class FrontendHidden(_message.Message):
    __slots__ = ("target_png", "agent_png", "target_html", "agent_html")
    TARGET_PNG_FIELD_NUMBER: _ClassVar[int]
    AGENT_PNG_FIELD_NUMBER: _ClassVar[int]
    TARGET_HTML_FIELD_NUMBER: _ClassVar[int]
    AGENT_HTML_FIELD_NUMBER: _ClassVar[int]
    target_png: bytes
    agent_png: bytes
    target_html: str
    agent_html: str
    def __init__(self, target_png: _Optional[bytes] = ..., agent_png: _Optional[bytes] = ..., target_html: _Optional[str] = ..., agent_html: _Optional[str] = ...) -> None: ...

class ReplyRequest(_message.Message):
    __slots__ = ("domain", "problem_description", "backend", "frontend", "dialogue", "max_reply_chars")
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    PROBLEM_DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    FRONTEND_FIELD_NUMBER: _ClassVar[int]
    DIALOGUE_FIELD_NUMBER: _ClassVar[int]
    MAX_REPLY_CHARS_FIELD_NUMBER: _ClassVar[int]
    domain: _common_pb2.Domain
    problem_description: str
    backend: BackendHidden
    frontend: FrontendHidden
    dialogue: _containers.RepeatedCompositeFieldContainer[_common_pb2.ChatMessage]
    max_reply_chars: int
    def __init__(self, domain: _Optional[_Union[_common_pb2.Domain, str]] = ..., problem_description: _Optional[str] = ..., backend: _Optional[_Union[BackendHidden, _Mapping]] = ..., frontend: _Optional[_Union[FrontendHidden, _Mapping]] = ..., dialogue: _Optional[_Iterable[_Union[_common_pb2.ChatMessage, _Mapping]]] = ..., max_reply_chars: _Optional[int] = ...) -> None: ...

class ReplyResponse(_message.Message):
    __slots__ = ("text", "truncated", "untruncated_chars", "backend", "latency_seconds")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    UNTRUNCATED_CHARS_FIELD_NUMBER: _ClassVar[int]
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    LATENCY_SECONDS_FIELD_NUMBER: _ClassVar[int]
    text: str
    truncated: bool
    untruncated_chars: int
    backend: str
    latency_seconds: float
    def __init__(self, text: _Optional[str] = ..., truncated: _Optional[bool] = ..., untruncated_chars: _Optional[int] = ..., backend: _Optional[str] = ..., latency_seconds: _Optional[float] = ...) -> None: ...

class ReplyBatchRequest(_message.Message):
    __slots__ = ("items",)
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[ReplyRequest]
    def __init__(self, items: _Optional[_Iterable[_Union[ReplyRequest, _Mapping]]] = ...) -> None: ...

class ReplyBatchItem(_message.Message):
    __slots__ = ("result", "error")
    RESULT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    result: ReplyResponse
    error: _common_pb2.ItemError
    def __init__(self, result: _Optional[_Union[ReplyResponse, _Mapping]] = ..., error: _Optional[_Union[_common_pb2.ItemError, _Mapping]] = ...) -> None: ...

class ReplyBatchResponse(_message.Message):
    __slots__ = ("items",)
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[ReplyBatchItem]
    def __init__(self, items: _Optional[_Iterable[_Union[ReplyBatchItem, _Mapping]]] = ...) -> None: ...
