"""Token selection and stop strings, checked by hand on small distributions."""

from __future__ import annotations

import pytest
import torch

from sweetrl.serving.sampling import choose_tokens, find_stop


def _choose(logits, temperature, top_k, top_p, uniform):
    rows = logits.shape[0]
    return choose_tokens(logits, torch.full((rows,), float(temperature)),
                         torch.full((rows,), top_k, dtype=torch.long),
                         torch.full((rows,), float(top_p)), uniform)


LOGITS = torch.tensor([[2.0, 1.0, 0.0, -1.0, 0.5]])


def test_greedy_takes_argmax_and_reports_unmodified_logprob():
    tokens, logprobs = _choose(LOGITS, 0.0, 0, 1.0, torch.tensor([0.99]))
    assert tokens.tolist() == [0]
    assert logprobs.item() == pytest.approx(torch.log_softmax(LOGITS, -1)[0, 0].item())


def _frequencies(temperature, top_k, top_p, draws=10_000):
    # A uniform grid instead of random draws: frequencies are exact up to 1/draws.
    uniform = (torch.arange(draws, dtype=torch.float32) + 0.5) / draws
    tokens, logprobs = _choose(LOGITS.expand(draws, -1), temperature, top_k, top_p, uniform)
    reference = torch.log_softmax(LOGITS, -1)[0]
    assert torch.allclose(logprobs, reference[tokens])  # never the tempered/truncated ones
    return torch.bincount(tokens, minlength=LOGITS.shape[1]).float() / draws


def test_temperature_sampling_follows_softmax():
    expected = torch.softmax(LOGITS[0] / 0.7, -1)
    assert torch.allclose(_frequencies(0.7, 0, 1.0), expected, atol=2e-4)


def test_top_k_renormalises_over_the_k_best():
    expected = torch.zeros(5)
    expected[[0, 1]] = torch.softmax(torch.tensor([2.0, 1.0]), -1)
    assert torch.allclose(_frequencies(1.0, 2, 1.0), expected, atol=2e-4)


def test_top_p_keeps_the_nucleus():
    probs = torch.softmax(LOGITS[0], -1)  # by rank: token 0 (.56), 1 (.21), 4 (.13)...
    nucleus = [0, 1]  # mass before token 4 is .77 >= .6: it is cut
    expected = torch.zeros(5)
    expected[nucleus] = probs[nucleus] / probs[nucleus].sum()
    assert torch.allclose(_frequencies(1.0, 0, 0.6), expected, atol=2e-4)


def test_top_p_applies_after_top_k():
    # Over the whole vocabulary, top_p=.7 keeps tokens 0 and 1 (mass before 1 is .56);
    # over the renormalised top-2 (.73, .27) it keeps token 0 alone.
    assert set(_frequencies(1.0, 0, 0.7).nonzero().flatten().tolist()) == {0, 1}
    assert _frequencies(1.0, 2, 0.7).tolist() == [1.0, 0.0, 0.0, 0.0, 0.0]


def test_tiny_top_p_is_greedy_and_mixed_rows_are_independent():
    logits = LOGITS.expand(3, -1)
    tokens, _ = choose_tokens(logits, torch.tensor([0.0, 1.0, 1.0]),
                              torch.tensor([0, 0, 1]), torch.tensor([1.0, 1e-6, 1.0]),
                              torch.tensor([0.9, 0.9, 0.9]))
    assert tokens.tolist() == [0, 0, 0]


def test_uniform_at_the_edge_never_picks_a_zero_probability_token():
    logits = torch.tensor([[0.0, 0.0, -1e9]])
    tokens, _ = _choose(logits, 1.0, 0, 1.0, torch.tensor([1.0 - 1e-9]))
    assert tokens.item() in (0, 1)


def test_find_stop_earliest_then_longest():
    assert find_stop("abc\n\ndef", ("d", "\n")) == (3, "\n")
    assert find_stop("abc\n\ndef", ("\n", "\n\n")) == (3, "\n\n")
    assert find_stop("abc", ("x", "")) is None
