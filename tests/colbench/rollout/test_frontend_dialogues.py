"""Whole frontend dialogues through real in-process services: the renderer on Chromium
(drafts, target, structural judge), the scripted visual-diff human, and a scripted fake
policy (`ScriptedPolicy`) that shows the target page or no page at all."""

from __future__ import annotations

import json

import grpc
import pytest
import pytest_asyncio
from rollout_helpers import closed_port_address, config

from sweetrl.colbench.frontend.generator import generate
from sweetrl.colbench.rollout.clients import RolloutClients
from sweetrl.colbench.rollout.collector import collect, iter_records
from sweetrl.colbench.rollout.env_frontend import run_frontend_dialogue
from sweetrl.colbench.rollout.fakes import ScriptedPolicy, ask_then_build
from sweetrl.colbench.rollout.services import LocalServices, ServicePlan
from sweetrl.render.browser import unavailable_reason

REASON = unavailable_reason()
pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module"),
              pytest.mark.skipif(REASON is not None, reason=REASON or "")]

TASKS = generate("test", 2, 0)


@pytest.fixture(scope="module")
def fake():
    with ScriptedPolicy(ask_then_build(TASKS)) as policy:
        yield policy


@pytest.fixture(autouse=True)
def reset_fake(fake):
    fake.script, fake.fail_next, fake.fail_code = ask_then_build(TASKS), 0, grpc.StatusCode.UNAVAILABLE
    fake.requests.clear()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def addresses(fake):
    plan = ServicePlan(policy_address=fake.address, domain="frontend",
                       overrides={"renderer.browser.pages": "1"})
    async with LocalServices(plan) as addresses:
        yield addresses


def clients(addresses, **overrides) -> RolloutClients:
    where = {**addresses, **{k: v for k, v in overrides.items() if k in addresses}}
    return RolloutClients(**where, config=config(
        **{k: v for k, v in overrides.items() if k not in addresses}))


async def test_showing_the_target_after_one_question_scores_about_one(addresses, fake):
    task = TASKS[0]
    async with clients(addresses) as c:
        r = await run_frontend_dialogue(task, 0, c)
    assert (r["error"], r["finish"], r["turns"], r["questions"], r["renders"]) == (
        None, "answered", 2, 1, 1)
    assert r["reward"] == r["similarity"] and r["similarity"] > 0.99
    assert r["judge_kind"] == "structural"  # no CLIP weights configured: auto fell back
    assert r["answer"] == task.ground_truth and not r["no_answer"]
    assert r["task"] == task.to_json() and r["domain"] == "frontend" and r["task_id"] == task.task_id
    history = r["dialogue_history"]
    assert [m["role"] for m in history] == ["user", "assistant", "user", "assistant"]
    ask, answer = history[1], history[3]
    assert "render" not in ask and answer["render"]["width"] == 1280
    assert answer["render"]["chars"] == len(task.ground_truth)
    assert ask["output"].startswith("I should ask") and answer["input"].endswith("assistant: ")
    # the human saw the target but no page of ours yet, and says what it wants
    assert history[2]["content"].startswith("I don't see a page from you yet")
    assert r["simulator"] == "scripted-frontend" and r["target_render"]["height"] >= 720
    json.dumps(r)


async def test_no_page_is_judged_black_and_loses(addresses, fake):
    fake.script = ask_then_build(TASKS, show_nothing=True)
    async with clients(addresses) as c:
        r = await run_frontend_dialogue(TASKS[0], 0, c)
    assert (r["error"], r["finish"], r["answer"], r["no_answer"], r["renders"]) == (
        None, "answered", "", True, 0)
    assert r["reward"] < 0.1 and r["judge_kind"] == "structural"


async def test_target_rendered_once_for_all_rollouts_of_a_task(addresses, tmp_path):
    async with clients(addresses, k=3, judge="structural") as c:
        await collect(TASKS[:1], c, tmp_path / "t.jsonl")
        calls = c.usage["renderer"].calls
    assert calls == 1 + 3 * 2  # one target, then per rollout one draft and one judgement


async def test_a_renderer_failure_is_recorded_not_dropped(addresses, tmp_path):
    async with clients(addresses, renderer=closed_port_address()) as c:
        result = await collect(TASKS, c, tmp_path / "t.jsonl")
    assert (result.written, result.failed) == (2, 2)
    records = [r for _, r in iter_records(tmp_path / "t.jsonl")]
    for r in records:
        assert r["finish"] == "error" and r["reward"] is None
        assert r["error"]["service"] == "renderer" and r["error"]["code"] == "UNAVAILABLE"
        assert r["error"]["stage"] == "target" and r["error"]["attempts"] == 2


async def test_clip_asked_of_a_renderer_without_it_is_a_failure(addresses):
    async with clients(addresses, judge="clip") as c:
        r = await run_frontend_dialogue(TASKS[1], 0, c)
    assert r["error"]["code"] == "FAILED_PRECONDITION" and r["error"]["stage"] == "judge"
    assert r["renders"] == 1 and r["answer"] == TASKS[1].ground_truth  # the dialogue is kept


async def test_collect_resumes_and_retries_failures(addresses, fake, tmp_path):
    out = tmp_path / "t.jsonl"
    async with clients(addresses, k=2) as c:
        first = await collect(TASKS[:1], c, out)
    assert (first.written, first.skipped) == (2, 0)
    with open(out, "a") as fh:
        fh.write('{"task_id": "torn')  # a write the process died in
    fake.fail_next = 10  # the policy is down: the next dialogues fail (attempts=2 each)
    async with clients(addresses, k=2) as c:
        second = await collect(TASKS, c, out)
    assert (second.written, second.skipped, second.failed) == (2, 2, 2)
    fake.fail_next = 0
    async with clients(addresses, k=2) as c:
        third = await collect(TASKS, c, out, retry_failed=True)
    assert (third.written, third.skipped, third.failed) == (2, 2, 0)
    records = [r for _, r in iter_records(out)]
    keys = sorted((r["task_id"], r["rollout"]) for r in records)
    assert keys == sorted((t.task_id, i) for t in TASKS for i in range(2))
    assert all(r["similarity"] > 0.99 for r in records)


async def test_a_dialogue_outgrowing_the_policy_is_judged_as_it_stands(addresses, fake):
    draft = TASKS[0].ground_truth

    def script(chat):  # shows the target, then the policy refuses the longer prompt
        fake.fail_next, fake.fail_code = 1, grpc.StatusCode.INVALID_ARGUMENT
        return f"OUTPUT: Like this? {draft}"

    fake.script = script
    async with clients(addresses) as c:
        r = await run_frontend_dialogue(TASKS[0], 0, c)
    assert (r["error"], r["finish"], r["turns"], r["renders"]) == (None, "context_limit", 1, 1)
    assert r["similarity"] > 0.99 and r["limit_error"] == "scripted failure"
    # on the first turn the same refusal is a failure (nothing fits: a configuration error)
    fake.fail_next = 1
    async with clients(addresses) as c:
        r = await run_frontend_dialogue(TASKS[0], 0, c)
    assert r["finish"] == "error" and r["error"]["code"] == "INVALID_ARGUMENT"
    assert r["error"]["stage"] == "policy" and r["reward"] is None
