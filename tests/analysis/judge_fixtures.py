"""Hand-made judge run folders (tests/analysis/fixtures/judge/, written to the run-folder
contract) and verdict rows built in code for the cases a fixture folder does not show."""

from __future__ import annotations

import json
from pathlib import Path

from analysis.paths import GPT4_LLM_SCORES_PATH

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "judge"
SINGLE = FIXTURES / "single"
PAIRWISE = FIXTURES / "pairwise"
TWO_SCORE = FIXTURES / "two_score"
SCORE_FILE = GPT4_LLM_SCORES_PATH


def verdict(question_id, models, order="original", **fields) -> dict:
    """A judgments.jsonl row as the contract spells it; `fields` override the defaults."""
    mode = fields.pop("mode", "single" if len(models) == 1 else "pairwise")
    parsed = fields.pop("parsed", True)
    row = {
        "question_id": question_id,
        "category": None,
        "question": f"question {question_id}",
        "mode": mode,
        "models": list(models),
        "order": order,
        "reference": False,
        "raw": "judge reply",
        "finish_reason": "stop",
        "failure": None,
        "parsed": parsed,
        "scores": None,
        "winner": None,
        "judge_model": "judge",
        "template_sha256": "0" * 64,
    }
    row.update(fields)
    return row


def write_run(folder: Path, rows: list[dict], manifest: dict | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = "".join(json.dumps(row) + "\n" for row in rows)
    (folder / "judgments.jsonl").write_text(lines, encoding="utf-8")
    if manifest is not None:
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def pairwise_rows(plan: dict[str, tuple[str | None, str | None]]) -> list[dict]:
    """question -> (winner in the original order, winner in the swapped order) of alpaca
    (shown first in the original order) vs vicuna; None: that order did not parse."""
    rows = []
    for question_id, winners in plan.items():
        for order, models, winner in zip(
            ("original", "swapped"),
            (["alpaca", "vicuna"], ["vicuna", "alpaca"]),
            winners,
            strict=True,
        ):
            rows.append(
                verdict(question_id, models, order, parsed=winner is not None, winner=winner)
            )
    return rows
