"""The SWEET-RL loop as stages: settings, input-keyed outputs, the report, local runs.

``config`` (the run's settings), ``stagecache`` (outputs keyed by their inputs, so
unchanged stages are not re-run), ``stages`` (one function per stage, what the kfp
components of ``pipelines/`` call), ``report`` (the HTML report), ``runtime`` (a
component's entry point) and ``local`` (kfp's local runner, compile, submit).
"""
