"""services/critic/scoring.py: the advantage math and the prompt format, checked by hand."""

from __future__ import annotations

import math

import pytest

from services.critic.scoring import (
    TurnLogprobs,
    advantage,
    dialogue_total,
    mean,
    training_information_text,
    turn_advantage,
    with_training_information,
)


def test_mean_of_nothing_is_zero_as_the_api_says():
    assert mean([]) == 0.0
    assert mean([-1.0, -2.0, -4.5]) == pytest.approx(-2.5)


def test_advantage_is_beta_times_the_difference():
    # 0.1 * (-1.2 - (-2.0)) = 0.08
    assert advantage(0.1, -1.2, -2.0) == pytest.approx(0.08)
    assert advantage(0.5, -3.0, -1.0) == pytest.approx(-1.0)
    assert advantage(0.1, -1.7, -1.7) == 0.0


def test_turn_advantage_uses_the_turns_own_token_means():
    # critic mean (-1 - 2 - 3) / 3 = -2; reference mean (-2 - 4 - 6) / 3 = -4
    t = turn_advantage(0.1, TurnLogprobs(critic=[-1.0, -2.0, -3.0], reference=[-2.0, -4.0, -6.0]))
    assert (t.critic_mean_logprob, t.reference_mean_logprob) == (pytest.approx(-2.0), pytest.approx(-4.0))
    assert t.advantage == pytest.approx(0.2)
    assert t.token_count == 3


def test_empty_turn_scores_zero():
    t = turn_advantage(0.1, TurnLogprobs(critic=[], reference=[]))
    assert (t.critic_mean_logprob, t.reference_mean_logprob, t.advantage, t.token_count) == (0.0, 0.0, 0.0, 0)


# Two turns of different length make the normalisations differ:
#   turn 1: critic [-1], reference [-3]                 -> means -1 / -3, advantage 0.1 * 2 = 0.2
#   turn 2: critic [-2, -2, -2], reference [-2, -2, -5] -> means -2 / -3, advantage 0.1 * 1 = 0.1
# per turn:   0.2 + 0.1 = 0.3
# trajectory: critic mean (-1 - 6) / 4 = -1.75, reference mean (-3 - 9) / 4 = -3.0
#             -> 0.1 * 1.25 = 0.125
TURNS = [TurnLogprobs(critic=[-1.0], reference=[-3.0]),
         TurnLogprobs(critic=[-2.0, -2.0, -2.0], reference=[-2.0, -2.0, -5.0])]


def test_per_turn_total_is_the_sum_of_turn_advantages():
    assert dialogue_total(0.1, TURNS, "per_turn") == pytest.approx(0.3)


def test_trajectory_total_averages_all_assistant_tokens_at_once():
    assert dialogue_total(0.1, TURNS, "trajectory") == pytest.approx(0.125)


def test_totals_of_a_dialogue_without_assistant_turns_are_zero():
    assert dialogue_total(0.1, [], "per_turn") == 0.0
    assert dialogue_total(0.1, [], "trajectory") == 0.0


def test_unknown_normalization_is_refused():
    with pytest.raises(ValueError, match="normalization"):
        dialogue_total(0.1, TURNS, "per_token")  # type: ignore[arg-type]


def test_identical_models_give_zero_advantage_under_both_normalizations():
    same = [TurnLogprobs(critic=t.critic, reference=t.critic) for t in TURNS]
    assert dialogue_total(0.1, same, "per_turn") == 0.0
    assert dialogue_total(0.1, same, "trajectory") == 0.0
    assert not math.isnan(dialogue_total(0.1, same, "trajectory"))


def test_ground_truth_goes_first_as_a_system_message():
    dialogue = [("system", "You are a coding agent."), ("user", "Write f.")]
    msgs = with_training_information("backend", "def f():\n    return 1", dialogue)
    assert msgs[0] == ("system", "The final answer is: def f():\n    return 1")
    assert msgs[1:] == dialogue
    assert training_information_text("frontend", "<html></html>") == "The final answer is: <html></html>"


def test_without_ground_truth_the_dialogue_is_unchanged():
    dialogue = [("user", "Write f.")]
    assert with_training_information("backend", "", dialogue) == dialogue
