"""Dialogues with the policy, simulator and sandbox services: rollouts, collection, evaluation.

One ColBench backend dialogue (``env.py``) runs as ALGORITHM.md describes: the agent's
prompt (``prompts.py``) goes to the policy service as chat messages, its raw output is
parsed for ``OUTPUT:`` (visible message, thought before it) and ``I WANT TO ANSWER:``
(final answer), the simulated human replies through the simulator service, at most 10
agent turns, then the sandbox service judges the answer (reward = fraction of tests
passed). ``clients.py`` holds the gRPC clients (retries with backoff, bounded
concurrency per service, busy-time accounting); ``collector.py`` runs many dialogues
concurrently, each advancing on its own, into a resumable JSONL file in the reference
trajectory format; ``evaluate.py`` summarises the records (with confidence intervals)
and ``report.py`` renders an HTML report; ``services.py`` starts the services in-process
on loopback and ``run.py`` ties it together for ``sweet eval`` / ``sweet collect``;
``fakes.py`` is a scripted stand-in for the policy service, for tests.

Frontend (web design) dialogues share all of it but their rules and verdict:
``prompts_frontend.py`` (the agent shows HTML snippets), ``env_frontend.py`` (each
snippet rendered by the renderer service, the simulated human shown both screenshots,
the last rendered snippet judged against the target: reward = similarity),
``evaluate_frontend.py`` (mean similarity, win rate against a reference run) and
``report_frontend.py`` (screenshots side by side). The collector runs a task of
either domain by its type.

What this package does NOT do: training, or choose what the policy says: it only
drives services.
"""
