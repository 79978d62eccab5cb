"""Comparison data from single-answer grades: GPT-4-LLM's layout and TRL reward-model pairs.

- comparison_data_v2.json, GPT-4-LLM's `comparison_data_v2` layout: one entry per question,
  `{"user_input": question, "responses_and_scores": [{"response", "score"}, ...]}`, the
  responses in the answer sets' order, those without a score left out;
- reward_pairs.jsonl, TRL's RewardTrainer preference format with an explicit prompt, in its
  conversational form (TRL applies the model's chat template): `{"prompt": [user message],
  "chosen": [assistant message], "rejected": [assistant message], "margin": score difference}`;
  `margin` is the column TRL's RewardTrainer subtracts inside its loss when present. Every pair
  of a question's responses gives one row, the better-scored one chosen; ties, and pairs with a
  response that has no score (unparsed verdict or failed request), are left out and counted.
Both are pure functions of the judgment rows and the answers; `write_exports` writes them from
a run folder, so they can be written again (`python -m generation export-pairs DIR`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import combinations
from pathlib import Path

from analysis.errors import Errors, WorkbenchError
from generation import run_files
from generation.judge import run_folder as rf
from generation.judge.steps import SINGLE

Answers = Mapping[tuple[str, str], str]  # (question_id, model) -> response


def _by_question(rows: Iterable[dict]) -> dict[str, list[dict]]:
    """Single-mode rows grouped by question, in first-seen order; other modes are refused."""
    grouped: dict[str, list[dict]] = {}
    for row in rows:
        if row["mode"] != SINGLE:
            raise WorkbenchError(Errors.E094.format(mode=row["mode"]))
        grouped.setdefault(row["question_id"], []).append(row)
    return grouped


def _score(row: dict) -> int | float | None:
    return row["scores"][0] if row["parsed"] and row["scores"] else None


def comparison_data(rows: Sequence[dict], answers: Answers) -> tuple[list[dict], dict]:
    """GPT-4-LLM's comparison data and what it holds and leaves out."""
    entries, counts = [], {"questions": 0, "responses": 0, "unscored_left_out": 0}
    for question_id, judged in _by_question(rows).items():
        scored = [
            {"response": answers[(question_id, row["models"][0])], "score": _score(row)}
            for row in judged
            if _score(row) is not None
        ]
        counts["unscored_left_out"] += len(judged) - len(scored)
        if scored:
            entries.append({"user_input": judged[0]["question"], "responses_and_scores": scored})
            counts["questions"] += 1
            counts["responses"] += len(scored)
    return entries, counts


def _message(role: str, content: str) -> list[dict[str, str]]:
    return [{"role": role, "content": content}]


def reward_pairs(rows: Sequence[dict], answers: Answers) -> tuple[list[dict], dict]:
    """TRL reward-trainer pairs and what they leave out (ties, responses without a score)."""
    pairs, counts = [], {"pairs": 0, "ties_left_out": 0, "unscored_left_out": 0}
    for question_id, judged in _by_question(rows).items():
        for first, second in combinations(judged, 2):
            scores = _score(first), _score(second)
            if None in scores:
                counts["unscored_left_out"] += 1
                continue
            if scores[0] == scores[1]:
                counts["ties_left_out"] += 1
                continue
            chosen, rejected = (first, second) if scores[0] > scores[1] else (second, first)
            pairs.append(
                {
                    "prompt": _message("user", first["question"]),
                    "chosen": _message("assistant", answers[(question_id, chosen["models"][0])]),
                    "rejected": _message(
                        "assistant", answers[(question_id, rejected["models"][0])]
                    ),
                    "margin": abs(scores[0] - scores[1]),
                }
            )
            counts["pairs"] += 1
    return pairs, counts


def answers_of(aligned_rows: Iterable[dict]) -> dict[tuple[str, str], str]:
    """(question_id, model) -> response, from aligned.jsonl."""
    return {
        (row["question_id"], model): text
        for row in aligned_rows
        for model, text in row["answers"].items()
    }


def require_judge_folder(out_dir: Path) -> None:
    """Refuse a folder that lacks what the exports are made from."""
    for name in (rf.JUDGMENTS_FILE, rf.ALIGNED_FILE):
        if not (out_dir / name).is_file():
            raise WorkbenchError(Errors.E096.format(folder=out_dir, file=name))


def write_exports(out_dir: str | Path) -> dict:
    """Write both exports from a run folder's judgments.jsonl and aligned.jsonl; returns what
    they hold and leave out, as the manifest records it under counts.exports."""
    out_dir = Path(out_dir)
    require_judge_folder(out_dir)
    rows = run_files.read_jsonl(out_dir / rf.JUDGMENTS_FILE)
    answers = answers_of(run_files.read_jsonl(out_dir / rf.ALIGNED_FILE))
    entries, comparison_counts = comparison_data(rows, answers)
    pairs, pair_counts = reward_pairs(rows, answers)
    run_files.write_json(out_dir / rf.COMPARISON_FILE, entries)
    run_files.write_jsonl(out_dir / rf.PAIRS_FILE, pairs)
    return {
        rf.COMPARISON_FILE: comparison_counts,
        rf.PAIRS_FILE: pair_counts,
    }


def exports_lines(counts: dict) -> list[str]:
    """What the exports hold and leave out, one line each (the CLI prints them)."""
    comparison, pairs = counts[rf.COMPARISON_FILE], counts[rf.PAIRS_FILE]
    return [
        f"{rf.COMPARISON_FILE}: {comparison['questions']} question(s), "
        f"{comparison['responses']} scored response(s); left out: "
        f"{comparison['unscored_left_out']} response(s) without a score",
        f"{rf.PAIRS_FILE}: {pairs['pairs']} pair(s); left out: {pairs['ties_left_out']} tie(s), "
        f"{pairs['unscored_left_out']} pair(s) with a response without a score",
    ]
