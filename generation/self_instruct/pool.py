"""The pool new candidates are judged against, and the judgement itself.

The pool is the seed instructions plus every instruction kept so far, behind analysis.rouge's
incremental ROUGE-L filter (the exact rouge_score F-measure, indexed once per text). A
candidate's verdict is the first filter it fails, in the papers' order, then the novelty
check; every candidate gets its max ROUGE-L and nearest instruction, rejected or not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from analysis.rouge import IncrementalRougeFilter
from generation.self_instruct import filters


@dataclass(frozen=True)
class Candidate:
    instruction: str
    input: str = ""
    output: str = ""
    mark: str | None = None  # set by the parser: malformed, or cut by the length limit


@dataclass(frozen=True)
class Rules:
    """How a run judges: its blacklist, whether non-ASCII starts are allowed, its target, and
    whether a reply cut by the length limit loses all its candidates (Self-Instruct) or only
    its last one (Alpaca, where the parser marks it)."""

    blacklist: Sequence[str]
    multilingual: bool
    target: int
    whole_reply: bool


@dataclass
class Pool:
    rouge: IncrementalRougeFilter
    kept_rows: list[dict] = field(default_factory=list)

    def keep(self, row: dict) -> None:
        self.kept_rows.append(row)
        self.rouge.add(row["instruction"])

    def machine_instructions(self) -> list[str]:
        return [row["instruction"] for row in self.kept_rows]

    def judge(self, candidate: Candidate, truncated: bool, rules: Rules) -> dict:
        """The candidate's row for candidates.jsonl; a kept one joins the pool."""
        reason, detail = None, ""
        if candidate.mark == filters.MALFORMED:
            reason = filters.MALFORMED
        elif candidate.mark == filters.CUT_BY_LENGTH or (rules.whole_reply and truncated):
            reason = filters.TRUNCATED
        else:
            rejection = filters.instruction_rejection(
                candidate.instruction, rules.blacklist, rules.multilingual
            )
            if rejection:
                reason, detail = rejection
        score, _, nearest = self.rouge.check(candidate.instruction)
        if reason is None and not self.rouge.is_novel(score):
            reason = filters.TOO_SIMILAR
        if reason is None and len(self.kept_rows) >= rules.target:
            reason = filters.SURPLUS
        row = {
            "instruction": candidate.instruction,
            "input": candidate.input,
            "output": candidate.output,
            "verdict": filters.KEPT if reason is None else "rejected",
            "reason": reason or filters.KEPT,
            "detail": detail,
            "max_rougeL": score,
            "nearest": nearest,
            "task_id": None,
        }
        if reason is None:
            row["task_id"] = f"task_{len(self.kept_rows):05d}"
            self.keep(row)
        return row
