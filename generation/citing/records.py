"""From sampled rows and replies to a round's records, its SFT exports and the manifest.

A round's revisions.jsonl keeps everything about each sampled instruction: its category and how
it got it, the criteria, the student's answer and the teacher's revision and rationale with
their whole replies and finish reasons, and the outcome. Only revised rows go into the
round's dataset.jsonl, alpaca.json and chat.jsonl: a reply the parser refused, a revision cut
by the length limit or a failed request is counted and shown, never trained on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from analysis.schema import make_record
from generation import run_files
from generation.answer.steps import Answer
from generation.citing import run_folder as rf
from generation.citing.steps import Category, Revise, Unparsed
from generation.client import Result
from generation.self_instruct.export import alpaca_records, chat_records

REVISED = "revised"
UNCATEGORIZED = "uncategorized"  # no category: not answered this round
STUDENT_FAILED = "student_failed"  # the student's request failed
STUDENT_EMPTY = "student_empty"  # the student's reply held no answer
TEACHER_FAILED = "teacher_failed"  # the revision request failed
UNPARSED = "unparsed"  # the revision reply is not the two sections
REVISION_TRUNCATED = "revision_truncated"  # the revision was cut by the length limit
#: A revised record's detail when its reply ran on past the rationale (ignored) to the limit.
KEPT_CUT = "kept: the reply went on after its rationale until the length limit (ignored)"
OUTCOMES = (
    REVISED,
    UNPARSED,
    REVISION_TRUNCATED,
    TEACHER_FAILED,
    STUDENT_EMPTY,
    STUDENT_FAILED,
    UNCATEGORIZED,
)
OUTCOME_WORDS = {
    REVISED: "revised",
    UNPARSED: "revision reply not parsed",
    REVISION_TRUNCATED: "revision cut by the length limit",
    TEACHER_FAILED: "revision request failed",
    STUDENT_EMPTY: "empty student answer",
    STUDENT_FAILED: "student request failed",
    UNCATEGORIZED: "no category",
}


def new_record(
    position: int,
    row: dict,
    category: Category | None,
    assigned_by: str | None,
    margin: float | None = None,
) -> dict[str, Any]:
    return {
        "position": position,
        "id": row["id"],
        "instruction": row["instruction"],
        "input": row["input"] or "",
        "category": category.name if category else None,
        "assigned_by": assigned_by,
        "margin": margin,
        "criteria": list(category.criteria) if category else None,
        "student_answer": None,
        "student_reply": None,
        "student_finish_reason": None,
        "student_model": None,
        "revision": None,
        "rationale": None,
        "revision_reply": None,
        "revision_finish_reason": None,
        "teacher_model": None,
        "outcome": None if category else UNCATEGORIZED,
        "detail": None if category else "no category lists it and none was assigned",
    }


def student_answered(record: dict, result: Result, step: Answer) -> dict:
    """The record with the student's answer, or the outcome that says why it has none."""
    if not result.ok:
        return _end(record, STUDENT_FAILED, result.cause)
    answer = step.format_output(result.text, record["input"])
    record.update(
        student_reply=result.text,
        student_answer=answer,
        student_finish_reason=result.finish_reason,
        student_model=result.model,
    )
    if answer is None:
        return _end(record, STUDENT_EMPTY, f"the reply holds no answer ({result.finish_reason})")
    return record


def revised(record: dict, result: Result, step: Revise) -> dict:
    """The record with the teacher's revision and rationale, or why it has none."""
    if not result.ok:
        return _end(record, TEACHER_FAILED, result.cause)
    record.update(
        revision_reply=result.text,
        revision_finish_reason=result.finish_reason,
        teacher_model=result.model,
    )
    try:
        record["revision"], record["rationale"] = step.format_output(
            result.text, cut=result.truncated
        )
    except Unparsed as why:
        outcome = REVISION_TRUNCATED if result.truncated else UNPARSED
        return _end(record, outcome, str(why))
    record["outcome"] = REVISED
    if result.truncated:
        record["detail"] = KEPT_CUT
    return record


def _end(record: dict, outcome: str, detail: str) -> dict:
    record.update(outcome=outcome, detail=detail)
    return record


def outcome_counts(records: Sequence[dict]) -> dict[str, int]:
    counts = Counter(record["outcome"] for record in records)
    return {outcome: counts[outcome] for outcome in OUTCOMES if counts[outcome]}


def _revised(records: Sequence[dict]) -> list[dict]:
    return [record for record in records if record["outcome"] == REVISED]


def dataset_row(record: dict, source_name: str, number: int) -> dict[str, Any]:
    return make_record(
        id=record["id"],
        instruction=record["instruction"],
        input=record["input"],
        output=record["revision"],
        metadata={
            "citing_round": number,
            "rationale": record["rationale"],
            "student_answer": record["student_answer"],
            "assigned_by": record["assigned_by"],
        },
        source=source_name,
        model=record["teacher_model"],
        category=record["category"],
    )


def write_round(out_dir: Path, number: int, records: Sequence[dict], source_name: str) -> Path:
    """A round's files: revisions.jsonl, and the revisions as dataset.jsonl, Alpaca JSON and
    chat JSONL."""
    folder = rf.round_dir(out_dir, number)
    folder.mkdir(parents=True, exist_ok=True)
    kept = _revised(records)
    triples = [(r["instruction"], r["input"], r["revision"]) for r in kept]
    run_files.write_jsonl(folder / rf.REVISIONS_FILE, records)
    run_files.write_jsonl(
        folder / rf.DATASET_FILE, (dataset_row(r, source_name, number) for r in kept)
    )
    run_files.write_json(folder / rf.ALPACA_FILE, alpaca_records(triples))
    run_files.write_jsonl(folder / rf.CHAT_FILE, chat_records(triples))
    return folder


def read_round(out_dir: Path, number: int) -> list[dict]:
    return run_files.read_jsonl(rf.round_dir(out_dir, number) / rf.REVISIONS_FILE)
