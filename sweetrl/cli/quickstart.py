"""``sweet quickstart``: the main job on embedded defaults.

Today: start the sandbox service on loopback, judge the bundled ColBench-format
sample answers through its gRPC API, and print the scores. Later work grows this
into the whole SWEET-RL loop (collect, critic, policy, evaluate).
"""

from __future__ import annotations

import asyncio
import json
from importlib import resources
from pathlib import Path

import typer


def quickstart(
    tasks: Path = typer.Option(None, help="Tasks JSONL (default: the bundled samples)."),
    answers: Path = typer.Option(None, help="Answers JSONL (default: the bundled samples)."),
    sandbox: str = typer.Option(None, help="Address of a running sandbox service; default: start one on loopback."),
) -> None:
    """Judge sample answers in the sandbox service over gRPC and print the scores."""
    samples = resources.files("sweetrl.data").joinpath("samples")
    tasks_text = tasks.read_text() if tasks else samples.joinpath("backend_tasks.jsonl").read_text()
    answers_text = answers.read_text() if answers else samples.joinpath("backend_answers.jsonl").read_text()
    ok = asyncio.run(_run(tasks_text, answers_text, sandbox))
    raise typer.Exit(0 if ok else 1)


def _requests(tasks_text: str, answers_text: str):
    from sweetrl.api.v1 import sandbox_pb2

    tasks = {}
    for line in tasks_text.splitlines():
        if line.strip():
            obj = json.loads(line)
            tasks[obj["id"]] = sandbox_pb2.BackendTask(
                task_id=obj["id"], problem_description=obj.get("problem_description", ""),
                ground_truth=obj["ground_truth"],
                test_cases=[sandbox_pb2.TestCase(name=k, call=v) for k, v in obj["test_cases"].items()])
    items = []
    for line in answers_text.splitlines():
        if line.strip():
            obj = json.loads(line)
            items.append(sandbox_pb2.EvaluateRequest(task=tasks[obj["id"]], answer=obj["answer"]))
    return items


async def _run(tasks_text: str, answers_text: str, address: str | None) -> bool:
    from rich.console import Console

    from sweetrl.api.v1 import sandbox_pb2, sandbox_pb2_grpc
    from sweetrl.runtime import make_channel, wait_ready

    console = Console()
    server = None
    if address is None:
        from services.sandbox.app import build
        from services.sandbox.config import SandboxServiceConfig
        from sweetrl.runtime import ServerConfig

        cfg = SandboxServiceConfig(server=ServerConfig(port=0, metrics_port=0, drain_delay_s=0))
        with console.status("starting the sandbox service on loopback..."):
            server, _ = build(cfg)
            await server.start()
        address = server.address
        console.print(f"sandbox service on [bold]{address}[/] "
                      f"(metrics http://127.0.0.1:{server.metrics_port}/metrics)")
    try:
        async with make_channel(address) as channel:
            await wait_ready(channel, 10)
            await _check_health(channel)
            stub = sandbox_pb2_grpc.SandboxServiceStub(channel)
            limits = await stub.GetLimits(sandbox_pb2.GetLimitsRequest(), timeout=10)
            console.print(f"isolation [bold]{limits.isolation}[/]: {', '.join(limits.mechanisms)}")
            items = _requests(tasks_text, answers_text)
            with console.status(f"judging {len(items)} answers..."):
                reply = await stub.EvaluateBatch(sandbox_pb2.EvaluateBatchRequest(items=items), timeout=300)
        _report(console, items, reply)
        return all(item.HasField("result") for item in reply.items)
    finally:
        if server is not None:
            await server.stop()


async def _check_health(channel) -> None:
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    health = health_pb2_grpc.HealthStub(channel)
    status = await health.Check(health_pb2.HealthCheckRequest(service=""), timeout=5)
    if status.status != health_pb2.HealthCheckResponse.SERVING:
        raise RuntimeError(f"sandbox service is not serving ({status.status})")


def _report(console, items, reply) -> None:
    from rich.table import Table

    from sweetrl.api.v1 import sandbox_pb2

    table = Table(title="ColBench backend: sample answers judged in the sandbox")
    for col in ("task", "#", "tests passed", "success", "error", "first failing test"):
        table.add_column(col)
    rewards, successes, seen = [], [], {}
    for req, item in zip(items, reply.items):
        n = seen[req.task.task_id] = seen.get(req.task.task_id, 0) + 1
        if item.HasField("error"):
            table.add_row(req.task.task_id, str(n), "-", "-", item.error.code, item.error.message[:60])
            continue
        r = item.result
        rewards.append(r.reward)
        successes.append(r.success)
        failing = next((f"{t.name}: {sandbox_pb2.TestOutcome.Name(t.outcome)[13:].lower()}"
                        for t in r.tests if not t.passed), "")
        kind = sandbox_pb2.ErrorKind.Name(r.error_kind)[11:].lower()
        table.add_row(r.task_id, str(n), f"{r.tests_passed}/{r.tests_total}",
                      "[green]yes[/]" if r.success else "[red]no[/]",
                      "" if kind == "none" else kind, failing[:60])
    console.print(table)
    if rewards:
        console.print(f"% tests passed: [bold]{100 * sum(rewards) / len(rewards):.1f}%[/]   "
                      f"success rate: [bold]{100 * sum(successes) / len(successes):.1f}%[/]   "
                      f"({len(rewards)} answers)")
