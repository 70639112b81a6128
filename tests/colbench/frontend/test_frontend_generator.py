"""Frontend task generation: determinism, split sizes and disjointness, the record format."""

from __future__ import annotations

import collections
import json

import pytest

from sweetrl.colbench.frontend.generator import generate, split_of
from sweetrl.colbench.frontend.pages import KINDS
from sweetrl.colbench.frontend.tasks import FrontendTask
from sweetrl.errors import InvalidInput


@pytest.fixture(scope="module")
def splits():
    # the sizes the project needs; about 10 s on one core
    return generate("train", 10_000, seed=0), generate("test", 500, seed=0)


def test_generation_is_deterministic_for_a_seed():
    first = [t.to_json() for t in generate("train", 200, seed=7)]
    assert first == [t.to_json() for t in generate("train", 200, seed=7)]
    assert first != [t.to_json() for t in generate("train", 200, seed=8)]


def test_split_sizes_are_reachable_and_the_splits_share_no_ground_truth(splits):
    train, test = splits
    assert (len(train), len(test)) == (10_000, 500)
    train_gt = {t.ground_truth for t in train}
    test_gt = {t.ground_truth for t in test}
    assert len(train_gt) == 10_000 and len(test_gt) == 500  # no repeats within a split
    assert not train_gt & test_gt
    assert {split_of(g) for g in train_gt} == {"train"} and {split_of(g) for g in test_gt} == {"test"}
    assert {t.split for t in train} == {"train"} and {t.split for t in test} == {"test"}
    assert len({t.task_id for t in train} | {t.task_id for t in test}) == 10_500
    # another seed draws other train tasks, still none of the test split
    assert not {t.ground_truth for t in generate("train", 300, seed=99)} & test_gt


def test_every_family_is_in_both_splits(splits):
    names = {k.name for k in KINDS}
    assert len(names) == len(KINDS) >= 15
    for tasks, least in zip(splits, (300, 8)):
        counts = collections.Counter(t.family for t in tasks)
        assert set(counts) == names
        assert min(counts.values()) >= least, counts.most_common()[-3:]


def test_records_keep_the_official_format_and_round_trip(splits):
    for task in splits[1][:100]:
        record = json.loads(json.dumps(task.to_json()))
        assert list(record)[:2] == ["problem_description", "ground_truth"]
        assert set(record) == {"problem_description", "ground_truth", "id", "family", "split"}
        assert record["id"].startswith(record["family"] + "-")
        assert FrontendTask.from_json(record) == task


def test_descriptions_are_many_and_distinct(splits):
    train, _ = splits
    assert len({t.problem_description for t in train}) > 9_000
    assert all(20 <= len(t.problem_description) <= 600 for t in train)


def test_bad_arguments_are_invalid_input():
    with pytest.raises(InvalidInput, match="unknown split 'dev'"):
        generate("dev", 3, seed=0)
    with pytest.raises(InvalidInput, match="count must be >= 0"):
        generate("train", -1, seed=0)
    assert generate("test", 0, seed=0) == []
