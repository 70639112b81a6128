"""Which code of an answer the sandbox runs (ColBench: the first ```python fence)."""

from sweetrl.sandbox.code import extract_code


def test_without_a_fence_the_whole_answer_is_code():
    assert extract_code("def f():\n    return 1\n") == "def f():\n    return 1\n"


def test_the_first_python_fence_wins():
    answer = ("Sure! Here it is:\n```python\ndef f():\n    return 1\n```\n"
              "or maybe\n```python\ndef f():\n    return 2\n```")
    assert extract_code(answer) == "\ndef f():\n    return 1\n"


def test_an_unterminated_fence_runs_to_the_end():
    assert extract_code("text ```python\ndef f(): return 3") == "\ndef f(): return 3"


def test_other_fences_are_not_python_fences():
    # A bare ``` or a ```py fence is not the benchmark's ```python fence: the whole
    # answer is run (and will not compile, which the evaluator reports as SYNTAX).
    answer = "```\ndef f(): return 1\n```"
    assert extract_code(answer) == answer
    assert extract_code("```py\nx = 1\n```") == "```py\nx = 1\n```"


def test_an_empty_fence_gives_empty_code():
    assert extract_code("```python\n```") == "\n"
    assert extract_code("```python```").strip() == ""
