"""ROUGE-L: analysis.rouge against rouge_score (the reference) in one run.

1. The same pairs (instructions x the 175 seed tasks) through rouge_score and through ours:
   time per pair, the ratio, and the number of scores that differ (must be 0); then the same
   for the scoring core alone, on pre-tokenized texts.
2. All unique pairs of N instruction-like texts (default 52,000), near-duplicates above 0.7:
   time and peak memory; rouge_score's time extrapolated from its measured time per pair.
3. The incremental filter (Self-Instruct's novelty check): time per candidate at pool sizes
   1k / 10k / 50k, against rouge_score's loop (measured on a few candidates).
4. Dedup of a dataset of one long row (200K / 400K / 800K tokens): the time must grow linearly
   with the text, since a row has no pair to score.

Texts are synthesized reproducibly from the seed instructions: spans of 2-3 seed instructions
recombined with a seeded RNG, 3% of them near-copies of an earlier text.

    python bench/bench_rouge.py [--pairs-n 52000] [--queries 1000] [--seed 0]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

import bundled  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from rapidfuzz import process  # noqa: E402
from rapidfuzz.distance import LCSseq  # noqa: E402
from rouge_score import rouge_scorer  # noqa: E402

from analysis import rouge  # noqa: E402

SCORER = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=False)


def synthesize(count: int, seed: int, seeds: list[str]) -> list[str]:
    """Instruction-like texts: spans of 2-3 seed instructions; 3% near-copies of earlier ones."""
    rng = random.Random(seed)
    words = [text.split() for text in seeds]
    texts: list[str] = []
    while len(texts) < count:
        if texts and rng.random() < 0.03:
            copy = rng.choice(texts).split()
            for _ in range(rng.randint(1, 2)):
                copy.insert(rng.randint(0, len(copy)), rng.choice(rng.choice(words)))
            texts.append(" ".join(copy))
            continue
        parts: list[str] = []
        for source in rng.sample(words, rng.randint(2, 3)):
            start = rng.randint(0, max(0, len(source) - 3))
            parts += source[start : rng.randint(start + 1, len(source))]
        texts.append(" ".join(parts))
    return texts


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def best_of(repeats: int, call) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = call()
        best = min(best, time.perf_counter() - start)
    return best, result


def bench_all_pairs(texts: list[str], reference_pair_s: float) -> list[tuple[str, str, str]]:
    """rouge_score's time is its pre-tokenized time per pair times the number of pairs."""
    before = peak_rss_mb()
    start = time.perf_counter()
    pairs = rouge.near_duplicate_pairs(texts, 0.7)
    elapsed = time.perf_counter() - start
    count = len(texts) * (len(texts) - 1) // 2
    return [
        ("all pairs: texts", f"{len(texts):,}", ""),
        ("all pairs: unique pairs", f"{count:,}", ""),
        ("all pairs: pairs > 0.7 found", f"{len(pairs):,}", ""),
        ("all pairs: time", f"{elapsed:.1f} s", f"{count * reference_pair_s / 3600:.1f} h (est.)"),
        ("all pairs: peak RSS (process)", f"{peak_rss_mb():.0f} MB (before {before:.0f})", ""),
    ]


def bench_same_pairs(queries: list[str], pool: list[str]) -> tuple[list, float]:
    """Strings in, scores out: both sides tokenize (rouge_score once per pair, as Self-Instruct
    calls it; ours once per text)."""
    start = time.perf_counter()
    expected = np.array([[SCORER.score(q, p)["rougeL"].fmeasure for p in pool] for q in queries])
    reference_s = (time.perf_counter() - start) / expected.size
    ours_s, ours = best_of(5, lambda: rouge.rouge_l_matrix(queries, pool))
    ours_s /= expected.size
    differing = int((ours != expected).sum())
    rows = [
        ("same pairs: pairs scored", f"{expected.size:,}", f"{expected.size:,}"),
        ("same pairs: time per pair", f"{ours_s * 1e9:.0f} ns", f"{reference_s * 1e6:.1f} us"),
        ("same pairs: speed-up", f"{reference_s / ours_s:,.0f}x", "1x"),
        ("same pairs: scores that differ", str(differing), "(reference)"),
    ]
    return rows, reference_s


