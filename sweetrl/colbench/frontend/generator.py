"""Deterministic generation of ColBench frontend tasks, split into train and test.

Candidates come from the page kinds (``pages.KINDS``) in round-robin order;
candidate ``i`` of seed ``s`` is drawn from its own
``random.Random(f"colbench-frontend:{s}:{i}")``, so a stream is the same on every
machine and Python version that keeps ``random``'s algorithm.

Split rule (as for the backend): a task is ``test`` when ``sha256(ground_truth)``
read as an integer is 0..9 mod 100 (10%), ``train`` otherwise, so the splits never
share a ground truth, whatever the seeds; a ground truth already drawn in the stream
is skipped, so a split holds no duplicates either. With millions of combinations of
kind, sections, style, topic and text per kind, a stream does not run dry in
practice; :func:`generate` still reports it if it ever does.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from collections.abc import Iterator

from sweetrl.colbench.frontend.pages import KINDS, draw_page
from sweetrl.colbench.frontend.tasks import SPLITS, FrontendTask
from sweetrl.errors import InvalidInput

TEST_PERCENT = 10
_GIVE_UP_AFTER = 10_000  # consecutive repeated draws before the stream counts as used up


def split_of(ground_truth: str) -> str:
    """``"test"`` or ``"train"``: the split a ground truth belongs to (see module docstring)."""
    return _split_of_digest(hashlib.sha256(ground_truth.encode()).digest())


def _split_of_digest(digest: bytes) -> str:
    return "test" if int.from_bytes(digest[:8], "big") % 100 < TEST_PERCENT else "train"


def candidates(split: str, seed: int) -> Iterator[FrontendTask]:
    """Every distinct task of ``split`` for ``seed``, in order."""
    if split not in SPLITS:
        raise InvalidInput(f"unknown split {split!r}; expected one of {', '.join(SPLITS)}")
    seen: set[bytes] = set()  # digests of every ground truth drawn, in either split
    repeats = 0
    for i in itertools.count():
        page = draw_page(random.Random(f"colbench-frontend:{seed}:{i}"), KINDS[i % len(KINDS)])
        digest = hashlib.sha256(page.html.encode()).digest()
        if digest in seen:
            repeats += 1
            if repeats >= _GIVE_UP_AFTER:
                return
            continue
        repeats = 0
        seen.add(digest)
        if _split_of_digest(digest) == split:
            yield FrontendTask(f"{page.kind}-{digest.hex()[:12]}", page.description, page.html, page.kind, split)


def generate(split: str, count: int, seed: int) -> list[FrontendTask]:
    """The first ``count`` tasks of the stream; InvalidInput if it runs dry."""
    if count < 0:
        raise InvalidInput(f"count must be >= 0, got {count}")
    tasks = list(itertools.islice(candidates(split, seed), count))
    if len(tasks) < count:
        raise InvalidInput(f"only {len(tasks)} distinct {split} frontend tasks were found; asked for {count}")
    return tasks
