"""Turn an agent's final answer into the Python code the sandbox runs."""

from __future__ import annotations

FENCE = "```python"


def extract_code(answer: str) -> str:
    """Code of a ColBench backend answer.

    As the benchmark defines it: the text between the first ```` ```python ```` fence and
    the next ```` ``` ````, when the answer has such a fence; otherwise the whole answer.
    An unterminated fence runs to the end of the answer.
    """
    if FENCE not in answer:
        return answer
    body = answer.split(FENCE, 1)[1]
    return body.split("```", 1)[0]
