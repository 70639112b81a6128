from sweetrl.api.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TestOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TEST_OUTCOME_UNSPECIFIED: _ClassVar[TestOutcome]
    TEST_OUTCOME_PASSED: _ClassVar[TestOutcome]
    TEST_OUTCOME_WRONG_OUTPUT: _ClassVar[TestOutcome]
    TEST_OUTCOME_ANSWER_ERROR: _ClassVar[TestOutcome]
    TEST_OUTCOME_ANSWER_TIMEOUT: _ClassVar[TestOutcome]
    TEST_OUTCOME_ANSWER_CRASHED: _ClassVar[TestOutcome]
    TEST_OUTCOME_ANSWER_UNENCODABLE: _ClassVar[TestOutcome]
    TEST_OUTCOME_GROUND_TRUTH_NONE: _ClassVar[TestOutcome]
    TEST_OUTCOME_GROUND_TRUTH_ERROR: _ClassVar[TestOutcome]

class ErrorKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ERROR_KIND_NONE: _ClassVar[ErrorKind]
    ERROR_KIND_SYNTAX: _ClassVar[ErrorKind]
    ERROR_KIND_DEFINITION: _ClassVar[ErrorKind]
    ERROR_KIND_LIMIT: _ClassVar[ErrorKind]
    ERROR_KIND_CRASH: _ClassVar[ErrorKind]
    ERROR_KIND_GROUND_TRUTH: _ClassVar[ErrorKind]
    ERROR_KIND_EMPTY_ANSWER: _ClassVar[ErrorKind]
TEST_OUTCOME_UNSPECIFIED: TestOutcome
TEST_OUTCOME_PASSED: TestOutcome
TEST_OUTCOME_WRONG_OUTPUT: TestOutcome
TEST_OUTCOME_ANSWER_ERROR: TestOutcome
TEST_OUTCOME_ANSWER_TIMEOUT: TestOutcome
TEST_OUTCOME_ANSWER_CRASHED: TestOutcome
TEST_OUTCOME_ANSWER_UNENCODABLE: TestOutcome
TEST_OUTCOME_GROUND_TRUTH_NONE: TestOutcome
TEST_OUTCOME_GROUND_TRUTH_ERROR: TestOutcome
ERROR_KIND_NONE: ErrorKind
ERROR_KIND_SYNTAX: ErrorKind
ERROR_KIND_DEFINITION: ErrorKind
ERROR_KIND_LIMIT: ErrorKind
ERROR_KIND_CRASH: ErrorKind
ERROR_KIND_GROUND_TRUTH: ErrorKind
ERROR_KIND_EMPTY_ANSWER: ErrorKind

class TestCase(_message.Message):
    __slots__ = ("name", "call")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CALL_FIELD_NUMBER: _ClassVar[int]
    name: str
    call: str
    def __init__(self, name: _Optional[str] = ..., call: _Optional[str] = ...) -> None: ...

class BackendTask(_message.Message):
    __slots__ = ("task_id", "problem_description", "ground_truth", "test_cases")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    PROBLEM_DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    GROUND_TRUTH_FIELD_NUMBER: _ClassVar[int]
    TEST_CASES_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    problem_description: str
    ground_truth: str
    test_cases: _containers.RepeatedCompositeFieldContainer[TestCase]
    def __init__(self, task_id: _Optional[str] = ..., problem_description: _Optional[str] = ..., ground_truth: _Optional[str] = ..., test_cases: _Optional[_Iterable[_Union[TestCase, _Mapping]]] = ...) -> None: ...

class EvaluateRequest(_message.Message):
    __slots__ = ("task", "answer", "answer_is_code")
    TASK_FIELD_NUMBER: _ClassVar[int]
    ANSWER_FIELD_NUMBER: _ClassVar[int]
    ANSWER_IS_CODE_FIELD_NUMBER: _ClassVar[int]
    task: BackendTask
    answer: str
    answer_is_code: bool
    def __init__(self, task: _Optional[_Union[BackendTask, _Mapping]] = ..., answer: _Optional[str] = ..., answer_is_code: _Optional[bool] = ...) -> None: ...

class TestVerdict(_message.Message):
    __slots__ = ("name", "passed", "outcome", "detail", "answer_seconds")
    NAME_FIELD_NUMBER: _ClassVar[int]
    PASSED_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    ANSWER_SECONDS_FIELD_NUMBER: _ClassVar[int]
    name: str
    passed: bool
    outcome: TestOutcome
    detail: str
    answer_seconds: float
    def __init__(self, name: _Optional[str] = ..., passed: _Optional[bool] = ..., outcome: _Optional[_Union[TestOutcome, str]] = ..., detail: _Optional[str] = ..., answer_seconds: _Optional[float] = ...) -> None: ...

