"""The vlm frontend human against a local OpenAI-compatible endpoint (http.server on
loopback) that checks each request carries the screenshots: the request's shape,
greedy decoding, the reply cap, retries and UNAVAILABLE."""

from __future__ import annotations

import base64
import dataclasses
import socket

import grpc
import pytest
from simulator_helpers import (RED, backend_request, draw_page, frontend_request, human, png,
                               running_simulator, simulator_config)

from services.simulator.backends.vlm import HTML_NOTE, NO_PAGE, SYSTEM_PROMPT
from services.simulator.config import SimulatorServiceConfig, VlmSimulatorConfig

TARGET, AGENT = png(draw_page()), png(draw_page(header=RED, cards=2))
CANNED = "The header should be blue, and I want three cards, not two."
DATA_URL = "data:image/png;base64,"


def vlm_config(endpoint, **vlm) -> SimulatorServiceConfig:
    vlm.setdefault("initial_backoff_s", 0.01)
    return simulator_config(frontend="vlm", vlm=VlmSimulatorConfig(
        openai_base_url=endpoint.base_url, openai_model="qwen2-vl", openai_api_key_env="VLM_KEY",
        **vlm))


def images_of(body: dict) -> list[bytes]:
    """The PNGs of a chat-completions request body, in order."""
    parts = [p for m in body["messages"] if isinstance(m["content"], list) for p in m["content"]]
    return [base64.b64decode(p["image_url"]["url"].removeprefix(DATA_URL)) for p in parts
            if p["type"] == "image_url" and p["image_url"]["url"].startswith(DATA_URL)]


def wants_both_screenshots(body: dict) -> str | None:
    """The endpoint's check: both screenshots, target first, as PNG data URLs."""
    return None if images_of(body) == [TARGET, AGENT] else "expected the two screenshots"


async def test_request_carries_both_screenshots_prompt_and_dialogue(endpoint, monkeypatch):
    monkeypatch.setenv("VLM_KEY", "sk-vlm")
    endpoint.check, endpoint.reply = wants_both_screenshots, CANNED
    html = "<html><body><h1 class='bg-red-500'>Acme</h1></body></html>"
    request = frontend_request(TARGET, AGENT, "Which colours do you like?", human("Blue."),
                               f"Here is my page: {html} Better?")
    async with running_simulator(vlm_config(endpoint, max_tokens=99)) as (stub, _):
        r = await stub.Reply(request, timeout=10)
    assert (r.text, r.truncated, r.backend) == (CANNED, False, "openai:qwen2-vl")
    (headers, body), = endpoint.requests
    assert headers["Authorization"] == "Bearer sk-vlm"
    assert (body["model"], body["temperature"], body["max_tokens"], body["n"]) == (
        "qwen2-vl", 0, 99, 1)
    system, user = body["messages"]
    assert (system["role"], system["content"], user["role"]) == ("system", SYSTEM_PROMPT, "user")
    texts = [p["text"] for p in user["content"] if p["type"] == "text"]
    kinds = [p["type"] for p in user["content"]]
    assert kinds == ["text", "image_url", "text", "image_url", "text"]
    assert "A landing page for a bakery." in texts[0]
    assert texts[0].index("Assistant: Which colours") < texts[0].index("You: Blue.") < \
        texts[0].index(f"Assistant: Here is my page: {HTML_NOTE} Better?")
    assert "bg-red-500" not in str(user)  # the agent's HTML is shown rendered, not as code


async def test_before_any_page_only_the_target_is_sent(endpoint):
    endpoint.reply = "I want a bakery page with a blue header."
    async with running_simulator(vlm_config(endpoint)) as (stub, _):
        r = await stub.Reply(frontend_request(TARGET), timeout=10)
    assert r.text == endpoint.reply
    (_, body), = endpoint.requests
    assert images_of(body) == [TARGET]
    assert NO_PAGE in body["messages"][1]["content"][-1]["text"]


async def test_reply_is_cut_to_1000_characters(endpoint):
    endpoint.check, endpoint.reply = wants_both_screenshots, "x" * 1500
    async with running_simulator(vlm_config(endpoint)) as (stub, _):
        r = await stub.Reply(frontend_request(TARGET, AGENT), timeout=10)
    assert (r.text, r.truncated, r.untruncated_chars) == ("x" * 1000, True, 1500)


async def test_retries_then_answers(endpoint):
    endpoint.check, endpoint.reply = wants_both_screenshots, CANNED
    endpoint.statuses = [503, 502]
    async with running_simulator(vlm_config(endpoint)) as (stub, _):
        r = await stub.Reply(frontend_request(TARGET, AGENT), timeout=10)
    assert r.text == CANNED and len(endpoint.requests) == 3
    assert all(images_of(body) == [TARGET, AGENT] for _, body in endpoint.requests)


async def test_gives_up_with_unavailable(endpoint):
    endpoint.statuses = [503] * 5
    async with running_simulator(vlm_config(endpoint, max_attempts=3)) as (stub, _):
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await stub.Reply(frontend_request(TARGET, AGENT), timeout=10)
    assert err.value.code() == grpc.StatusCode.UNAVAILABLE
    assert "cannot be reached: HTTP 503 (after 3 attempts)" in err.value.details()
    assert len(endpoint.requests) == 3


async def test_misconfigured_endpoint_names_the_vlm_section(endpoint):
    endpoint.statuses = [404]
    async with running_simulator(vlm_config(endpoint)) as (stub, _):
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await stub.Reply(frontend_request(TARGET, AGENT), timeout=10)
    assert err.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "check vlm.openai_base_url, vlm.openai_model" in err.value.details()


async def test_unreachable_endpoint_is_unavailable():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = simulator_config(frontend="vlm", vlm=VlmSimulatorConfig(
        openai_base_url=f"http://127.0.0.1:{port}/v1", openai_model="m", max_attempts=2,
        initial_backoff_s=0.01))
    async with running_simulator(config) as (stub, _):
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await stub.Reply(frontend_request(TARGET, AGENT), timeout=10)
    assert err.value.code() == grpc.StatusCode.UNAVAILABLE
    assert "connection failed (ConnectError) (after 2 attempts)" in err.value.details()


async def test_backend_turns_still_go_to_the_backend_simulator(endpoint):
    config = dataclasses.replace(vlm_config(endpoint), backend="scripted")
    async with running_simulator(config) as (stub, _):
        r = await stub.Reply(backend_request("What tip should I use by default?"), timeout=10)
    assert r.backend == "scripted" and "18 percent" in r.text
    assert endpoint.requests == []


def test_vlm_needs_an_endpoint_and_model():
    with pytest.raises(ValueError, match="frontend 'vlm' needs vlm.openai_base_url"):
        SimulatorServiceConfig(frontend="vlm")
    with pytest.raises(ValueError, match="vlm.max_tokens"):
        VlmSimulatorConfig(max_tokens=0)
