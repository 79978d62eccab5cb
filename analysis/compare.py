"""Several models answering the same instructions: alignment, ROUGE-L to the reference by length.

GPT-4-LLM compares models by ROUGE-L against the ground-truth output, bucketed by the length of
that ground truth; Self-Instruct's user-oriented set gives four models' answers to 252
instructions. Rows are aligned on (instruction, input), not on ids, so any files can be compared;
a translated row (a teacher's Chinese answer) on the texts it translates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.cache import cached_frame
from analysis.lengths import word_counts
from analysis.rouge import rouge_l

#: Bump when scoring changes: cached scores of older versions are not reused.
REFERENCE_ROUGE_VERSION = "1"
#: Ground-truth length buckets (words) of GPT-4-LLM's ROUGE-L-by-length figure; the last is open.
REFERENCE_LENGTH_BUCKETS: tuple[tuple[int, int | None], ...] = ((0, 2), (3, 5), (6, 10), (11, None))


def bucket_label(low: int, high: int | None) -> str:
    return f"{low}-{high}" if high is not None else f">{low - 1}"


def reference_length_bucket(lengths: pd.Series) -> pd.Series:
    labels = pd.Series("", index=lengths.index, dtype="string")
    for low, high in REFERENCE_LENGTH_BUCKETS:
        inside = (lengths >= low) & (lengths <= high if high is not None else True)
        labels[inside] = bucket_label(low, high)
    return labels


def reference_rouge(frame: pd.DataFrame, tokenizer: str = "english") -> pd.DataFrame:
    """Per row with a reference: ROUGE-L F of the output against it, and the length bucket."""
    rows = frame[frame["reference"].notna()]
    scores = [
        rouge_l(reference, output, tokenizer)
        for reference, output in zip(rows["reference"], rows["output"], strict=True)
    ]
    reference_words = word_counts(rows["reference"])
    return pd.DataFrame(
        {
            "id": rows["id"].to_numpy(),
            "rougeL": scores,
            "reference_words": reference_words.to_numpy(),
            "bucket": reference_length_bucket(reference_words).to_numpy(),
        }
    )


def reference_rouge_cached(dataset, tokenizer: str = "english") -> pd.DataFrame:
    """`reference_rouge` of a loaded dataset, cached on disk by its fingerprint."""
    return cached_frame(
        "reference_rouge",
        dataset.fingerprint,
        {"tokenizer": tokenizer},
        REFERENCE_ROUGE_VERSION,
        lambda: reference_rouge(dataset.frame, tokenizer),
    )


def rouge_to_reference(scores_by_model: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Each model's `reference_rouge` rows in one long table with a `model` column."""
    parts = [scores.assign(model=model) for model, scores in scores_by_model.items()]
    columns = ["model", "id", "rougeL", "reference_words", "bucket"]
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)[columns]


def rouge_by_bucket(scores: pd.DataFrame) -> pd.DataFrame:
    """Mean ROUGE-L and row count per model and reference-length bucket, plus an 'all' bucket;
    models keep their order in `scores` (the order they were chosen in), buckets go short first."""
    order = [bucket_label(low, high) for low, high in REFERENCE_LENGTH_BUCKETS] + ["all"]
    models = {model: rank for rank, model in enumerate(dict.fromkeys(scores["model"]))}
    every = scores.assign(bucket="all")
    table = (
        pd.concat([scores, every], ignore_index=True)
        .groupby(["model", "bucket"], sort=False)["rougeL"]
        .agg(mean_rougeL="mean", rows="count")
        .reset_index()
    )
    table["bucket"] = pd.Categorical(table["bucket"], categories=order, ordered=True)
    return table.sort_values(
        ["model", "bucket"],
        key=lambda column: column.map(models) if column.name == "model" else column,
    ).reset_index(drop=True)


#: Metadata keys of a translated row (a teacher's Chinese answers) naming the texts it translates.
ORIGINAL_TEXTS = {"instruction": "original_instruction", "input": "original_input"}


def _asked_texts(frame: pd.DataFrame) -> pd.DataFrame:
    """(instruction, input) as the source asked them: a translated row's originals, which its
    metadata keeps, else the row's own texts (taken as they are: only translated rows change)."""
    asked = frame[list(ORIGINAL_TEXTS)].reset_index(drop=True)
    translated = {
        n: meta
        for n, meta in enumerate(frame["metadata"])
        if isinstance(meta, dict) and ORIGINAL_TEXTS["instruction"] in meta
    }
    if translated:
        asked = asked.copy()
        for field, key in ORIGINAL_TEXTS.items():
            asked.loc[list(translated), field] = [
                meta.get(key) or "" for meta in translated.values()
            ]
    return asked


def side_by_side(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per (instruction, input), in first-seen order: each model's output, the reference.

    A translated row is aligned by the texts it translates, so a teacher's Chinese answers
    stand beside the English rows they answer; the first dataset holding a row gives the texts
    shown. Rows are matched by integer codes of the asked texts rather than by joins on the
    texts, which at a million rows took 9 s.
    """
    texts = list(ORIGINAL_TEXTS)
    if not frames:
        return pd.DataFrame(columns=[*texts, "reference"])
    asked = pd.concat([_asked_texts(frame) for frame in frames.values()], ignore_index=True)
    instruction, _ = pd.factorize(asked["instruction"])
    given, inputs = pd.factorize(asked["input"])
    codes, _ = pd.factorize(instruction.astype(np.int64) * (len(inputs) + 1) + given)
    _, first = np.unique(codes, return_index=True)  # codes count up in first-seen order
    shown = pd.concat([frame[[*texts, "reference"]] for frame in frames.values()])
    table = shown.iloc[first].reset_index(drop=True)
    end = 0
    for model, frame in frames.items():
        start, end = end, end + len(frame)
        present, at = np.unique(codes[start:end], return_index=True)  # its first row per key
        column = pd.Series(None, index=table.index, dtype=frame["output"].dtype)
        column.iloc[present] = frame["output"].iloc[at].to_numpy()
        table[model] = column
    return table
