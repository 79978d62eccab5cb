"""Judge verdicts beside people's spot-check labels of the same answers.

Labels hang on (dataset fingerprint, row id). A judge run's manifest names the fingerprint of
each model's answer set, and a verdict's question id is the row id of the question in every
answer set, so verdicts and labels meet on those keys. The measure follows the scheme:

- a row scheme (Self-Instruct's yes/no quality questions, its A-D rating): Spearman's rho and
  Kendall's tau between the judge's score and the person's answer read as a score
  (`agreement.judge_agreement`). A judge's 1-10 and a person's A-D are different scales, so
  no kappa fits them.
- a pair scheme (GPT-4-LLM's first / tie / second): the judge's outcome for the pair is read
  as the same answer, then percent agreement and Cohen's kappa between the judge and each
  annotator. The judge gives one overall verdict; it is set beside each criterion.
"""

from __future__ import annotations

import pandas as pd

from analysis.annotations.agreement import (
    ITEM,
    answer_positions,
    cohen_kappa,
    judge_agreement,
    percent_agreement,
)
from analysis.annotations.schemes import Scheme
from analysis.annotations.store import COLUMNS
from analysis.judge_runs import TIE, JudgeRun
from analysis.scores import INCOMPLETE, UNPARSED, pair_outcomes, question_scores, score_rows

#: The judge's name among the annotators (people's names are stripped, so never this).
JUDGE = " judge"
PAIR_ANSWERS = ("first", TIE, "second")
AGREEMENT_COLUMNS = (
    "scheme",
    "question",
    "annotator",
    "n",
    "spearman",
    "kendall_tau",
    "percent_agreement",
    "cohen_kappa",
)


def pair_key(first: str, second: str) -> str:
    """The fingerprint a pairwise label hangs on, as analysis.annotations.sampling makes it."""
    return f"{first}+{second}"


def judge_item_scores(run: JudgeRun) -> pd.DataFrame:
    """fingerprint, row_id, score: each model's judge score on each question (averaged over
    orders and opponents), keyed as labels are; models without a fingerprint are left out."""
    fingerprints = run.fingerprints
    units = question_scores(score_rows(run))
    units = units[units["model"].isin(fingerprints) & units["question_id"].notna()]
    scores = units.groupby(["model", "question_id"], as_index=False)["score"].mean()
    return pd.DataFrame(
        {
            "fingerprint": scores["model"].map(fingerprints),
            "row_id": scores["question_id"].astype(str),
            "score": scores["score"],
        }
    )


def judge_pair_answers(run: JudgeRun) -> pd.DataFrame:
    """fingerprint, row_id, answer: each decided comparison as a pairwise label would store it,
    under both orders a study could have paired the two answer sets in."""
    fingerprints = run.fingerprints
    outcomes = pair_outcomes(run)
    decided = outcomes[
        ~outcomes["outcome"].isin([UNPARSED, INCOMPLETE])
        & outcomes["model_a"].isin(fingerprints)
        & outcomes["model_b"].isin(fingerprints)
    ]
    records = []
    for row in decided.itertuples():
        first, second = fingerprints[row.model_a], fingerprints[row.model_b]
        answer = {row.model_a: "first", row.model_b: "second"}.get(row.outcome, TIE)
        swapped = {"first": "second", "second": "first"}.get(answer, TIE)
        records.append((pair_key(first, second), row.question_id, answer))
        records.append((pair_key(second, first), row.question_id, swapped))
    return pd.DataFrame(records, columns=["fingerprint", "row_id", "answer"])


def spot_check_agreement(
    run: JudgeRun, labels: pd.DataFrame, schemes: dict[str, Scheme]
) -> pd.DataFrame:
    """One row per scheme, question and annotator whose labels share items with the judge:
    n (items both judged), and the measures that fit the scheme (the others None)."""
    item_scores = judge_item_scores(run) if run.mode != "pairwise" else None
    pair_answers = judge_pair_answers(run) if run.mode != "single" else None
    records = []
    for scheme in schemes.values():
        own = labels[labels["scheme"] == scheme.name]
        if scheme.items == "row" and item_scores is not None:
            own = own.merge(item_scores[ITEM].drop_duplicates(), on=ITEM)
            records += _rank_rows(own, item_scores, scheme)
        elif scheme.items == "pair" and pair_answers is not None and _takes_pairs(scheme):
            own = own.merge(pair_answers[ITEM].drop_duplicates(), on=ITEM)
            records += _kappa_rows(own, pair_answers, scheme)
    return pd.DataFrame(records, columns=list(AGREEMENT_COLUMNS))


def _rank_rows(labels: pd.DataFrame, scores: pd.DataFrame, scheme: Scheme) -> list[dict]:
    records = []
    for annotator, theirs in labels.groupby("annotator"):
        for question in scheme.questions:
            found = judge_agreement(theirs, scores, scheme, question.id)
            if found["n"]:
                records.append(
                    {"scheme": scheme.name, "question": question.id, "annotator": annotator} | found
                )
    return records


def _kappa_rows(labels: pd.DataFrame, answers: pd.DataFrame, scheme: Scheme) -> list[dict]:
    records = []
    for annotator, theirs in labels.groupby("annotator"):
        for question in scheme.questions:
            judged = answers.assign(
                annotator=JUDGE, scheme=scheme.name, question=question.id, note=None, time=0.0
            )
            both = pd.concat([theirs, judged[list(COLUMNS)]], ignore_index=True)
            table = answer_positions(both, scheme, question.id)
            if annotator not in table.columns:
                continue
            table = table[[annotator, JUDGE]]
            n = len(table.dropna())
            if n:
                categories = len(question.values)
                records.append(
                    {
                        "scheme": scheme.name,
                        "question": question.id,
                        "annotator": annotator,
                        "n": n,
                        "percent_agreement": percent_agreement(table),
                        "cohen_kappa": cohen_kappa(table, categories),
                    }
                )
    return records


def _takes_pairs(scheme: Scheme) -> bool:
    """A pair scheme whose every question offers first, tie and second (as the bundled one)."""
    return all(set(PAIR_ANSWERS) <= set(q.values) for q in scheme.questions)
