"""How far annotators agree with each other, and with a model judge.

Five statistics, because each answers a different doubt: percent agreement is what a reader
understands; Cohen's kappa (two annotators) and Fleiss' kappa (items every annotator labelled)
are what reviewers expect; Krippendorff's alpha uses every label, missing ones allowed, and
knows that A-D is a scale; Gwet's AC1 stays meaningful when nearly every answer is "yes",
where the kappas collapse towards zero although the annotators agree.

A statistic that cannot be computed (one annotator, no item labelled twice, a single answer
everywhere making it 0/0) is None, never NaN: it is checked before the library is called, so
no division-by-zero warning is raised either.
"""

from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd
from scipy import stats
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

from analysis.annotations.schemes import Scheme
from analysis.errors import Errors, WorkbenchError

ITEM = ["fingerprint", "row_id"]


def scheme_labels(labels: pd.DataFrame, scheme: Scheme) -> pd.DataFrame:
    """The labels of `scheme`, each checked against its question's answers.

    A scheme edited after labelling can leave answers it no longer knows; counting them as
    missing would silently change every statistic, so they are an error.
    """
    own = labels[labels["scheme"] == scheme.name]
    for question_id, answers in own.groupby("question")["answer"]:
        values = scheme.question(question_id).values
        unknown = sorted(set(answers) - set(values))
        if unknown:
            raise WorkbenchError(
                Errors.E061.format(
                    scheme=scheme.name, question=question_id, answers=unknown, values=values
                )
            )
    return own


def answer_positions(labels: pd.DataFrame, scheme: Scheme, question: str) -> pd.DataFrame:
    """Items x annotators, each cell the answer's position in the question's values (0 = the
    first, best or "yes"); NaN where the annotator did not label the item."""
    values = scheme.question(question).values
    own = scheme_labels(labels, scheme)
    own = own[own["question"] == question]
    positions = own.assign(position=own["answer"].map(values.index).astype(float))
    return positions.pivot(index=ITEM, columns="annotator", values="position")


def agreement(labels: pd.DataFrame, scheme: Scheme, question: str) -> dict[str, float | None]:
    """Percent agreement, Cohen's and Fleiss' kappa, Krippendorff's alpha and Gwet's AC1 of the
    annotators' answers to one question."""
    table = answer_positions(labels, scheme, question)
    categories = len(scheme.question(question).values)
    return {
        "percent_agreement": percent_agreement(table),
        "cohen_kappa": cohen_kappa(table, categories),
        "fleiss_kappa": fleiss_kappa_of(table, categories),
        "krippendorff_alpha": krippendorff_alpha(table, categories, scheme.ordinal),
        "gwet_ac1": gwet_ac1(table, categories),
    }


def percent_agreement(table: pd.DataFrame) -> float | None:
    """Share of the items labelled two or more times on which every label is the same."""
    labelled_twice = table[table.notna().sum(axis=1) >= 2]
    if labelled_twice.empty:
        return None
    return float((labelled_twice.nunique(axis=1) == 1).mean())


def cohen_kappa(table: pd.DataFrame, categories: int) -> float | None:
    """Cohen's kappa of exactly two annotators, on the items both labelled."""
    if table.shape[1] != 2:
        return None
    both = table.dropna()
    if both.stack().nunique() < 2:  # no item, or one answer everywhere: 0/0
        return None
    first, second = (both[column].astype(int) for column in both.columns)
    return float(cohen_kappa_score(first, second, labels=list(range(categories))))


def fleiss_kappa_of(table: pd.DataFrame, categories: int) -> float | None:
    """Fleiss' kappa on the items labelled by every annotator."""
    complete = table.dropna()
    if table.shape[1] < 2 or complete.stack().nunique() < 2:
        return None
    counts, _ = aggregate_raters(complete.to_numpy(dtype=int), n_cat=categories)
    return float(fleiss_kappa(counts, method="fleiss"))


def krippendorff_alpha(table: pd.DataFrame, categories: int, ordinal: bool) -> float | None:
    """Krippendorff's alpha over all labels (missing allowed), ordinal for a rating scale.

    Only items labelled twice or more enter alpha; with a single answer among them it is 0/0.
    """
    pairable = table[table.notna().sum(axis=1) >= 2]
    if pairable.stack().nunique() < 2:
        return None
    return float(
        krippendorff.alpha(
            reliability_data=pairable.to_numpy(dtype=float).T,
            value_domain=list(range(categories)),
            level_of_measurement="ordinal" if ordinal else "nominal",
        )
    )


def gwet_ac1(table: pd.DataFrame, categories: int) -> float | None:
    """Gwet's AC1 with missing labels, as Gwet's handbook and his irrCAC package compute it
    (written here because irrCAC pins an old pandas and scipy).

    Pa: over items labelled twice or more, the share of agreeing pairs of labels. pi_k: over
    every labelled item, the share of its labels in category k. Pe = sum_k pi_k (1 - pi_k) /
    (q - 1) for q categories, so Pe < 1 and AC1 = (Pa - Pe) / (1 - Pe) is always defined once
    one item has two labels (all answers the same gives 1).
    """
    labelled = table[table.notna().any(axis=1)].to_numpy(dtype=float)
    counts = np.stack([(labelled == k).sum(axis=1) for k in range(categories)], axis=1)
    per_item = counts.sum(axis=1)
    twice = per_item >= 2
    if categories < 2 or not twice.any():
        return None
    pairs = per_item[twice] * (per_item[twice] - 1)
    observed = float(np.mean((counts[twice] * (counts[twice] - 1)).sum(axis=1) / pairs))
    shares = (counts / per_item[:, None]).mean(axis=0)
    chance = float((shares * (1 - shares)).sum() / (categories - 1))
    return (observed - chance) / (1 - chance)


def human_score(scheme: Scheme, question: str) -> dict[str, float]:
    """Answer -> score in [0, 1], higher is better: the first value (yes, A, the first response
    of a pair) scores 1, the last 0, the ones between evenly spaced."""
    values = scheme.question(question).values
    return {value: 1 - index / (len(values) - 1) for index, value in enumerate(values)}


def judge_agreement(
    labels: pd.DataFrame, scores: pd.DataFrame, scheme: Scheme, question: str
) -> dict[str, float | int | None]:
    """Rank correlation between people and a model judge on the items both scored.

    People's answers become `human_score`s averaged over the annotators of an item; `scores`
    has columns fingerprint, row_id, score (a judge that gave no score, NaN, is left out).
    Spearman's rho and Kendall's tau-b are None with fewer than two items or a constant side.
    """
    own = scheme_labels(labels, scheme)
    own = own[own["question"] == question]
    people = (
        own.assign(human=own["answer"].map(human_score(scheme, question)))
        .groupby(ITEM, as_index=False)["human"]
        .mean()
    )
    joined = people.merge(scores.dropna(subset=["score"]), on=ITEM, how="inner")
    result: dict[str, float | int | None] = {
        "n": len(joined),
        "spearman": None,
        "kendall_tau": None,
    }
    if len(joined) >= 2 and joined["human"].nunique() > 1 and joined["score"].nunique() > 1:
        result["spearman"] = float(stats.spearmanr(joined["human"], joined["score"]).statistic)
        result["kendall_tau"] = float(stats.kendalltau(joined["human"], joined["score"]).statistic)
    return result
