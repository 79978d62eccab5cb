"""From source rows and replies to records, the dataset, the failures and the manifest.

records.jsonl keeps everything about each source row (the original, each translation with its
reply and finish reason, the prompt's role, the raw answer, the failure and its cause).
dataset.jsonl holds the answered rows in the record schema under their source rows' ids, so
every page reads it like any dataset and the Compare models page sets the teacher's answers
beside the original ones. A row without an answer is left out of dataset.jsonl, never given an
empty output that the statistics would count: it is in failures.jsonl with its cause, and the
manifest counts it, so nothing is lost silently (GPT-4-LLM's Chinese file has 48,818 rows for
52,002 instructions and says nothing of the others).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.compare import ORIGINAL_TEXTS
from analysis.schema import make_record
from generation import run_files
from generation.answer import run_folder as rf
from generation.answer.state import AnswerState
from generation.answer.steps import ZH, Answer, Translation
from generation.client import Result
from generation.self_instruct.records import package_versions

ANSWERED = "answered"
TRUNCATED = "truncated"
FAILED = "failed"

#: Why a row has no answer.
TRANSLATION_FAILED = "translation_failed"  # a translation request failed
TRANSLATION_TRUNCATED = "translation_truncated"  # a translation was cut by the length limit
TRANSLATION_EMPTY = "translation_empty"  # a translation reply held no text
ANSWER_FAILED = "answer_failed"  # the answer request failed
ANSWER_EMPTY = "answer_empty"  # the answer reply held no text
CAUSES = (TRANSLATION_FAILED, TRANSLATION_TRUNCATED, TRANSLATION_EMPTY, ANSWER_FAILED, ANSWER_EMPTY)
#: Failed requests are asked again when the run is rerun; a reply (cut, empty) is not: the
#: reply cache would give the same one.
RETRIED = frozenset({TRANSLATION_FAILED, ANSWER_FAILED})
CAUSE_WORDS = {
    TRANSLATION_FAILED: "translation request failed",
    TRANSLATION_TRUNCATED: "translation cut by the length limit",
    TRANSLATION_EMPTY: "empty translation",
    ANSWER_FAILED: "answer request failed",
    ANSWER_EMPTY: "empty answer",
}

#: Source-row fields a record carries, so the dataset is built from records.jsonl alone.
_CARRIED = ("task_id", "is_classification", "category")
FAILURE_COLUMNS = ("row", "id", "failure", "detail", "instruction", "input")


def source_rows(frame: pd.DataFrame, total: int) -> list[dict[str, Any]]:
    """The first `total` rows of a loaded dataset as plain dicts (missing values None)."""
    head = frame.head(total).astype(object)
    return head.where(head.notna(), None).to_dict(orient="records")


def new_record(position: int, row: dict, lang: str, chunk: int) -> dict[str, Any]:
    """A source row's record before any reply: what the row is and where it came from."""
    return {
        "position": position,
        "chunk": chunk,
        "id": row["id"],
        "lang": lang,
        "instruction": row["instruction"],
        "input": row["input"],
        "original_output": row["output"],
        "original_model": row.get("model"),
        "reference": row.get("reference"),
        "source_lang": row.get("lang"),
        **{name: row.get(name) for name in _CARRIED},
        "translation": None,
        "prompt_role": None,
        "answer": None,
        "reply": None,
        "finish_reason": None,
        "truncated": False,
        "model": None,
        "outcome": None,
        "failure": None,
        "detail": None,
    }


def translation_entry(result: Result, step: Translation, source: str) -> dict[str, Any]:
    """One translation as a record keeps it: the parsed text, the whole reply, its finish
    reason, or the failed request's cause."""
    if not result.ok:
        return {"text": None, "reply": None, "finish_reason": None, "failure": result.cause}
    return {
        "text": step.format_output(result.text, source),
        "reply": result.text,
        "finish_reason": result.finish_reason,
        "failure": None,
    }


def translation_failure(translation: dict[str, dict | None]) -> tuple[str, str] | None:
    """(cause, detail) when a field's translation cannot be answered, else None."""
    for field, entry in translation.items():
        if entry is None:
            continue
        if entry["failure"] is not None:
            return TRANSLATION_FAILED, f"{field}: {entry['failure']}"
        if entry["finish_reason"] == "length":
            return TRANSLATION_TRUNCATED, f"{field}: cut by the length limit"
        if entry["text"] is None:
            return TRANSLATION_EMPTY, f"{field}: the reply holds no translation"
    return None


def question(record: dict) -> tuple[str, str]:
    """(instruction, input) as the teacher gets them: translated for Chinese."""
    if record["lang"] == ZH:
        translation = record["translation"]
        given = translation["input"]
        return translation["instruction"]["text"], given["text"] if given else ""
    return record["instruction"], record["input"]


def fail(record: dict, cause: str, detail: str) -> dict:
    record.update(outcome=FAILED, failure=cause, detail=detail)
    return record


