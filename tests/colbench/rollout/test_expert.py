"""The scripted expert: asks about each hidden fact, answers with the ground truth in time."""

from __future__ import annotations

from sweetrl.colbench.backend.generator import generate
from sweetrl.colbench.backend.loader import parse_line
from sweetrl.colbench.frontend.generator import generate as generate_pages
import pytest

from sweetrl.colbench.rollout.expert import (EXPERT_MODEL, as_demonstrations, expert_plan, expert_script,
                                            frontend_expert_script, pick_tasks)
from sweetrl.colbench.rollout.prompts import parse_agent_output
from sweetrl.colbench.rollout.prompts_frontend import extract_html
from sweetrl.colbench.rollout.services import ServicePlan
from sweetrl.errors import InvalidInput


def loaded(n):
    return [parse_line(t.to_json(), f"task {i}", default_id=t.task_id)
            for i, t in enumerate(generate("train", n, 0))]


def test_expert_asks_each_fact_then_answers():
    tasks = loaded(3)
    task = tasks[0]
    problem = task.task.problem_description
    script = expert_script(tasks, max_turns=10)
    chat = [("system", "rules"), ("user", problem)]
    facts = task.hidden_facts
    for i, fact in enumerate(facts):
        out = parse_agent_output(script(chat))
        assert not out.final and out.asks
        assert fact.keywords[0] in out.message
        chat += [("assistant", out.message), ("user", fact.statement)]
    final = parse_agent_output(script(chat))
    assert final.final and "def " in final.answer


def test_expert_answers_on_its_last_turn():
    tasks = loaded(1)
    problem = tasks[0].task.problem_description
    script = expert_script(tasks, max_turns=2)
    first = parse_agent_output(script([("system", "s"), ("user", problem)]))
    assert not first.final
    second = parse_agent_output(script([("system", "s"), ("user", problem), ("assistant", "q"), ("user", "a")]))
    assert second.final


def test_demonstrations_drop_the_fake_transcript():
    record = {"task_id": "t", "rollout": 0, "dialogue_history": [
        {"role": "user", "content": "p"},
        {"role": "assistant", "content": "q", "input": "system: ...", "output": "OUTPUT: q",
         "messages": [{"role": "user", "content": "p"}]}]}
    (demo,) = as_demonstrations([record], rollout=3)
    assert demo["rollout"] == 3 and demo["expert"] is True
    assert "input" not in demo["dialogue_history"][1] and demo["dialogue_history"][1]["messages"]
    assert "input" in record["dialogue_history"][1]  # the original is untouched


def test_frontend_expert_answers_with_the_target_page():
    pages = list(generate_pages("test", 3, 0))
    script = frontend_expert_script(pages)
    out = parse_agent_output(script([("system", "rules"), ("user", pages[1].problem_description)]))
    assert out.final and extract_html(out.answer) == pages[1].ground_truth.strip()


def test_the_llm_human_keeps_the_policys_model_when_the_expert_plays_the_agent():
    plan = expert_plan(ServicePlan(policy_model="smollm2-135m-instruct", simulator="llm"), "127.0.0.1:9")
    assert (plan.policy_model, plan.policy_address) == (EXPERT_MODEL, "127.0.0.1:9")
    assert plan.simulator_model == "smollm2-135m-instruct"
    named = expert_plan(ServicePlan(simulator="llm", simulator_model="big"), "a:1")
    assert named.simulator_model == "big"
    assert expert_plan(ServicePlan(simulator="scripted"), "a:1").simulator_model is None
    with pytest.raises(InvalidInput, match="--simulator-model"):
        expert_plan(ServicePlan(simulator="llm", policy_address="policy:50051"), "a:1")


def test_the_expert_picks_a_seeded_fraction_of_the_tasks():
    tasks = loaded(10)
    picked = pick_tasks(tasks, 0.3, seed=7, domain="backend")
    assert len(picked) == 3 and picked == pick_tasks(tasks, 0.3, seed=7, domain="backend")
    assert picked != pick_tasks(tasks, 0.3, seed=8, domain="backend")
    assert len(pick_tasks(tasks, 1.0, seed=0, domain="backend")) == 10
