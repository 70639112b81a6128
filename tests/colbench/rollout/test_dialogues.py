"""Whole dialogues through real in-process services: the simulator (scripted human), the
sandbox, and as the policy a scripted fake (`ScriptedPolicy`, a test double for the
model) or a tiny random model on the transformers backend."""

from __future__ import annotations

import asyncio
import json
import time

import grpc
import pytest
import pytest_asyncio
from rollout_helpers import closed_port_address, config, require_strict_sandbox, tasks

from sweetrl.colbench.rollout.clients import RolloutClients
from sweetrl.colbench.rollout.collector import collect, iter_records
from sweetrl.colbench.rollout.env import run_dialogue
from sweetrl.colbench.rollout.fakes import ScriptedPolicy, ask_then_answer
from sweetrl.colbench.rollout.services import LocalServices, ServicePlan

pytestmark = [pytest.mark.isolation, pytest.mark.asyncio(loop_scope="module")]

TASKS = tasks(3)


@pytest.fixture(scope="module")
def fake():
    with ScriptedPolicy(ask_then_answer(TASKS)) as policy:
        yield policy


@pytest.fixture(autouse=True)
def reset_fake(fake):
    deadline = time.monotonic() + 5
    while fake.in_flight and time.monotonic() < deadline:  # calls a test gave up on
        time.sleep(0.01)
    fake.script, fake.delay_s, fake.fail_next = ask_then_answer(TASKS), 0.0, 0
    fake.fail_code = grpc.StatusCode.UNAVAILABLE
    fake.calls = fake.max_in_flight = 0
    fake.requests.clear()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def addresses(fake):
    require_strict_sandbox()
    plan = ServicePlan(policy_address=fake.address, simulator="scripted",
                       overrides={"sandbox.engine.slots": "1"})
    async with LocalServices(plan) as addresses:
        yield addresses


def clients(addresses, **overrides) -> RolloutClients:
    where = {**addresses, **{k: v for k, v in overrides.items() if k in addresses}}
    return RolloutClients(policy=where["policy"], simulator=where["simulator"],
                          sandbox=where["sandbox"],
                          config=config(**{k: v for k, v in overrides.items() if k not in addresses}))


async def test_agent_asks_gets_the_fact_and_answers_correctly(addresses, fake):
    task = TASKS[0]
    async with clients(addresses) as c:
        r = await run_dialogue(task, 0, c)
    assert (r["reward"], r["success"], r["error"], r["finish"]) == (1.0, True, None, "answered")
    assert (r["turns"], r["questions"], r["tests_passed"]) == (2, 1, len(task.task.test_cases))
    history = r["dialogue_history"]
    assert [m["role"] for m in history] == ["user", "assistant", "user", "assistant"]
    assert history[0]["content"] == task.task.problem_description
    assert history[2]["content"] == task.hidden_facts[0].statement  # the scripted human's answer
    ask, answer = history[1], history[3]
    assert ask["content"].startswith("What about the") and ask["output"].startswith("I should ask")
    # every turn keeps the exact prompt it was generated from and the raw output
    sent = [[(m.role, m.content) for m in req.prompts[0].chat.messages] for req in fake.requests]
    assert [[(m["role"], m["content"]) for m in t["messages"]] for t in (ask, answer)] == [
        [(["", "system", "user", "assistant"][role], content) for role, content in s] for s in sent]
    assert answer["input"].startswith("system: ") and answer["input"].endswith("assistant: ")
    assert "OUTPUT: What about the" in answer["input"]  # own turn shown without its thought
    assert "I should ask" not in answer["input"]
    assert r["answer"].startswith("```python") and r["policy_model"]["name"] == "scripted-policy"
    assert r["simulator"] == "scripted" and r["task"]["id"] == task.task.task_id
    json.dumps(r)  # a JSONL record


async def test_wrong_answer_gets_partial_or_no_reward(addresses, fake):
    fake.script = ask_then_answer(TASKS, wrong=True)
    async with clients(addresses) as c:
        r = await run_dialogue(TASKS[1], 0, c)
    assert (r["reward"], r["success"], r["judge_error"], r["finish"]) == (0.0, False, "syntax", "answered")


async def test_ten_turn_cap_makes_the_last_message_the_answer(addresses, fake):
    fake.script = lambda chat: "OUTPUT: Could you tell me more?"
    async with clients(addresses) as c:
        r = await run_dialogue(TASKS[0], 0, c)
    assert (r["turns"], r["questions"], r["finish"], r["answer"]) == (
        10, 10, "turn_limit", "Could you tell me more?")
    assert sum(m["role"] == "user" for m in r["dialogue_history"]) == 1 + 9  # no reply to turn 10
    assert (r["reward"], r["judge_error"]) == (0.0, "syntax") and fake.calls == 10


async def test_a_dialogue_outgrowing_the_policy_is_judged_on_its_last_message(addresses, fake):
    task = TASKS[0]

    def script(chat):  # a right function, not marked final; then the prompt no longer fits
        fake.fail_next, fake.fail_code = 1, grpc.StatusCode.INVALID_ARGUMENT
        return f"OUTPUT: {task.task.ground_truth}"

    fake.script = script
    async with clients(addresses) as c:
        r = await run_dialogue(task, 0, c)
    assert (r["error"], r["finish"], r["turns"], r["limit_error"]) == (
        None, "context_limit", 1, "scripted failure")
    assert r["answer"].strip() == task.task.ground_truth.strip()  # the last message
    assert (r["reward"], r["success"]) == (1.0, True)
    # the human replied to turn 1; the refused turn 2 left nothing in the history
    assert [m["role"] for m in r["dialogue_history"]] == ["user", "assistant", "user"]
    # on the first turn the same refusal is a failure (nothing fits: a configuration error)
    fake.fail_next = 1
    async with clients(addresses) as c:
        r = await run_dialogue(task, 0, c)
    assert (r["finish"], r["reward"], r["error"]["code"], r["error"]["stage"]) == (
        "error", None, "INVALID_ARGUMENT", "policy")


