"""A ColBench frontend task and its JSONL record.

Format (one JSON object per line; the official ColBench frontend data, derived from
WebSight, has the first two fields only)::

    {"problem_description": "A landing page for a coffee roastery, featuring ...",
     "ground_truth": "<html>...<body class=\"bg-white ...\">...</body></html>",
     "id": "landing-3f2a9c1e0b7d", "family": "landing", "split": "train"}

``ground_truth`` is a whole HTML document or a ``<body>`` fragment styled with
Tailwind CSS v3 classes; the renderer (``sweetrl.render``) supplies Tailwind and the
placeholder images offline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sweetrl.errors import InvalidInput

SPLITS = ("train", "test")
_TAG = re.compile(r"<(?:!doctype\s+html|[a-z][a-z0-9-]*)(?:\s[^<>]*)?/?>", re.I)


def looks_like_html(text: str) -> bool:
    """Whether ``text`` contains at least one HTML start tag (a cheap sanity check, not a parser)."""
    return bool(_TAG.search(text))


@dataclass(frozen=True)
class FrontendTask:
    """A web page to build from a vague description: what the agent is told, and the answer."""

    task_id: str
    problem_description: str
    ground_truth: str
    family: str = ""
    """The kind of page (``landing``, ``pricing``, ``dashboard``...); empty for official tasks."""
    split: str = ""
    """``train`` or ``test`` for generated tasks; empty when unknown."""

    def to_json(self) -> dict[str, Any]:
        """The JSONL record: the official fields, then id, family and split."""
        return {"problem_description": self.problem_description, "ground_truth": self.ground_truth,
                "id": self.task_id, "family": self.family, "split": self.split}

    @classmethod
    def from_json(cls, obj: Any, where: str = "task", *, default_id: str = "") -> FrontendTask:
        """Parse one record; :class:`InvalidInput` (prefixed ``where``) names what is wrong.

        ``id`` may be missing (official lines): ``default_id`` is used then."""
        if not isinstance(obj, dict):
            raise InvalidInput(f"{where}: expected a JSON object, got {type(obj).__name__}")
        for name in ("problem_description", "ground_truth"):
            if name not in obj:
                raise InvalidInput(f"{where}: missing field {name!r}")
            if not isinstance(obj[name], str) or not obj[name].strip():
                raise InvalidInput(f"{where}: field {name!r} must be a non-empty string")
        if not looks_like_html(obj["ground_truth"]):
            raise InvalidInput(f"{where}: field 'ground_truth' does not look like HTML (no tag found)")
        task_id = obj.get("id", default_id)
        if not isinstance(task_id, (str, int)) or isinstance(task_id, bool) or str(task_id) == "":
            raise InvalidInput(f"{where}: missing field 'id'" if task_id in ("", None)
                               else f"{where}: field 'id' must be a string or an integer")
        family, split = obj.get("family", ""), obj.get("split", "")
        if not isinstance(family, str):
            raise InvalidInput(f"{where}: field 'family' must be a string, got {type(family).__name__}")
        if split not in SPLITS + ("",):
            raise InvalidInput(f"{where}: field 'split' must be one of {', '.join(SPLITS)}, got {split!r}")
        return cls(str(task_id), obj["problem_description"], obj["ground_truth"], family, split)