def bench_scoring_core(queries: list[str], pool: list[str]) -> tuple[list, float]:
    """Pre-tokenized pairs, LCS + F only: rouge_score's _score_lcs as Alpaca calls it, against
    the cdist + f_measure core on pre-encoded texts."""
    tokenizer = SCORER._tokenizer
    query_tokens = [tokenizer.tokenize(q) for q in queries]
    pool_tokens = [tokenizer.tokenize(p) for p in pool]
    start = time.perf_counter()
    expected = np.array(
        [[rouge_scorer._score_lcs(q, p).fmeasure for p in pool_tokens] for q in query_tokens]
    )
    reference_s = (time.perf_counter() - start) / expected.size
    _, (rows, columns) = rouge.encode_together(query_tokens, pool_tokens)

    def core() -> np.ndarray:
        lcs = process.cdist(rows.codes, columns.codes, scorer=LCSseq.similarity, dtype=np.int32)
        return rouge.f_measure(lcs, rows.lengths[:, None], columns.lengths[None, :])

    ours_s, ours = best_of(5, core)
    ours_s /= expected.size
    rows = [
        ("pre-tokenized: time per pair", f"{ours_s * 1e9:.0f} ns", f"{reference_s * 1e6:.1f} us"),
        ("pre-tokenized: speed-up", f"{reference_s / ours_s:,.0f}x", "1x"),
        ("pre-tokenized: scores that differ", str(int((ours != expected).sum())), "(reference)"),
    ]
    return rows, reference_s


def bench_filter(texts: list[str], candidates: list[str], reference_pair_s: float) -> list:
    """Time per `check` against pools of 1k/10k/50k texts; rouge_score's is Self-Instruct's loop
    (score against each pool text), estimated from its time per pair and measured at 1k."""
    rows = []
    for size in (1_000, 10_000, 50_000):
        rouge_filter = rouge.IncrementalRougeFilter(texts[:size])
        start = time.perf_counter()
        for candidate in candidates:
            rouge_filter.check(candidate)
        per_candidate = (time.perf_counter() - start) / len(candidates)
        rows.append(
            (
                f"filter check, pool {size:,}",
                f"{per_candidate * 1e3:.2f} ms",
                f"{size * reference_pair_s * 1e3:.0f} ms (est.)",
            )
        )
    pool = texts[:1_000]
    start = time.perf_counter()
    for candidate in candidates[:5]:
        max(SCORER.score(candidate, item)["rougeL"].fmeasure for item in pool)
    measured = (time.perf_counter() - start) / 5
    rows.append(("filter check, pool 1,000 (rouge_score measured)", "", f"{measured * 1e3:.0f} ms"))
    return rows


def bench_long_row(seeds: list[str], seed: int) -> list[tuple[str, str, str]]:
    """`deduplicate` (as `python -m analysis dedup` runs it) on a dataset of one long row."""
    rng = random.Random(seed)
    words = " ".join(seeds).split()
    rows = []
    for tokens in (200_000, 400_000, 800_000):
        text = " ".join(rng.choices(words, k=tokens))
        frame = pd.DataFrame({"id": ["0"], "instruction": [text]})
        elapsed, _ = best_of(1, lambda frame=frame: rouge.deduplicate(frame))
        rows.append((f"dedup, one row of {tokens:,} tokens", f"{elapsed:.2f} s", ""))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs-n", type=int, default=52_000, help="texts for all-pairs")
    parser.add_argument("--queries", type=int, default=1000, help="texts scored against seeds")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    seeds = bundled.texts("seed_tasks")
    texts = synthesize(max(args.pairs_n, 50_000 + 200), args.seed, seeds)
    rows, reference_pair_s = bench_same_pairs(texts[: args.queries], seeds)
    core_rows, reference_core_s = bench_scoring_core(texts[: args.queries // 4], seeds)
    rows += core_rows
    rows += bench_all_pairs(texts[: args.pairs_n], reference_core_s)
    rows += bench_filter(texts[:50_000], texts[50_000:50_200], reference_pair_s)
    rows += bench_long_row(seeds, args.seed)

    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}")
    width = max(len(row[0]) for row in rows)
    print(f"{'measure':<{width}}  {'analysis.rouge':>28}  {'rouge_score':>20}")
    for name, ours, reference in rows:
        print(f"{name:<{width}}  {ours:>28}  {reference:>20}")


if __name__ == "__main__":
    main()
