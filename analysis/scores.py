"""Judge scores summarised as the papers report them: per-model means with a 95% interval
(single and two-score runs, GPT-4-LLM's score file), relative scores against a reference model
(GPT-4-LLM Fig. 4: 606 / 726.5 = 83%), and win / tie / loss with the adjusted win rate for
pairwise runs (FastChat's llm_judge: two orders, a disagreement is a tie).

The unit of every statistic is a question: a model's score on a question is its mean over the
orders whose verdict parsed, so the two orders of a two-score request never count as two
independent samples. A score file has no question ids; there each score is its own unit.
Intervals are t-intervals of the mean (statsmodels), None with fewer than two units.

Aggregation rules (the run-folder contract; the judge pipeline only records rows):
- pairwise: per question and pair, the same winner in both orders is the verdict; two
  different winners are a tie, counted as a flip; either order unparsed or failed makes the
  comparison unparsed (never a tie); a pair judged in one order only is incomplete.
- two-score: per question, the winner is the model with the higher mean over both orders;
  both orders must have parsed, else the comparison is unparsed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from statsmodels.stats.weightstats import DescrStatsW

from analysis.errors import Errors, WorkbenchError
from analysis.judge_runs import TIE, JudgeRun

INTERVAL = "95% t-interval of the mean (statsmodels DescrStatsW.tconfint_mean)"
CONFIDENCE = 0.95
NO_CATEGORY = "(none)"
UNPARSED, INCOMPLETE = "unparsed", "incomplete"
WTL = ("win", "tie", "loss")
SUMMARY_COLUMNS = ("n", "mean", "ci_low", "ci_high", "unparsed")
WTL_COLUMNS = (*WTL, UNPARSED, INCOMPLETE, "total", "adjusted_win_rate", "flips", "flip_share")


# --- per-model scores ----------------------------------------------------------------------


def score_rows(run: JudgeRun) -> pd.DataFrame:
    """One row per (request, model) of a single or two-score run: the model's score in that
    request (NaN when the verdict did not parse) and the model it was judged against."""
    verdicts = run.verdicts
    keep = ["line", "question_id", "category", "order"]
    first = verdicts[keep].assign(
        model=verdicts["model_a"],
        opponent=verdicts["model_b"],
        score=verdicts["score_a"].where(verdicts["parsed"]),
    )
    if run.mode == "single":
        return first
    if run.mode == "pairwise":
        return first.iloc[0:0]
    second = verdicts[keep].assign(
        model=verdicts["model_b"],
        opponent=verdicts["model_a"],
        score=verdicts["score_b"].where(verdicts["parsed"]),
    )
    return pd.concat([first, second], ignore_index=True).sort_values("line", kind="stable")


def question_scores(rows: pd.DataFrame) -> pd.DataFrame:
    """The unit of every statistic: a model's score on a question (against one opponent in a
    two-score run), averaged over its parsed orders; `orders` counts them. Units with no parsed
    score are left out. Rows without a question id (a score file) are their own units."""
    scored = rows.dropna(subset=["score"])
    if scored["question_id"].isna().all():
        return scored.assign(orders=1)[
            ["question_id", "category", "model", "opponent", "score", "orders"]
        ]
    keys = ["question_id", "model", "opponent"]
    grouped = scored.fillna({"opponent": ""}).groupby(keys, sort=False)
    units = grouped.agg(
        category=("category", "first"), score=("score", "mean"), orders=("score", "size")
    )
    units = units.reset_index()
    units["opponent"] = units["opponent"].replace("", None)
    return units[["question_id", "category", "model", "opponent", "score", "orders"]]


def mean_interval(values: Sequence[float]) -> tuple[float | None, float | None, float | None]:
    """Mean and its 95% t-interval; the interval is None with fewer than two values (checked
    before statsmodels is called, so no division-by-zero warning is raised)."""
    values = np.asarray(values, dtype=float)
    if len(values) == 0:
        return None, None, None
    mean = float(values.mean())
    if len(values) < 2:
        return mean, None, None
    low, high = DescrStatsW(values).tconfint_mean(alpha=1 - CONFIDENCE)
    return mean, float(low), float(high)


def score_summary(rows: pd.DataFrame, by: Sequence[str] = ("model",)) -> pd.DataFrame:
    """Per model (and category, with by=("model", "category")): n (questions with a parsed
    score), mean, the 95% t-interval, and unparsed (requests whose verdict did not parse)."""
    by = list(by)
    rows = _with_category(rows)
    units = _with_category(question_scores(rows))
    unparsed = rows[rows["score"].isna()].groupby(by, sort=False).size()
    records = []
    for key in rows[by].drop_duplicates().itertuples(index=False, name=None):
        chosen = units
        for column, value in zip(by, key, strict=True):
            chosen = chosen[chosen[column] == value]
        mean, low, high = mean_interval(chosen["score"])
        records.append(
            {
                **dict(zip(by, key, strict=True)),
                "n": len(chosen),
                "mean": mean,
                "ci_low": low,
                "ci_high": high,
                "unparsed": int(unparsed.get(key if len(key) > 1 else key[0], 0)),
            }
        )
    return pd.DataFrame(records, columns=[*by, *SUMMARY_COLUMNS])


def score_frequencies(rows: pd.DataFrame) -> pd.DataFrame:
    """How often each score was given, per model (the units of `score_summary`, so the
    figure's n and mean are the table's): model, score, count, share of the model's units."""
    units = question_scores(rows)
    counts = units.groupby(["model", "score"], sort=False).size().rename("count").reset_index()
    counts = counts.sort_values(["score"], kind="stable")
    order = {model: i for i, model in enumerate(units["model"].drop_duplicates())}
    counts = counts.sort_values("model", key=lambda m: m.map(order), kind="stable")
    totals = counts.groupby("model")["count"].transform("sum")
    return counts.assign(share=counts["count"] / totals).reset_index(drop=True)


