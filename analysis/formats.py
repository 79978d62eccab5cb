"""Record converters: one function per source format, each turning one raw record into schema rows.

The converters see plain dicts (from JSON, JSONL, CSV, Parquet or a Hugging Face dataset alike),
so every file type shares one path. A converter raises `MissingFields` naming what it needed;
the loader adds the file and line.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from analysis.errors import Errors
from analysis.schema import OPTIONAL_FIELDS, make_record

Raw = Mapping[str, Any]


class MissingFields(Exception):
    def __init__(self, missing: list[str], found: list[str]):
        self.missing = missing
        self.found = found
        super().__init__(f"missing {missing}, found {found}")


class BadValue(Exception):
    """A field is present but of the wrong shape (e.g. `instances` not a list)."""


def _require(raw: Raw, *names: str) -> None:
    missing = [name for name in names if name not in raw]
    if missing:
        raise MissingFields(missing, sorted(raw))


def _optional(raw: Raw) -> dict[str, Any]:
    """Carry the optional schema fields a record already has (e.g. a generated dataset).

    `metadata` is not among them: `_extra_metadata` merges it with the record's extra fields.
    """
    optional = {
        name: raw[name]
        for name in OPTIONAL_FIELDS
        if name != "metadata" and raw.get(name) is not None
    }
    if "is_classification" in optional:
        optional["is_classification"] = parse_flag("is_classification", raw["is_classification"])
    return optional


_TRUE, _FALSE = {"true", "yes", "1"}, {"false", "no", "0"}


def parse_flag(field: str, value: Any) -> bool | None:
    """A yes/no field as JSON (true, 1) or CSV ("True", "yes") writes it; anything else is an
    error, never silently true."""
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text == "":
        return None
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise BadValue(Errors.E045.format(field=field, value=value))


def _extra_metadata(raw: Raw, used: set[str]) -> dict[str, Any] | None:
    extra = {k: v for k, v in raw.items() if k not in used and k not in OPTIONAL_FIELDS}
    meta = dict(raw.get("metadata") or {})
    meta.update(extra)
    return meta or None


def _record_id(raw: Raw, index: int) -> str:
    for key in ("id", "question_id", "idx"):
        if raw.get(key) is not None:
            return str(raw[key])
    return str(index)


def alpaca(raw: Raw, index: int) -> Iterator[dict[str, Any]]:
    _require(raw, "instruction")
    used = {"id", "instruction", "input", "output"}
    yield make_record(
        id=_record_id(raw, index),
        instruction=raw["instruction"],
        input=raw.get("input") or "",
        output=raw.get("output") or "",
        metadata=_extra_metadata(raw, used),
        **_optional(raw),
    )


def self_instruct_tasks(raw: Raw, index: int) -> Iterator[dict[str, Any]]:
    """One row per instance; the task id and is_classification kept on every row."""
    _require(raw, "instruction", "instances")
    instances = raw["instances"]
    if not isinstance(instances, list):
        raise BadValue(f"`instances` must be a list, found {type(instances).__name__}")
    task_id = str(raw.get("id", index))
    used = {"id", "instruction", "instances", "is_classification"}
    meta = _extra_metadata(raw, used)
    for number, instance in enumerate(instances):
        if not isinstance(instance, Mapping):
            raise BadValue(f"instance {number} must be an object, found {type(instance).__name__}")
        optional = _optional(raw)
        optional.setdefault("task_id", task_id)
        yield make_record(
            id=f"{task_id}/{number}",
            instruction=raw["instruction"],
            input=instance.get("input") or "",
            output=instance.get("output") or "",
            metadata=meta,
            **optional,
        )


def predictions(raw: Raw, index: int) -> Iterator[dict[str, Any]]:
    """Self-Instruct prediction files: output = response, reference = target."""
    _require(raw, "instruction", "response")
    used = {"id", "instruction", "input", "response", "target", "prompt"}
    optional = _optional(raw)
    if raw.get("target") is not None:
        optional["reference"] = raw["target"]
    meta = _extra_metadata(raw, used) or {}
    if raw.get("prompt") is not None:
        meta["prompt"] = raw["prompt"]
    yield make_record(
        id=_record_id(raw, index),
        instruction=str(raw["instruction"]).strip(),
        input=raw.get("input") or "",
        output=str(raw["response"]).strip(),
        metadata=meta or None,
        **optional,
    )


_USER_ROLES = {"user", "human"}
_ASSISTANT_ROLES = {"assistant", "gpt", "bot", "model", "chatgpt"}


def chat(raw: Raw, index: int) -> Iterator[dict[str, Any]]:
    """OpenAI `messages` or ShareGPT `conversations`: first user turn, then the assistant turn."""
    key = "messages" if "messages" in raw else "conversations"
    _require(raw, key)
    turns = raw[key]
    if not isinstance(turns, list):
        raise BadValue(f"`{key}` must be a list of turns, found {type(turns).__name__}")
    normalized = []
    for number, turn in enumerate(turns):
        if not isinstance(turn, Mapping):
            raise BadValue(f"turn {number} of `{key}` must be an object")
        role = turn.get("role", turn.get("from"))
        content = turn.get("content", turn.get("value"))
        if role is None or content is None:
            raise BadValue(
                f"turn {number} of `{key}` needs role/content (or from/value), found {sorted(turn)}"
            )
        normalized.append(
            (str(role).lower(), content if isinstance(content, str) else str(content))
        )
    user_at = next((i for i, (role, _) in enumerate(normalized) if role in _USER_ROLES), None)
    if user_at is None:
        raise BadValue(f"`{key}` has no user turn")
    output = ""
    if user_at + 1 < len(normalized) and normalized[user_at + 1][0] in _ASSISTANT_ROLES:
        output = normalized[user_at + 1][1]
    meta = _extra_metadata(raw, {"id", key}) or {}
    system = [content for role, content in normalized[:user_at] if role == "system"]
    if system:
        meta["system"] = system[0]
    if len(normalized) > user_at + 2:
        meta["turns"] = len(normalized)
    yield make_record(
        id=_record_id(raw, index),
        instruction=normalized[user_at][1],
        output=output,
        metadata=meta or None,
        **_optional(raw),
    )


_INPUT_MARKERS = ("\n\nInput:", "\nInput:")
_OUTPUT_MARKERS = ("\n\nOutput:", "\nOutput:", "Output:")


def split_prompt(prompt: str) -> tuple[str, str]:
    """Split a fine-tuning prompt "instruction[\\n\\nInput: x]\\n\\nOutput:" into (instruction, input)."""
    text = prompt
    for marker in _OUTPUT_MARKERS:
        if text.rstrip().endswith(marker.strip()):
            text = text.rstrip()[: -len(marker.strip())]
            break
    for marker in _INPUT_MARKERS:
        if marker in text:
            instruction, _, given = text.partition(marker)
            return instruction.strip(), given.strip()
    return text.strip(), ""


def prompt_completion(raw: Raw, index: int) -> Iterator[dict[str, Any]]:
    """Legacy fine-tuning records (the Self-Instruct hub format): prompt = instruction + input."""
    _require(raw, "prompt", "completion")
    instruction, given = split_prompt(str(raw["prompt"]))
    meta = _extra_metadata(raw, {"id", "prompt", "completion"}) or {}
    meta["prompt"] = raw["prompt"]
    yield make_record(
        id=_record_id(raw, index),
        instruction=instruction,
        input=given,
        output=str(raw["completion"]).strip(),
        metadata=meta,
        **_optional(raw),
    )


def questions(raw: Raw, index: int) -> Iterator[dict[str, Any]]:
    """Question lists (Vicuna / MT-bench style): `text` or `question` is the instruction; an
    answer, where there is one, is the output (see `with_output_alias`)."""
    key = "text" if "text" in raw else "question"
    _require(raw, key)
    yield make_record(
        id=_record_id(raw, index),
        instruction=raw[key],
        output=raw.get("output") or "",
        metadata=_extra_metadata(raw, {"id", "question_id", key, "category", "output"}),
        **{**_optional(raw), **({"category": raw["category"]} if raw.get("category") else {})},
    )


Converter = Callable[[Raw, int], Iterator[dict[str, Any]]]

#: Format name -> converter. The order of DETECTION_RULES decides auto-detection.
CONVERTERS: dict[str, Converter] = {
    "alpaca": alpaca,
    "self_instruct_tasks": self_instruct_tasks,
    "predictions": predictions,
    "chat": chat,
    "prompt_completion": prompt_completion,
    "questions": questions,
}

DETECTION_RULES: tuple[tuple[str, Callable[[Raw], bool]], ...] = (
    ("self_instruct_tasks", lambda r: "instances" in r),
    ("predictions", lambda r: "response" in r and "instruction" in r),
    ("chat", lambda r: "messages" in r or "conversations" in r),
    ("prompt_completion", lambda r: "prompt" in r and "completion" in r),
    ("alpaca", lambda r: "instruction" in r),
    ("questions", lambda r: "text" in r or "question" in r),
)


#: Where a format reads its output, other common names for it. One of them present (and no
#: `output`) is unambiguous and read as the output; several are left aside with a warning.
OUTPUT_ALIASES: tuple[str, ...] = ("answer", "response", "completion", "target", "answer_text")
_ALIASED_FORMATS = frozenset({"alpaca", "questions"})
_ID_KEYS = frozenset({"id", "question_id", "idx"})

#: The source fields each format reads (the optional schema fields are read by all), plus the
#: fields it keeps in metadata on purpose (known parts of that format, not worth a warning).
FIELDS_READ: dict[str, frozenset[str]] = {
    "alpaca": frozenset({"instruction", "input", "output"}),
    "self_instruct_tasks": frozenset(
        {"instruction", "instances", "is_classification", "name", "motivation_app"}
    ),
    "predictions": frozenset({"instruction", "input", "response", "target", "prompt"}),
    "chat": frozenset({"messages", "conversations"}),
    "prompt_completion": frozenset({"prompt", "completion"}),
    "questions": frozenset({"text", "question", "output"}),
}


def fields_read(format: str) -> frozenset[str]:
    return FIELDS_READ[format] | _ID_KEYS | frozenset(OPTIONAL_FIELDS)


def with_output_alias(raw: Raw, format: str) -> Raw:
    """`{question, answer}` and the like: read the one answer field as the output."""
    if format not in _ALIASED_FORMATS or "output" in raw:
        return raw
    present = [name for name in OUTPUT_ALIASES if name in raw]
    if len(present) != 1:
        return raw
    renamed = {k: v for k, v in raw.items() if k != present[0]}
    renamed["output"] = raw[present[0]]
    return renamed


def detect_format(raw: Raw) -> str | None:
    for name, matches in DETECTION_RULES:
        if matches(raw):
            return name
    return None


def apply_mapping(raw: Raw, mapping: Mapping[str, str] | None) -> Raw:
    """Rename source columns to schema names: mapping is {schema_field: source_column}."""
    if not mapping:
        return raw
    renamed = {k: v for k, v in raw.items() if k not in mapping.values()}
    for field, column in mapping.items():
        if column in raw:
            renamed[field] = raw[column]
    return renamed


def parse_metadata(value: Any) -> Any:
    """Metadata read back from CSV arrives as a JSON string."""
    if isinstance(value, str) and value.startswith("{"):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value