def answered(record: dict, result: Result, step: Answer) -> dict:
    """The record with its answer, or with why it has none."""
    instruction, given = question(record)
    record["prompt_role"] = step.role(given)
    if not result.ok:
        return fail(record, ANSWER_FAILED, result.cause)
    text = step.format_output(result.text, given)
    record.update(
        reply=result.text,
        answer=text,
        finish_reason=result.finish_reason,
        truncated=result.truncated,
        model=result.model,
    )
    if text is None:
        return fail(record, ANSWER_EMPTY, f"the reply holds no answer ({result.finish_reason})")
    record["outcome"] = TRUNCATED if result.truncated else ANSWERED
    return record


def dataset_row(record: dict, source_name: str) -> dict[str, Any] | None:
    """The row dataset.jsonl holds for a record; None for a row without an answer.

    Chinese rows have the translated instruction and input, lang "zh", and the original texts
    in their metadata; the reference (the source's reference, else its output) is kept for
    English rows only, since ROUGE-L across languages measures nothing.
    """
    if record["outcome"] == FAILED:
        return None
    instruction, given = question(record)
    metadata = {
        "finish_reason": record["finish_reason"],
        "truncated": record["truncated"],
        "prompt_role": record["prompt_role"],
        "original_output": record["original_output"],
        "original_model": record["original_model"],
    }
    reference = None
    if record["lang"] == ZH:  # what Compare models aligns a translated row by
        metadata[ORIGINAL_TEXTS["instruction"]] = record["instruction"]
        metadata[ORIGINAL_TEXTS["input"]] = record["input"]
    else:
        reference = record["reference"] or record["original_output"] or None
    return make_record(
        id=record["id"],
        instruction=instruction,
        input=given,
        output=record["answer"],
        metadata=metadata,
        reference=reference,
        source=source_name,
        model=record["model"],
        lang=ZH if record["lang"] == ZH else record["source_lang"],
        **{name: record[name] for name in _CARRIED},
    )


def failure_row(record: dict) -> dict[str, Any] | None:
    if record["outcome"] != FAILED:
        return None
    return {
        "row": record["position"] + 1,
        "id": record["id"],
        "failure": record["failure"],
        "detail": record["detail"],
        "instruction": record["instruction"],
        "input": record["input"],
    }


def write_outputs(out_dir: Path, records: Sequence[dict], source_name: str) -> None:
    """records.jsonl (in source order), dataset.jsonl and failures.jsonl."""
    run_files.write_jsonl(out_dir / rf.RECORDS_FILE, records)
    run_files.write_jsonl(
        out_dir / rf.DATASET_FILE, _present(dataset_row(r, source_name) for r in records)
    )
    run_files.write_jsonl(out_dir / rf.FAILURES_FILE, _present(map(failure_row, records)))


def _present(rows: Iterable[dict | None]) -> Iterable[dict]:
    return (row for row in rows if row is not None)


def counts(state: AnswerState) -> dict[str, Any]:
    return {
        "rows": state.total,
        "answered": state.answered,
        "truncated": state.truncated,
        "failed": state.failures,
        "failed_by_cause": dict(sorted(state.failed.items(), key=lambda item: -item[1])),
        "in_dataset": state.answered + state.truncated,
    }


@dataclass(frozen=True)
class Provenance:
    """What made a run's data, as its manifest records it (the pipeline fills it in).

    source: {"name", "source", "fingerprint", "rows"}; templates: role -> Template.describe();
    decoding: {"answer": params, "translation": params (Chinese)}.
    """

    lang: str
    model: str
    backend: str
    endpoint: str
    api: str
    source: dict
    templates: dict[str, dict]
    decoding: dict[str, dict]
    settings: dict


def write_manifest(out_dir: Path, provenance: Provenance, state: AnswerState) -> dict:
    """manifest.json: what made this dataset (source, teacher, endpoint without credentials,
    prompts by hash, decoding, versions) and what it holds and cost."""
    total = state.total_usage()
    manifest = {
        "kind": "teacher answers run",
        "pipeline": rf.PIPELINE,
        "lang": provenance.lang,
        "model": provenance.model,
        "served_model": state.served_model,
        "backend": provenance.backend,
        "endpoint": provenance.endpoint,
        "api": provenance.api,
        "source": provenance.source,
        "templates": provenance.templates,
        "decoding": provenance.decoding,
        "settings": provenance.settings,
        "counts": counts(state),
        "usage": {
            "total": {**total.to_dict(), "tokens": total.total_tokens},
            "by_stage": {stage: counter.to_dict() for stage, counter in state.usage.items()},
        },
        "timings_s": {"total": round(state.seconds, 3)},
        "sessions": state.sessions,
        "packages": package_versions(),
        "started_at": state.started_at,
        "finished_at": time.time(),
    }
    run_files.write_json(out_dir / rf.MANIFEST_FILE, manifest)
    return manifest