def relative_scores(rows: pd.DataFrame, reference: str) -> pd.DataFrame:
    """Each model's score relative to `reference`'s, in percent (GPT-4-LLM Fig. 4).

    Over the questions both were scored on (in a two-score run: the requests judging the two
    together), relative = total / reference total x 100; `questions` counts them. A score file
    has no question ids: there it is the ratio of the means, and the totals are None.
    """
    units = question_scores(rows)
    models = rows["model"].drop_duplicates().tolist()
    if reference not in models:
        raise WorkbenchError(Errors.E108.format(name=reference, names=", ".join(models)))
    records = []
    for model in (m for m in models if m != reference):
        if units["question_id"].isna().all():
            own, theirs = (units.loc[units["model"] == m, "score"] for m in (model, reference))
            records.append(_relative(model, reference, None, own, theirs, totals=False))
            continue
        own = units[units["model"] == model]
        theirs = units[units["model"] == reference]
        if own["opponent"].notna().any():  # two-score: only the requests judging both
            own, theirs = own[own["opponent"] == reference], theirs[theirs["opponent"] == model]
        shared = own.merge(theirs, on="question_id", suffixes=("", "_reference"))
        records.append(
            _relative(
                model,
                reference,
                len(shared),
                shared["score"],
                shared["score_reference"],
                totals=True,
            )
        )
    return pd.DataFrame(
        records,
        columns=[
            "model",
            "reference",
            "questions",
            "total",
            "reference_total",
            "mean",
            "reference_mean",
            "relative",
        ],
    )


def _relative(model, reference, questions, own, theirs, totals: bool) -> dict:
    mean, reference_mean = (float(s.mean()) if len(s) else None for s in (own, theirs))
    relative = 100 * mean / reference_mean if mean is not None and reference_mean else None
    return {
        "model": model,
        "reference": reference,
        "questions": questions,
        "total": float(own.sum()) if totals else None,
        "reference_total": float(theirs.sum()) if totals else None,
        "mean": mean,
        "reference_mean": reference_mean,
        "relative": relative,
    }


# --- comparisons: pairwise verdicts and two-score winners --------------------------------


def pair_outcomes(run: JudgeRun) -> pd.DataFrame:
    """One row per question and pair of models: model_a / model_b as shown in the original
    order, the outcome (a model's name, "tie", "unparsed" or "incomplete") and whether the two
    orders disagreed (a flip, counted as a tie). Empty for single runs."""
    columns = ["question_id", "category", "model_a", "model_b", "outcome", "flip"]
    if run.mode == "single":
        return pd.DataFrame(columns=columns)
    verdicts = run.verdicts
    swapped = verdicts["order"] == "swapped"
    shown = verdicts.assign(
        first=verdicts["model_a"].where(~swapped, verdicts["model_b"]),
        second=verdicts["model_b"].where(~swapped, verdicts["model_a"]),
        # the scores as (first, second) of the original order
        score_first=verdicts["score_a"].where(~swapped, verdicts["score_b"]),
        score_second=verdicts["score_b"].where(~swapped, verdicts["score_a"]),
    )
    records = []
    for (question_id, first, second), group in shown.groupby(
        ["question_id", "first", "second"], sort=False
    ):
        outcome, flip = _outcome(run.mode, group, first, second)
        records.append(
            {
                "question_id": question_id,
                "category": group["category"].iloc[0],
                "model_a": first,
                "model_b": second,
                "outcome": outcome,
                "flip": flip,
            }
        )
    return pd.DataFrame(records, columns=columns)