class Timings(_message.Message):
    __slots__ = ("queue_seconds", "ground_truth_seconds", "answer_seconds", "total_seconds", "ground_truth_cached")
    QUEUE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    GROUND_TRUTH_SECONDS_FIELD_NUMBER: _ClassVar[int]
    ANSWER_SECONDS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    GROUND_TRUTH_CACHED_FIELD_NUMBER: _ClassVar[int]
    queue_seconds: float
    ground_truth_seconds: float
    answer_seconds: float
    total_seconds: float
    ground_truth_cached: bool
    def __init__(self, queue_seconds: _Optional[float] = ..., ground_truth_seconds: _Optional[float] = ..., answer_seconds: _Optional[float] = ..., total_seconds: _Optional[float] = ..., ground_truth_cached: _Optional[bool] = ...) -> None: ...

class EvaluateResponse(_message.Message):
    __slots__ = ("task_id", "reward", "success", "tests_passed", "tests_total", "tests", "error_kind", "error_detail", "timings")
    TASK_ID_FIELD_NUMBER: _ClassVar[int]
    REWARD_FIELD_NUMBER: _ClassVar[int]
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    TESTS_PASSED_FIELD_NUMBER: _ClassVar[int]
    TESTS_TOTAL_FIELD_NUMBER: _ClassVar[int]
    TESTS_FIELD_NUMBER: _ClassVar[int]
    ERROR_KIND_FIELD_NUMBER: _ClassVar[int]
    ERROR_DETAIL_FIELD_NUMBER: _ClassVar[int]
    TIMINGS_FIELD_NUMBER: _ClassVar[int]
    task_id: str
    reward: float
    success: bool
    tests_passed: int
    tests_total: int
    tests: _containers.RepeatedCompositeFieldContainer[TestVerdict]
    error_kind: ErrorKind
    error_detail: str
    timings: Timings
    def __init__(self, task_id: _Optional[str] = ..., reward: _Optional[float] = ..., success: _Optional[bool] = ..., tests_passed: _Optional[int] = ..., tests_total: _Optional[int] = ..., tests: _Optional[_Iterable[_Union[TestVerdict, _Mapping]]] = ..., error_kind: _Optional[_Union[ErrorKind, str]] = ..., error_detail: _Optional[str] = ..., timings: _Optional[_Union[Timings, _Mapping]] = ...) -> None: ...

class EvaluateBatchRequest(_message.Message):
    __slots__ = ("items",)
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[EvaluateRequest]
    def __init__(self, items: _Optional[_Iterable[_Union[EvaluateRequest, _Mapping]]] = ...) -> None: ...

class EvaluateBatchItem(_message.Message):
    __slots__ = ("result", "error")
    RESULT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    result: EvaluateResponse
    error: _common_pb2.ItemError
    def __init__(self, result: _Optional[_Union[EvaluateResponse, _Mapping]] = ..., error: _Optional[_Union[_common_pb2.ItemError, _Mapping]] = ...) -> None: ...

class EvaluateBatchResponse(_message.Message):
    __slots__ = ("items",)
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedCompositeFieldContainer[EvaluateBatchItem]
    def __init__(self, items: _Optional[_Iterable[_Union[EvaluateBatchItem, _Mapping]]] = ...) -> None: ...

class GetLimitsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SandboxLimits(_message.Message):
    __slots__ = ("isolation", "mechanisms", "slots", "max_queue", "per_test_timeout_seconds", "memory_bytes", "max_processes", "max_code_bytes", "max_test_cases", "max_output_bytes", "eval_timeout_seconds")
    ISOLATION_FIELD_NUMBER: _ClassVar[int]
    MECHANISMS_FIELD_NUMBER: _ClassVar[int]
    SLOTS_FIELD_NUMBER: _ClassVar[int]
    MAX_QUEUE_FIELD_NUMBER: _ClassVar[int]
    PER_TEST_TIMEOUT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    MEMORY_BYTES_FIELD_NUMBER: _ClassVar[int]
    MAX_PROCESSES_FIELD_NUMBER: _ClassVar[int]
    MAX_CODE_BYTES_FIELD_NUMBER: _ClassVar[int]
    MAX_TEST_CASES_FIELD_NUMBER: _ClassVar[int]
    MAX_OUTPUT_BYTES_FIELD_NUMBER: _ClassVar[int]
    EVAL_TIMEOUT_SECONDS_FIELD_NUMBER: _ClassVar[int]
    isolation: str
    mechanisms: _containers.RepeatedScalarFieldContainer[str]
    slots: int
    max_queue: int
    per_test_timeout_seconds: float
    memory_bytes: int
    max_processes: int
    max_code_bytes: int
    max_test_cases: int
    max_output_bytes: int
    eval_timeout_seconds: float
    def __init__(self, isolation: _Optional[str] = ..., mechanisms: _Optional[_Iterable[str]] = ..., slots: _Optional[int] = ..., max_queue: _Optional[int] = ..., per_test_timeout_seconds: _Optional[float] = ..., memory_bytes: _Optional[int] = ..., max_processes: _Optional[int] = ..., max_code_bytes: _Optional[int] = ..., max_test_cases: _Optional[int] = ..., max_output_bytes: _Optional[int] = ..., eval_timeout_seconds: _Optional[float] = ...) -> None: ...
