"""aligned.jsonl (what the run judges) and manifest.json (what made the judgments, what they
hold), as the judge run-folder contract writes them."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from generation import run_files
from generation.judge import run_folder as rf
from generation.judge.answers import AlignedQuestion, Inputs
from generation.judge.state import JudgeState
from generation.self_instruct.records import package_versions

KIND = "judge run"


def aligned_rows(items: Sequence[AlignedQuestion], names: Sequence[str]) -> list[dict]:
    """One row per judged question: the question and every answer set's answer."""
    return [
        {
            "question_id": item.question.question_id,
            "category": item.question.category,
            "question": item.question.text,
            "reference": item.question.reference,
            "answers": dict(zip(names, item.answers, strict=True)),
        }
        for item in items
    ]


def verdict_counts(rows: Sequence[dict], state: JudgeState, inputs: Inputs) -> dict:
    """What the rows hold: requests, verdicts found, failures, and the questions judged (of
    those every answer set answers) and left out (some set does not answer them)."""
    return {
        "requests": state.total,
        "judged": state.committed,
        "parsed": state.parsed,
        "unparsed": state.unparsed,
        "failed": state.failed,
        "truncated": state.truncated,
        "reference_guided": sum(row["reference"] for row in rows),
        "questions": state.questions,
        "questions_unaligned": inputs.alignment.unaligned,
    }


@dataclass(frozen=True)
class Provenance:
    """What the pipeline knows of its judge: model, backend, endpoint, decoding, templates."""

    judge_model: str
    backend: str
    endpoint: str
    decoding: dict
    templates: dict[str, dict]


def write_manifest(
    out_dir: Path,
    config: rf.JudgeConfig,
    provenance: Provenance,
    inputs: Inputs,
    state: JudgeState,
    counts: dict,
) -> dict:
    manifest = {
        "kind": KIND,
        "pipeline": config.pipeline,
        "mode": config.mode,
        "judge_model": provenance.judge_model,
        "served_model": state.served_model,
        "backend": provenance.backend,
        "endpoint": provenance.endpoint,
        "decoding": provenance.decoding,
        "templates": provenance.templates,
        "answers": [
            {"name": s.name, "source": s.source, "fingerprint": s.fingerprint} for s in inputs.sets
        ],
        "questions": {
            "source": inputs.questions_source,
            "fingerprint": inputs.questions_fingerprint,
            "count": inputs.questions_count,
        },
        "aligned_on": inputs.alignment.on,
        "reference_model": config.reference_model,
        "limit": config.limit,
        "status": state.status,
        "counts": counts,
        "usage": {**state.total_usage().to_dict(), "tokens": state.total_usage().total_tokens},
        "timings_s": {"total": round(state.seconds, 3)},
        "sessions": state.sessions,
        "error": state.error,
        "packages": package_versions(),
        "created_at": state.started_at,
        "updated_at": time.time(),
    }
    run_files.write_json(Path(out_dir) / rf.MANIFEST_FILE, manifest)
    return manifest