def _outcome(mode: str, group: pd.DataFrame, first: str, second: str) -> tuple[str, bool]:
    if set(group["order"]) != {"original", "swapped"}:
        return INCOMPLETE, False
    if not group["parsed"].all():
        return UNPARSED, False
    if mode == "pairwise":
        winners = set(group["winner"])
        return (winners.pop(), False) if len(winners) == 1 else (TIE, True)
    own, theirs = group["score_first"].mean(), group["score_second"].mean()
    if math.isnan(own) or math.isnan(theirs):
        return UNPARSED, False
    return (first if own > theirs else second if theirs > own else TIE), False


def win_tie_loss(outcomes: pd.DataFrame, by: Sequence[str] = ("model",)) -> pd.DataFrame:
    """Per model (and category): wins, ties (flips included), losses, unparsed and incomplete
    comparisons, total (= win + tie + loss), adjusted win rate (win + tie / 2) / total, flips
    and their share of the total."""
    by = list(by)
    if outcomes.empty:
        return pd.DataFrame(columns=[*by, *WTL_COLUMNS])
    outcomes = _with_category(outcomes)
    sides = []
    for own, other in (("model_a", "model_b"), ("model_b", "model_a")):
        outcome = outcomes["outcome"]
        result = (
            outcome.mask(outcome == outcomes[own], "win")
            .mask(outcome == outcomes[other], "loss")
            .mask(outcome == TIE, "tie")
        )
        sides.append(outcomes.assign(model=outcomes[own], result=result))
    long = pd.concat(sides, ignore_index=True)
    counts = pd.crosstab([long[c] for c in by], long["result"])
    counts = counts.reindex(columns=[*WTL, UNPARSED, INCOMPLETE], fill_value=0)
    flips = long[long["flip"].astype(bool)].groupby(by).size()
    table = counts.assign(flips=flips.reindex(counts.index, fill_value=0)).reset_index()
    table["total"] = table[list(WTL)].sum(axis=1)
    has = table["total"] > 0
    table["adjusted_win_rate"] = ((table["win"] + table["tie"] / 2) / table["total"]).where(has)
    table["flip_share"] = (table["flips"] / table["total"]).where(has)
    order = {model: i for i, model in enumerate(long["model"].drop_duplicates())}
    table = table.sort_values("model", key=lambda m: m.map(order), kind="stable")
    return table[[*by, *WTL_COLUMNS]].reset_index(drop=True)


