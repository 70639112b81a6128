"""Model references and the models the project ships.

* `sweetrl.models.refs`: resolve a reference (HF folder, .gguf file, ``file://``,
  the builtin ``smollm2-135m-instruct``) to a loadable local folder with a revision.
* `sweetrl.models.smollm2`: the embedded default, converted once from GGUF.
* `sweetrl.models.tiny`: a tiny random chat model built in-process, for tests.

Nothing here imports torch at import time.
"""

from sweetrl.models.refs import BUILTIN_MODELS, DEFAULT_MODEL, ResolvedModel, resolve

__all__ = ["BUILTIN_MODELS", "DEFAULT_MODEL", "ResolvedModel", "resolve"]
