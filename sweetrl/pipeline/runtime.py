"""How a pipeline component runs a stage: logging set up, the stage called, errors named.

`run_stage` is the one entry point the kfp components (``pipelines/components.py``)
call. It logs at INFO to stderr (kfp shows a component's output as its log), calls
the stage function of `sweetrl.pipeline.stages` by name and returns its output URI.
A `SweetError` (bad settings, no preference pair, a service that failed) is logged as
one clear line and re-raised, so the component exits non-zero and the run stops at
that stage; a re-run repeats only the stages without a committed output.
"""

from __future__ import annotations

import logging
import sys
import time


def run_stage(name: str, **arguments: str) -> str:
    """Run stage `name` of `sweetrl.pipeline.stages` with `arguments`; its output URI."""
    from sweetrl.errors import SweetError
    from sweetrl.pipeline import stages

    logging.basicConfig(level=logging.INFO, stream=sys.stderr, force=True,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    log = logging.getLogger("sweetrl.pipeline")
    function = getattr(stages, name)
    started = time.monotonic()
    log.info("stage %s starting", name)
    try:
        uri = function(**arguments)
    except SweetError as exc:
        log.error("stage %s failed: %s", name, exc)
        raise
    log.info("stage %s done in %.0f s: %s", name, time.monotonic() - started, uri)
    return uri
