"""Aggregates of the verb-noun column: pure functions the pages, CLI and figures share."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.verbs.column import APPROXIMATE_METHODS, METHOD_NOT_PARSED
from analysis.wording import counted


def has_pair(frame: pd.DataFrame) -> pd.Series:
    """Rows with a verb-noun structure: both a verb and a noun (the notebooks' ``dropna``)."""
    return (frame["verb"] != "") & (frame["noun"] != "")


def pair_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """``verb, noun, count`` of every pair, most frequent first (ties alphabetical)."""
    pairs = frame.loc[has_pair(frame), ["verb", "noun"]]
    counts = pairs.groupby(["verb", "noun"], sort=False).size().rename("count").reset_index()
    return _rank(counts, ["count", "verb", "noun"])


def pairs_above(frame: pd.DataFrame, k: int) -> pd.DataFrame:
    """Pairs that occur more than ``k`` times (GPT-4-LLM's "frequency higher than 10")."""
    counts = pair_counts(frame)
    return counts[counts["count"] > k].reset_index(drop=True)


def summary(frame: pd.DataFrame, k: int = 10) -> dict[str, int | float]:
    """Row counts, the share with a verb-noun structure, unique verbs and pairs, pairs above k,
    and the rows whose pairs are approximate or missing for their language."""
    rows = len(frame)
    with_verb = frame["verb"] != ""
    paired = has_pair(frame)
    return {
        "rows": rows,
        "rows_with_verb": int(with_verb.sum()),
        "rows_with_pair": int(paired.sum()),
        "pair_share": float(paired.sum() / rows) if rows else 0.0,
        "unique_verbs": int(frame.loc[with_verb, "verb"].nunique()),
        "unique_pairs": len(frame.loc[paired, ["verb", "noun"]].drop_duplicates()),
        "k": k,
        "pairs_above_k": len(pairs_above(frame, k)),
        "approximate_rows": int(frame["method"].isin(APPROXIMATE_METHODS).sum()),
        "not_parsed_rows": int((frame["method"] == METHOD_NOT_PARSED).sum()),
    }


def summary_labels(k: int) -> dict[str, str]:
    """What a person reads for each `summary` figure the pages show, in their order: one place
    for the metrics' labels and the comparison tables' columns."""
    return {
        "rows": "Rows",
        "pair_share": "Rows with verb–noun",
        "unique_verbs": "Unique verbs",
        "unique_pairs": "Unique pairs",
        "pairs_above_k": f"Pairs seen > {k} times",
    }


def summary_table(summaries: Mapping[str, Mapping[str, int | float]]) -> pd.DataFrame:
    """Several datasets' `summary` side by side, one row each, under the human labels (the
    share as a percentage, so the table exports as numbers)."""
    rows = []
    for name, stats in summaries.items():
        labels = summary_labels(int(stats["k"]))
        row = {"dataset": name}
        for key, label in labels.items():
            if key == "pair_share":
                row[f"{label} (%)"] = round(100 * stats[key], 1)
            else:
                row[label] = stats[key]
        rows.append(row)
    return pd.DataFrame(rows)


def coverage_notes(stats: dict[str, int | float]) -> list[str]:
    """What a `summary`'s pairs approximate or leave out, one sentence each, for any view."""
    notes = []
    if stats["approximate_rows"]:
        notes.append(
            f"{counted(stats['approximate_rows'], 'Chinese row')}: pairs from jieba "
            "part-of-speech tags, an approximation of the English rule."
        )
    if stats["not_parsed_rows"]:
        notes.append(
            f"{counted(stats['not_parsed_rows'], 'Japanese or Korean row')}: not parsed "
            "(no verb-noun rule for these languages), so no pair."
        )
    return notes


def top_verb_nouns(
    frame: pd.DataFrame, top_verbs: int = 20, top_nouns: int = 4, min_count: int = 1
) -> pd.DataFrame:
    """The sunburst's table: the ``top_verbs`` verbs with their ``top_nouns`` nouns each.

    As in the notebooks, verbs are ranked by their rows *with* a noun, each verb keeps its most
    frequent nouns, and pairs below ``min_count`` are dropped last (the Self-Instruct figure
    kept ``count > 30``, i.e. ``min_count=31``; GPT-4-LLM ``count > 10``). Ties go
    alphabetically, which is what the notebook's ``nlargest`` did for verbs.
    """
    counts = pair_counts(frame)
    verb_totals = counts.groupby("verb", sort=False)["count"].sum().rename("count").reset_index()
    verbs = _rank(verb_totals, ["count", "verb"]).head(top_verbs)["verb"].tolist()
    order = {verb: rank for rank, verb in enumerate(verbs)}
    table = counts[counts["verb"].isin(order)]
    table = table.groupby("verb", sort=False).head(top_nouns)
    table = table[table["count"] >= min_count]
    table = table.assign(_rank=table["verb"].map(order))
    table = table.sort_values(
        ["_rank", "count", "noun"], ascending=[True, False, True], kind="stable"
    )
    return table.drop(columns="_rank").reset_index(drop=True)


def shown_verbs_note(
    frame: pd.DataFrame, table: pd.DataFrame, top_verbs: int, min_count: int
) -> str | None:
    """Why a ``top_verb_nouns`` table holds fewer verbs than were asked for (None when it holds
    them all): the data has fewer verbs with a noun, or the minimum count left some of the top
    verbs without a pair. Without it the sunburst would shrink without a word."""
    shown = table["verb"].nunique()
    if shown >= top_verbs:
        return None
    with_noun = pair_counts(frame)["verb"].nunique()
    reasons = []
    if with_noun < top_verbs:
        have = "has" if with_noun == 1 else "have"
        reasons.append(f"only {counted(with_noun, 'verb')} in the data {have} a noun")
    ranked = min(top_verbs, with_noun)
    if shown < ranked:
        have = "has" if ranked - shown == 1 else "have"
        reasons.append(
            f"{ranked - shown} of the top {ranked} {have} no pair seen at least "
            f"{counted(min_count, 'time')} (the minimum count; lower it to show them)"
        )
    return f"Showing {counted(shown, 'verb')} of the {top_verbs} asked for: {'; '.join(reasons)}."


def top_pairs_comparison(
    first: pd.DataFrame, second: pd.DataFrame, names: tuple[str, str], n: int = 25
) -> pd.DataFrame:
    """Each dataset's top-``n`` pairs side by side (GPT-4-LLM Fig. 1c), long format.

    Columns ``dataset, rank, verb, noun, count, other_count``: ``other_count`` is how often the
    same pair occurs in the other dataset, which the paper's figure leaves to the eye.
    """
    counts = (pair_counts(first), pair_counts(second))
    parts = []
    for own, other, name in ((0, 1, names[0]), (1, 0, names[1])):
        top = counts[own].head(n).copy()
        lookup = counts[other].set_index(["verb", "noun"])["count"]
        keys = pd.MultiIndex.from_frame(top[["verb", "noun"]])
        top["other_count"] = lookup.reindex(keys).fillna(0).astype(int).to_numpy()
        top.insert(0, "rank", range(1, len(top) + 1))
        top.insert(0, "dataset", name)
        parts.append(top)
    return pd.concat(parts, ignore_index=True)


def rows_for(frame: pd.DataFrame, verb: str, noun: str | None = None) -> pd.DataFrame:
    """The rows behind a verb (any noun, or none) or behind one pair, index kept for lookup."""
    mask = frame["verb"] == verb
    if noun is not None:
        mask &= frame["noun"] == noun
    return frame[mask]


def _rank(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    ascending = [column != "count" for column in by]
    return frame.sort_values(by, ascending=ascending, kind="stable").reset_index(drop=True)
