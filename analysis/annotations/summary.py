"""Spot-check labels summarised as the papers print them: the share of yes per question with a
Wilson interval (Self-Instruct Table 2), the rating distribution per model (Self-Instruct
Fig. 6) and wins and ties per criterion (GPT-4-LLM Fig. 3).

Every summary counts labels, so it is one annotator's when given one annotator's labels and
the combined one when given everybody's.
"""

from __future__ import annotations

import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from analysis.annotations.agreement import ITEM, agreement, scheme_labels
from analysis.annotations.schemes import Scheme
from analysis.errors import Errors, WorkbenchError

YES = "yes"
ALL_FIELDS = "all_fields"
#: Self-Instruct Table 2's wording of the row for items whose every answer is yes.
ALL_FIELDS_TEXT = "All fields are valid"
#: Pairwise answers, stored relative to the pair's dataset order, and the summary's columns.
OUTCOMES = {"first": "first_wins", "tie": "ties", "second": "second_wins"}


def labels_of_kind(labels: pd.DataFrame, scheme: Scheme, kind: str, summary: str) -> pd.DataFrame:
    if scheme.kind != kind:
        raise WorkbenchError(
            Errors.E060.format(summary=summary, kind=kind, scheme=scheme.name, actual=scheme.kind)
        )
    return scheme_labels(labels, scheme)


def share_of_yes(yes: int, n: int) -> dict[str, int | float | None]:
    """Count, share and Wilson 95% interval; the share and interval of nothing are None."""
    if n == 0:
        return {"n": 0, "yes": 0, "share": None, "wilson_low": None, "wilson_high": None}
    low, high = proportion_confint(yes, n, alpha=0.05, method="wilson")
    return {
        "n": n,
        "yes": yes,
        "share": yes / n,
        "wilson_low": float(low),
        "wilson_high": float(high),
    }


def quality_summary(labels: pd.DataFrame, scheme: Scheme) -> dict:
    """Self-Instruct Table 2 of a yes/no scheme, with the annotators' agreement per question.

    `n` counts labels (one per annotator and item); `all_fields` counts the (annotator, item)
    pairs that answered every question, and their yes is "every answer yes". JSON-ready: plain
    ints and floats, None where undefined.
    """
    own = labels_of_kind(labels, scheme, "quality", "quality")
    question_ids = [question.id for question in scheme.questions]
    is_yes = own["answer"] == YES
    questions = {
        question_id: share_of_yes(
            int(is_yes[own["question"] == question_id].sum()),
            int((own["question"] == question_id).sum()),
        )
        for question_id in question_ids
    }
    per_pair = (
        own.assign(is_yes=is_yes).groupby(["annotator", *ITEM])["is_yes"].agg(["size", "all"])
    )
    answered_all = per_pair[per_pair["size"] == len(question_ids)]
    return {
        "items": len(own[ITEM].drop_duplicates()),
        "annotators": int(own["annotator"].nunique()),
        "questions": questions,
        ALL_FIELDS: share_of_yes(int(answered_all["all"].sum()), len(answered_all)),
        "agreement": {
            question_id: agreement(own, scheme, question_id) for question_id in question_ids
        },
    }


def percent_with_interval(row: dict) -> str:
    """A share as a paper prints it, "92% (88–95%)"; "n/a" when nothing was labelled."""
    if row["share"] is None:
        return "n/a"
    low, high = 100 * row["wilson_low"], 100 * row["wilson_high"]
    return f"{row['share']:.0%} ({low:.0f}\u2013{high:.0f}%)"


def quality_table(summary: dict, scheme: Scheme) -> pd.DataFrame:
    """Self-Instruct Table 2: one row per question (its text, as the annotators read it) and a
    last row for all fields, with the share of yes, its Wilson 95% interval and n."""
    rows = [
        {"question": question.id, "text": question.text, **summary["questions"][question.id]}
        for question in scheme.questions
    ]
    rows.append({"question": ALL_FIELDS, "text": ALL_FIELDS_TEXT, **summary[ALL_FIELDS]})
    table = pd.DataFrame(rows)
    table["yes_percent"] = [percent_with_interval(row) for row in rows]
    return table[
        ["question", "text", "yes_percent", "share", "wilson_low", "wilson_high", "yes", "n"]
    ]


def rating_distribution(
    labels: pd.DataFrame, scheme: Scheme, names: dict[str, str], question: str | None = None
) -> pd.DataFrame:
    """Self-Instruct Fig. 6's data: per model, the count and share of each rating.

    `names` maps the fingerprints to show to model names, in the order to show them; every model
    gets every value of the scale, in scale order, zero counts included (share NaN for a model
    without labels). `question` defaults to the scheme's first.
    """
    own = labels_of_kind(labels, scheme, "rating", "rating")
    rated = scheme.question(question) if question else scheme.questions[0]
    own = own[own["question"] == rated.id]
    counts = own.groupby(["fingerprint", "answer"]).size()
    totals = own.groupby("fingerprint").size()
    rows = []
    for fingerprint, model in names.items():
        total = int(totals.get(fingerprint, 0))
        for value in rated.values:
            count = int(counts.get((fingerprint, value), 0))
            rows.append(
                {
                    "model": model,
                    "answer": value,
                    "count": count,
                    "share": count / total if total else float("nan"),
                }
            )
    return pd.DataFrame(rows, columns=["model", "answer", "count", "share"])


def pairwise_summary(labels: pd.DataFrame, scheme: Scheme, names: tuple[str, str]) -> pd.DataFrame:
    """GPT-4-LLM Fig. 3's data: per criterion, the wins of the first dataset of the pair, the
    ties and the wins of the second, as counts and as shares of the criterion's labels.

    `names` are the two datasets in the pair's order (the `first` and `second` answers).
    """
    own = labels_of_kind(labels, scheme, "pairwise", "pairwise")
    rows = []
    for question in scheme.questions:
        answers = own.loc[own["question"] == question.id, "answer"]
        counts = {column: int((answers == value).sum()) for value, column in OUTCOMES.items()}
        total = len(answers)
        shares = {
            f"{column}_share": count / total if total else float("nan")
            for column, count in counts.items()
        }
        rows.append(
            {
                "criterion": question.id,
                "first": names[0],
                "second": names[1],
                **counts,
                "n": total,
                **shares,
            }
        )
    return pd.DataFrame(rows)
