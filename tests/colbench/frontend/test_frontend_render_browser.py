"""Generated pages on the real renderer (Chromium + Tailwind runtime): styled, served
offline, non-blank, of sensible and differing heights."""

from __future__ import annotations

import io

import pytest
import pytest_asyncio
from PIL import Image

from sweetrl.colbench.frontend.generator import generate
from sweetrl.render.browser import BrowserPool, unavailable_reason
from sweetrl.render.config import BrowserConfig

REASON = unavailable_reason()
pytestmark = [pytest.mark.browser, pytest.mark.asyncio(loop_scope="module"),
              pytest.mark.skipif(REASON is not None, reason=REASON or "")]

CONFIG = BrowserConfig(pages=1, viewport_width=1280, viewport_height=720, timeout_s=20)


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def pool():
    pool = BrowserPool(CONFIG)
    await pool.start()
    yield pool
    await pool.close()


async def test_generated_pages_render_non_blank_and_of_different_heights(pool):
    tasks = {t.family: t for t in generate("train", 60, seed=0)}
    heights = []
    for family in ("landing", "pricing", "login"):
        rendering = await pool.render(tasks[family].ground_truth, CONFIG.options())
        stats = rendering.stats
        assert stats.blocked_requests == 0 and not stats.timed_out and not stats.crashed, (family, stats)
        assert 720 <= stats.height <= 3 * 1280, (family, stats.height)
        image = Image.open(io.BytesIO(rendering.png)).convert("RGB")
        assert image.width == 1280
        colours = image.resize((128, image.height // 10)).getcolors(maxcolors=1 << 16)
        assert colours is not None and len(colours) > 8, family  # text, buttons, images: not blank
        assert len(rendering.blocks) >= 5, family  # visible text was laid out
        heights.append(stats.height)
    assert len(set(heights)) > 1, heights
