"""Helpers of the simulator tests: a backend task, web-page screenshots drawn with
Pillow, request builders, configs and a local OpenAI-compatible chat-completions
endpoint.

A plain module (not conftest) so test files import it by a name no other test
folder uses; the fixtures are in conftest.py.
"""

from __future__ import annotations

import contextlib
import io
import json
import threading
import time
from collections.abc import AsyncIterator, Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from services.simulator.app import build
from services.simulator.config import SimulatorServiceConfig
from services.simulator.service import SimulatorService
from sweetrl.api.v1 import common_pb2, simulator_pb2, simulator_pb2_grpc
from sweetrl.runtime import ServerConfig, make_channel

PROBLEM = ("Help me write the function my friends and I use to split a dinner bill. "
           "The signature of the function is: def split_bill(total, people, tip_percent=None)")
GROUND_TRUTH = '''def split_bill(total, people, tip_percent=None):
    if tip_percent is None:
        tip_percent = 18
    if people < 1:
        return 0.0
    return round(total * (1 + tip_percent / 100) / people, 2)
'''
FACTS = [
    simulator_pb2.HiddenFact(name="default_tip", keywords=["tip", "default", "percent"],
                             statement="If no tip percentage is given, use 18 percent.",
                             value_json="18"),
    simulator_pb2.HiddenFact(name="rounding", keywords=["round", "rounding", "cents"],
                             statement="Round each share to the nearest cent.",
                             value_json='"cent"'),
    simulator_pb2.HiddenFact(name="bad_people", keywords=["zero", "people", "nobody"],
                             statement="If the number of people is below one, return 0.0.",
                             value_json='"zero"'),
]


def agent(text: str) -> common_pb2.ChatMessage:
    return common_pb2.ChatMessage(role=common_pb2.ROLE_ASSISTANT, content=text)


agent_message = agent


def human(text: str) -> common_pb2.ChatMessage:
    return common_pb2.ChatMessage(role=common_pb2.ROLE_USER, content=text)


def backend_request(*dialogue: common_pb2.ChatMessage | str, facts=FACTS,
                    ground_truth: str = GROUND_TRUTH, **fields) -> simulator_pb2.ReplyRequest:
    """A backend-domain turn; plain strings in `dialogue` are agent messages."""
    messages = [agent(m) if isinstance(m, str) else m for m in dialogue]
    fields.setdefault("domain", common_pb2.DOMAIN_BACKEND)
    fields.setdefault("problem_description", PROBLEM)
    return simulator_pb2.ReplyRequest(
        backend=simulator_pb2.BackendHidden(ground_truth=ground_truth, facts=facts),
        dialogue=messages, **fields)


BLUE, RED, GREEN = (59, 130, 246), (239, 68, 68), (34, 197, 94)
LIGHT_GRAY, DARK_GRAY = (229, 231, 235), (31, 41, 55)
WHITE, INK = (255, 255, 255), (17, 24, 39)
CARD_TITLES = ("Bread", "Cakes", "Coffee", "Tea")


