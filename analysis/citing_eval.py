"""CITING's evaluation as a table: per round and comparison, wins, ties, losses, unparsed
comparisons, flips, and the win rate with a Wilson 95% interval (the paper's rounds ablation).

Each comparison is a pairwise judge run folder (both orders; analysis.judge_runs reads it)
whose first answer set is the candidate (the revision, or round r's student) and whose second
is the baseline (the student's original answer, or round r-1's student). The verdicts are
aggregated as analysis.scores does for every pairwise run: the same winner in both orders is
the verdict, two different winners a tie counted as a flip, an order unparsed or failed makes
the comparison unparsed (never a tie, never a number). The win rate is the candidate's wins
over the decided comparisons (win + tie + loss), so 50% means it won half of them; its
interval is statsmodels' Wilson score interval, none without a decided comparison.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from analysis.errors import Errors, WorkbenchError
from analysis.judge_runs import JudgeRun
from analysis.scores import INCOMPLETE, UNPARSED, pair_outcomes, win_tie_loss

STUDENTS = "students"  # round r's student vs round r-1's, on held-out test instructions
REVISED = "revised_vs_original"  # round r's revisions vs the student's answers they revise
KINDS = (REVISED, STUDENTS)
#: How figures and pages name each comparison kind.
KIND_LABELS = {
    REVISED: "revision vs the student's answer",
    STUDENTS: "round r student vs round r-1 student",
}
INTERVAL = "Wilson score interval, 95% (statsmodels proportion_confint(method='wilson'))"
COLUMNS = (
    "round",
    "comparison",
    "candidate",
    "baseline",
    "wins",
    "ties",
    "losses",
    UNPARSED,
    INCOMPLETE,
    "decided",
    "flips",
    "flip_share",
    "win_rate",
    "ci_low",
    "ci_high",
)


@dataclass(frozen=True)
class Comparison:
    """One judged comparison: its round, its kind (STUDENTS or REVISED) and its judge run."""

    round: int
    kind: str
    run: JudgeRun


def wilson(wins: int, n: int) -> tuple[float | None, float | None, float | None]:
    """(share, low, high) of `wins` in `n`; all None when n is 0."""
    if n == 0:
        return None, None, None
    low, high = proportion_confint(wins, n, alpha=0.05, method="wilson")
    return wins / n, float(low), float(high)


def comparison_row(comparison: Comparison) -> dict:
    """The table's row of one comparison (see the module docstring)."""
    run = comparison.run
    if run.mode != "pairwise" or len(run.models) != 2:
        raise WorkbenchError(
            Errors.E127.format(path=run.path, mode=run.mode, count=len(run.models))
        )
    candidate, baseline = run.models
    table = win_tie_loss(pair_outcomes(run)).set_index("model")
    counts = table.loc[candidate] if candidate in table.index else None

    def count(column: str) -> int:
        return 0 if counts is None else int(counts[column])

    decided = count("total")
    share, low, high = wilson(count("win"), decided)
    return {
        "round": comparison.round,
        "comparison": comparison.kind,
        "candidate": candidate,
        "baseline": baseline,
        "wins": count("win"),
        "ties": count("tie"),
        "losses": count("loss"),
        UNPARSED: count(UNPARSED),
        INCOMPLETE: count(INCOMPLETE),
        "decided": decided,
        "flips": count("flips"),
        "flip_share": count("flips") / decided if decided else None,
        "win_rate": share,
        "ci_low": low,
        "ci_high": high,
    }


def win_rate_table(comparisons: Sequence[Comparison]) -> pd.DataFrame:
    """One row per comparison, by kind (KINDS' order) then round; the shares are NaN where
    nothing was decided."""
    rows = [comparison_row(c) for c in comparisons]
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    shares = ["flip_share", "win_rate", "ci_low", "ci_high"]
    table[shares] = table[shares].astype(float)
    order = table["comparison"].map({kind: i for i, kind in enumerate(KINDS)})
    table = table.assign(_order=order).sort_values(["_order", "round"], kind="stable")
    return table.drop(columns="_order").reset_index(drop=True)