async def test_policy_retried_on_unavailable_then_succeeds(addresses, fake):
    fake.fail_next = 2
    async with clients(addresses, attempts=3) as c:
        r = await run_dialogue(TASKS[0], 0, c)
    assert r["reward"] == 1.0 and fake.calls == 2 + 2


async def test_policy_down_is_recorded_with_its_error(addresses, fake):
    fake.fail_next = 100
    async with clients(addresses, attempts=2) as c:
        r = await run_dialogue(TASKS[0], 0, c)
    assert (r["finish"], r["reward"], r["turns"]) == ("error", None, 0)
    assert r["error"] == {"service": "policy", "code": "UNAVAILABLE", "message": "scripted failure",
                          "attempts": 2, "stage": "policy", "turn": 0}


async def test_sandbox_unreachable_keeps_the_dialogue_and_the_error(addresses):
    async with clients(addresses, sandbox=closed_port_address()) as c:
        r = await run_dialogue(TASKS[0], 0, c)
    assert (r["finish"], r["reward"], r["turns"]) == ("error", None, 2)
    assert (r["error"]["service"], r["error"]["code"], r["error"]["stage"]) == (
        "sandbox", "UNAVAILABLE", "sandbox")
    assert r["answer"].startswith("```python") and len(r["dialogue_history"]) == 4


async def test_slow_policy_turn_is_a_deadline_failure_not_retried(addresses, fake):
    fake.delay_s = 1.0
    async with clients(addresses, policy_timeout_s=0.2, attempts=3) as c:
        r = await run_dialogue(TASKS[0], 0, c)
    assert (r["error"]["code"], r["error"]["attempts"]) == ("DEADLINE_EXCEEDED", 1)


async def test_dialogues_advance_on_their_own_within_the_limits(addresses, fake, tmp_path):
    slow = TASKS[0].task.problem_description.strip()
    inner = ask_then_answer(TASKS)

    def script(chat):
        time.sleep(0.6 if chat[1][1].strip() == slow else 0.02)
        return inner(chat)

    fake.script = script
    out = tmp_path / "t.jsonl"
    async with clients(addresses, max_dialogues=3, policy_concurrency=2) as c:
        result = await collect(TASKS, c, out)
    order = [r["task_id"] for _, r in iter_records(out)]
    # both fast dialogues (two turns each) finish while the slow one is still in its first turns
    assert order[-1] == TASKS[0].task.task_id and result.written == 3
    assert fake.max_in_flight <= 2


async def test_collect_resumes_after_an_interruption_without_duplicates(addresses, fake, tmp_path):
    fake.delay_s = 0.05
    out = tmp_path / "t.jsonl"
    async with clients(addresses, k=3, max_dialogues=2) as c:
        job = asyncio.create_task(collect(TASKS, c, out))
        while not out.exists() or len(out.read_text().splitlines()) < 3:
            await asyncio.sleep(0.02)
        job.cancel()
        with pytest.raises(asyncio.CancelledError):
            await job
        first = len(out.read_text().splitlines())
        with open(out, "a") as fh:
            fh.write('{"task_id": "' + TASKS[2].task.task_id + '", "rollout": 2, "dial')  # torn write
        again = await collect(TASKS, c, out)
    keys = [(r["task_id"], r["rollout"]) for _, r in iter_records(out)]
    assert len(keys) == len(set(keys)) == 9
    assert sorted(keys) == sorted((t.task.task_id, k) for t in TASKS for k in range(3))
    assert again.skipped == first and again.written == 9 - first
    assert {json.loads(x)["seed"] for x in out.read_text().splitlines()}.__len__() == 9  # distinct seeds
    assert all(r["reward"] == 1.0 for _, r in iter_records(out))


async def test_tiny_random_model_dialogue_runs_to_the_turn_cap(addresses, tmp_path):
    from sweetrl.models.tiny import build_tiny_model

    model = build_tiny_model(tmp_path / "tiny", max_position_embeddings=4096)
    plan = ServicePlan(policy_model=str(model), simulator_address=addresses["simulator"],
                       sandbox_address=addresses["sandbox"],
                       overrides={"policy.transformers.torch_threads": "1",
                                  "policy.transformers.batch_wait_ms": "1"})
    async with LocalServices(plan) as tiny:
        async with clients(tiny, max_tokens=8, max_turns=4) as c:
            records = await asyncio.gather(*(run_dialogue(t, 0, c) for t in TASKS[:2]))
    for r in records:
        assert r["error"] is None and r["turns"] >= 1 and r["reward"] is not None
        turn = r["dialogue_history"][1]
        assert turn["input"].startswith("<|im_start|>system\n") and turn["tokens"] <= 8
        assert turn["input"].endswith("<|im_start|>assistant\n")
        assert r["policy_model"]["name"] == "tiny"