def pair_table(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Per pair of models: wins of each, ties, unparsed and incomplete comparisons, n (the
    decided ones) and flips; shares of n for the stacked bars."""
    records = []
    for (first, second), group in outcomes.groupby(["model_a", "model_b"], sort=False):
        outcome = group["outcome"]
        counts = {
            "a_wins": int((outcome == first).sum()),
            "ties": int((outcome == TIE).sum()),
            "b_wins": int((outcome == second).sum()),
        }
        n = sum(counts.values())
        records.append(
            {
                "model_a": first,
                "model_b": second,
                **counts,
                UNPARSED: int((outcome == UNPARSED).sum()),
                INCOMPLETE: int((outcome == INCOMPLETE).sum()),
                "n": n,
                "flips": int(group["flip"].sum()),
                **{f"{k}_share": (v / n if n else math.nan) for k, v in counts.items()},
            }
        )
    columns = ["model_a", "model_b", "a_wins", "ties", "b_wins", UNPARSED, INCOMPLETE, "n", "flips"]
    return pd.DataFrame(records, columns=[*columns, "a_wins_share", "ties_share", "b_wins_share"])


def flip_summary(outcomes: pd.DataFrame) -> dict[str, int | float | None]:
    """Flips over the comparisons decided in both orders (unparsed and incomplete ones left
    out): how often the verdict changed with the order the answers were shown in."""
    decided = outcomes[~outcomes["outcome"].isin([UNPARSED, INCOMPLETE])]
    flips = int(decided["flip"].sum())
    return {
        "flips": flips,
        "comparisons": len(decided),
        "flip_share": flips / len(decided) if len(decided) else None,
    }


# --- the whole report (the CLI's JSON, the page's tables) ---------------------------------


def report(run: JudgeRun, reference: str | None = None) -> dict:
    """Every statistic of a run, JSON-ready (plain numbers, None where undefined): per model
    n, mean, ci_low, ci_high, unparsed (and per category); `relative` with a reference model;
    win / tie / loss for pairwise and two-score runs, and flips for pairwise ones. A pairwise
    run has no scores: there n counts the decided comparisons (win + tie + loss), unparsed the
    comparisons with an order unparsed or failed, and mean and interval are None."""
    reference = reference or run.reference_model
    models: dict[str, dict] = {model: {} for model in run.models}
    result: dict = {
        "path": run.path,
        "kind": run.kind,
        "mode": run.mode,
        "judge_model": run.judge_model,
        "reference_model": reference,
        "interval": INTERVAL,
        "requests": len(run.verdicts),
        "models": models,
    }
    if run.mode == "pairwise":
        outcomes = pair_outcomes(run)
        _fill(models, win_tie_loss(outcomes), ("model",))
        for model in models:
            wtl = models[model]
            models[model] = {
                "n": wtl.get("total", 0),
                "mean": None,
                "ci_low": None,
                "ci_high": None,
                "unparsed": wtl.get(UNPARSED, 0),
                **wtl,
            }
        _fill_categories(models, win_tie_loss(outcomes, ("model", "category")))
        result.update(flip_summary(outcomes))
        result["pairs"] = _records(pair_table(outcomes))
        return result
    rows = score_rows(run)
    _fill(models, score_summary(rows), ("model",))
    _fill_categories(models, score_summary(rows, ("model", "category")))
    if run.mode == "two-score":
        outcomes = pair_outcomes(run)
        comparisons = win_tie_loss(outcomes)[["model", *WTL, "total", "adjusted_win_rate"]]
        _fill(models, comparisons, ("model",))
        result["pairs"] = _records(pair_table(outcomes).drop(columns=["flips"]))
    if reference:
        relative = relative_scores(rows, reference)
        result["relative"] = _records(relative)
        models[reference]["relative"] = 100.0
        for record in result["relative"]:
            models[record["model"]]["relative"] = record["relative"]
    return result


def summary_table(result: dict) -> pd.DataFrame:
    """The report's per-model statistics as a table (one row per model, categories aside)."""
    rows = [
        {"model": model, **{k: v for k, v in values.items() if k != "categories"}}
        for model, values in result["models"].items()
    ]
    return pd.DataFrame(rows)


def verdict_table(run: JudgeRun) -> pd.DataFrame:
    """Every judge request as a person reads it: the question, the models in the order shown,
    the verdict as parsed ("unparsed", or "failed: why") and the judge's whole reply."""
    verdicts = run.verdicts
    shown = [
        a if pd.isna(b) else f"{a} vs {b}"
        for a, b in zip(verdicts["model_a"], verdicts["model_b"], strict=True)
    ]
    return pd.DataFrame(
        {
            "line": verdicts["line"],
            "question_id": verdicts["question_id"],
            "category": verdicts["category"],
            "models": shown,
            "order": verdicts["order"],
            "verdict": [_verdict_text(row) for row in verdicts.itertuples()],
            "question": verdicts["question"],
            "raw": verdicts["raw"].fillna(""),
        }
    )


def _verdict_text(row) -> str:
    if isinstance(row.failure, str):
        return f"failed: {row.failure}"
    if not row.parsed:
        return UNPARSED
    if row.mode == "pairwise":
        return row.winner
    scores = [s for s in (row.score_a, row.score_b) if not math.isnan(s)]
    return " / ".join(f"{s:g}" for s in scores)


def _fill(models: dict[str, dict], table: pd.DataFrame, by: tuple[str, ...]) -> None:
    for record in _records(table):
        models.setdefault(record[by[0]], {}).update(
            {k: v for k, v in record.items() if k not in by}
        )


def _fill_categories(models: dict[str, dict], table: pd.DataFrame) -> None:
    if (table["category"] == NO_CATEGORY).all():
        return
    for record in _records(table):
        categories = models.setdefault(record["model"], {}).setdefault("categories", {})
        categories[record["category"]] = {
            k: v for k, v in record.items() if k not in ("model", "category")
        }


def _records(table: pd.DataFrame) -> list[dict]:
    """Rows as plain Python values: NaN becomes None, numpy numbers plain ints and floats."""
    return [
        {key: _plain(value) for key, value in record.items()}
        for record in table.to_dict(orient="records")
    ]


def _plain(value):
    if value is None or value is pd.NA:
        return None
    if isinstance(value, np.integer | np.bool_):
        return value.item()
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    return value


def _with_category(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(category=frame["category"].fillna(NO_CATEGORY))
