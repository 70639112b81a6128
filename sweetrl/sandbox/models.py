"""Domain objects of the code sandbox (independent of gRPC and of the engine)."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field


class Outcome(str, enum.Enum):
    """Verdict of one test case (mirrors ``sweetrl.api.v1.TestOutcome``)."""

    PASSED = "passed"
    WRONG_OUTPUT = "wrong_output"
    ANSWER_ERROR = "answer_error"
    ANSWER_TIMEOUT = "answer_timeout"
    ANSWER_CRASHED = "answer_crashed"
    ANSWER_UNENCODABLE = "answer_unencodable"
    GROUND_TRUTH_NONE = "ground_truth_none"
    GROUND_TRUTH_ERROR = "ground_truth_error"


class ErrorKind(str, enum.Enum):
    """What went wrong with an evaluation as a whole (mirrors ``ErrorKind``)."""

    NONE = "none"
    SYNTAX = "syntax"
    DEFINITION = "definition"
    LIMIT = "limit"
    CRASH = "crash"
    GROUND_TRUTH = "ground_truth"
    EMPTY_ANSWER = "empty_answer"


@dataclass(frozen=True)
class TestCase:
    name: str
    call: str


@dataclass(frozen=True)
class BackendTask:
    """A ColBench backend task: the hidden function and its test calls."""

    task_id: str
    ground_truth: str
    test_cases: tuple[TestCase, ...]
    problem_description: str = ""

    @property
    def calls(self) -> list[str]:
        return [t.call for t in self.test_cases]

    def ground_truth_key(self) -> str:
        """Cache key of the ground-truth outputs: a hash of the code and the calls."""
        h = hashlib.sha256(self.ground_truth.encode())
        for call in self.calls:
            h.update(b"\0" + call.encode())
        return h.hexdigest()


@dataclass(frozen=True)
class TestVerdict:
    name: str
    outcome: Outcome
    detail: str = ""
    answer_seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.outcome is Outcome.PASSED


@dataclass
class Timings:
    queue_seconds: float = 0.0
    ground_truth_seconds: float = 0.0
    answer_seconds: float = 0.0
    total_seconds: float = 0.0
    ground_truth_cached: bool = False


@dataclass
class Evaluation:
    """The judgement of one answer."""

    task_id: str
    tests: list[TestVerdict]
    error_kind: ErrorKind = ErrorKind.NONE
    error_detail: str = ""
    timings: Timings = field(default_factory=Timings)

    @property
    def tests_total(self) -> int:
        return len(self.tests)

    @property
    def tests_passed(self) -> int:
        return sum(t.passed for t in self.tests)

    @property
    def reward(self) -> float:
        """Fraction of test cases passed (0.0 for a task without tests)."""
        return self.tests_passed / self.tests_total if self.tests else 0.0

    @property
    def success(self) -> bool:
        return bool(self.tests) and self.tests_passed == self.tests_total

    def to_json(self) -> dict:
        """The batch CLI's per-answer record (plain JSON types)."""
        return {
            "id": self.task_id,
            "tests_passed": self.reward,
            "success": self.success,
            "passed": self.tests_passed,
            "total": self.tests_total,
            "error_kind": self.error_kind.value,
            "error_detail": self.error_detail,
            "tests": [{"name": t.name, "outcome": t.outcome.value, "detail": t.detail}
                      for t in self.tests],
            "seconds": round(self.timings.total_seconds, 6),
        }
