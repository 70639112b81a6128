"""Prompt rendering and tokenization shared by the policy and critic services.

Chats are rendered with the served model's own chat template (the text form, so
the exact prompt can be returned and stored as a turn's "input"), then tokenized
without adding special tokens again: the template already wrote them. Raw text is
tokenized as is, with whatever the tokenizer adds by itself.

Continuations (scored assistant turns, critic candidates) are tokenized on their
own and appended to the context's tokens, so the token boundaries are those the
trainers' masks use, not those a joint tokenization would produce.

What this module does NOT do: escape special-token strings inside message text
(like vLLM's chat endpoint, ``<|im_end|>`` typed by a user is the special token),
or render images (only text models are served; images are refused upstream).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sweetrl.errors import InvalidInput

Role = Literal["system", "user", "assistant"]

_PROBE = "\x00sweet-probe\x00"  # content no template transforms


@dataclass(frozen=True)
class Message:
    """One chat message (the domain form of the API's ChatMessage)."""

    role: Role
    content: str
    images: tuple[bytes, ...] = ()


@dataclass(frozen=True)
class Prompt:
    """What the model continues: raw `text`, or a chat when `messages` is not None."""

    text: str = ""
    messages: tuple[Message, ...] | None = None

    @property
    def is_chat(self) -> bool:
        return self.messages is not None


def has_chat_template(tokenizer: Any) -> bool:
    return bool(getattr(tokenizer, "chat_template", None))


def render_chat(tokenizer: Any, messages: Sequence[Message], *,
                add_generation_prompt: bool = True, where: str = "chat") -> str:
    """The chat as the model sees it, with the template's generation prompt appended.

    Raises:
        InvalidInput: the model has no chat template, or the template rejects the
            messages (e.g. a role order it does not support).
    """
    if not has_chat_template(tokenizer):
        raise InvalidInput(f"{where}: the served model has no chat template; send raw text")
    try:
        return tokenizer.apply_chat_template(
            [{"role": m.role, "content": m.content} for m in messages],
            tokenize=False, add_generation_prompt=add_generation_prompt)
    except Exception as exc:  # jinja's TemplateError and what templates raise on purpose
        raise InvalidInput(f"{where}: the model's chat template rejected the messages: "
                           f"{str(exc)[:200]}") from None


def encode(tokenizer: Any, text: str, *, add_special_tokens: bool) -> tuple[int, ...]:
    """Token ids of `text`."""
    return tuple(tokenizer(text, add_special_tokens=add_special_tokens)["input_ids"])


def encode_prompt(tokenizer: Any, prompt: Prompt, where: str = "prompt") -> tuple[str, tuple[int, ...]]:
    """``(rendered text, token ids)`` of a raw or chat prompt (generation prompt appended)."""
    if prompt.is_chat:
        rendered = render_chat(tokenizer, prompt.messages or (), where=where)
        return rendered, encode(tokenizer, rendered, add_special_tokens=False)
    return prompt.text, encode(tokenizer, prompt.text, add_special_tokens=True)


def end_of_turn_ids(tokenizer: Any) -> tuple[int, ...]:
    """The token(s) the chat template writes after an assistant message's content.

    Found by rendering a probe chat with and without a probe assistant message: what
    follows the probe content, cut after the first special token (``<|im_end|>`` for
    ChatML, ``<|eot_id|>`` for Llama 3), so the newline some templates add between
    turns is not scored. Without a special token there, the whole suffix minus
    trailing whitespace. Empty when the template writes nothing after the content.
    """
    user = Message("user", "hi")
    prefix = render_chat(tokenizer, [user], add_generation_prompt=True)
    full = render_chat(tokenizer, [user, Message("assistant", _PROBE)],
                       add_generation_prompt=False)
    at = full.find(_PROBE, len(prefix) if full.startswith(prefix) else 0)
    if at < 0:
        return ()
    suffix = full[at + len(_PROBE):]
    ids = encode(tokenizer, suffix, add_special_tokens=False)
    special = set(getattr(tokenizer, "all_special_ids", ()) or ())
    for i, token in enumerate(ids):
        if token in special:
            return ids[:i + 1]
    return encode(tokenizer, suffix.rstrip(), add_special_tokens=False)


def encode_continuation(tokenizer: Any, text: str, eot: Sequence[int] = ()) -> tuple[int, ...]:
    """Token ids of a continuation tokenized on its own, plus `eot` when given."""
    ids = encode(tokenizer, text, add_special_tokens=False) if text else ()
    return (*ids, *eot)


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))