def draw_page(*, height: int = 900, background=WHITE, header=BLUE, header_height: int = 100,
              title_align: str = "centre", cards: int = 3, card=LIGHT_GRAY, footer=DARK_GRAY,
              band=None):
    """A 1280 px wide page like WebSight's: a header bar with its name in white, a
    title, a row of `cards` boxes with a title each, an optional coloured `band`
    below them and a footer bar (None: no header / footer / band)."""
    from PIL import Image, ImageDraw, ImageFont

    big, small = ImageFont.load_default(size=36), ImageFont.load_default(size=20)
    image = Image.new("RGB", (1280, height), background)
    d = ImageDraw.Draw(image)
    if header:
        d.rectangle([0, 0, 1279, header_height - 1], fill=header)
        d.text((40, header_height // 2), "Acme Bakery", font=small, fill=WHITE, anchor="lm")
    top = header_height if header else 0
    x, anchor = (640, "mm") if title_align == "centre" else (40, "lm")
    d.text((x, top + 70), "Fresh bread every day", font=big, fill=INK, anchor=anchor)
    width = (1200 - 32 * (cards - 1)) // cards if cards else 0
    for i in range(cards):
        left = 40 + i * (width + 32)
        d.rectangle([left, top + 160, left + width, top + 460], fill=card)
        d.text((left + 24, top + 200), CARD_TITLES[i % 4], font=small, fill=DARK_GRAY,
               anchor="lm")
    if band:
        d.rectangle([0, top + 520, 1279, top + 620], fill=band)
    if footer:
        d.rectangle([0, height - 100, 1279, height - 1], fill=footer)
        d.text((640, height - 50), "(c) 2024 Acme", font=small, fill=WHITE, anchor="mm")
    return image


def png(image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def frontend_request(target: bytes, agent: bytes = b"", *dialogue: common_pb2.ChatMessage | str,
                     target_html: str = "", agent_html: str = "",
                     **fields) -> simulator_pb2.ReplyRequest:
    """A frontend-domain turn; plain strings in `dialogue` are agent messages (default:
    one question)."""
    messages = [agent_message(m) if isinstance(m, str) else m
                for m in (dialogue or ("How does this look?",))]
    fields.setdefault("domain", common_pb2.DOMAIN_FRONTEND)
    fields.setdefault("problem_description", "A landing page for a bakery.")
    return simulator_pb2.ReplyRequest(
        frontend=simulator_pb2.FrontendHidden(target_png=target, agent_png=agent,
                                              target_html=target_html, agent_html=agent_html),
        dialogue=messages, **fields)


def simulator_config(**fields) -> SimulatorServiceConfig:
    return SimulatorServiceConfig(
        server=ServerConfig(port=0, metrics_port=-1, drain_delay_s=0, grace_period_s=1), **fields)


@contextlib.asynccontextmanager
async def running_simulator(config: SimulatorServiceConfig
                            ) -> AsyncIterator[tuple[simulator_pb2_grpc.SimulatorServiceStub,
                                                     SimulatorService]]:
    """An in-process simulator server for the body of the block: (stub, service)."""
    server, service = build(config)
    await server.start()
    try:
        async with make_channel(server.address) as channel:
            yield simulator_pb2_grpc.SimulatorServiceStub(channel), service
    finally:
        await server.stop()


class ChatCompletionsEndpoint:
    """A local /v1/chat/completions that records requests and plays a script.

    `statuses` are answered first, one per request (an error body each); then every
    request gets 200 with `reply` as the message content, after `delay` seconds;
    unless `check` (given the JSON body) returns a complaint: then 400 with it.
    """

    def __init__(self) -> None:
        self.requests: list[tuple[dict, dict]] = []  # (headers, JSON body)
        self.statuses: list[int] = []
        self.reply = "Use 18 percent."
        self.delay = 0.0
        self.check: Callable[[dict], str | None] | None = None
        self.in_flight = self.max_in_flight = 0
        self._lock = threading.Lock()
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status = endpoint._enter(dict(self.headers), body, self.path)
                try:
                    time.sleep(endpoint.delay)
                    complaint = endpoint.check(body) if endpoint.check and status == 200 else None
                    status = 400 if complaint else status
                    payload = ({"error": {"message": complaint or f"scripted failure {status}"}}
                               if status != 200 else {"choices": [{"index": 0, "message": {
                                   "role": "assistant", "content": endpoint.reply}}]})
                    data = json.dumps(payload).encode()
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                finally:
                    with endpoint._lock:
                        endpoint.in_flight -= 1

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True)
        self._thread.start()

    def _enter(self, headers: dict, body: dict, path: str) -> int:
        with self._lock:
            assert path == "/v1/chat/completions", path
            self.requests.append((headers, body))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            return self.statuses.pop(0) if self.statuses else 200

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
