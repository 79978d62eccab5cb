"""Self-Instruct's filtering step: time per candidate and per kept instruction as the pool grows.

Ours: the pipeline's own filtering of one candidate (the paper's heuristic filters, then
ROUGE-L against the seeds and every kept instruction with analysis.rouge's incremental
filter, then adding it to the pool when kept), timed at pool sizes up to 50,000.

The original (bootstrap_instructions.py): for every candidate a fresh multiprocessing.Pool(4)
runs rouge_score against every pool item. It is measured at small pool sizes only (it grows
linearly and would take hours at 50,000), fitted as a + b * pool size and extrapolated; the
table says which figures are extrapolated. No model is called: candidates are synthesized
from the seed instructions (spans of 2-3 recombined, 25% near-copies of a pool item, so about
a quarter are rejected as too similar).

    python bench/bench_self_instruct.py [--sizes 175,1000,5000,10000,25000,50000] [--probe 300]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from functools import partial
from multiprocessing import Pool
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

import bundled  # noqa: E402
import numpy as np  # noqa: E402
from rouge_score import rouge_scorer  # noqa: E402

from analysis.rouge import IncrementalRougeFilter  # noqa: E402
from generation.self_instruct.filters import (  # noqa: E402
    SELF_INSTRUCT_BLACKLIST,
    instruction_rejection,
)

ORIGINAL_SIZES = (175, 500, 1000, 2000)
ORIGINAL_CANDIDATES = 4


class Candidates:
    """An endless stream of instruction-like candidates; some are near-copies of pool items."""

    def __init__(self, seeds: list[str], seed: int):
        self.rng = random.Random(seed)
        self.words = [text.split() for text in seeds]

    def next(self, pool: list[str]) -> str:
        rng = self.rng
        if pool and rng.random() < 0.25:
            copy = rng.choice(pool).split()
            copy.insert(rng.randint(0, len(copy)), rng.choice(rng.choice(self.words)))
            return " ".join(copy)
        parts: list[str] = []
        for source in rng.sample(self.words, rng.randint(2, 3)):
            start = rng.randrange(len(source))
            parts += source[start : start + rng.randint(3, 8)]
        return " ".join(parts).capitalize()


def filter_one(rouge: IncrementalRougeFilter, text: str) -> bool:
    """The pipeline's decision for one candidate (pipeline._judge without the bookkeeping)."""
    rejected = instruction_rejection(text, SELF_INSTRUCT_BLACKLIST)
    score, _, _ = rouge.check(text)
    kept = rejected is None and rouge.is_novel(score)
    if kept:
        rouge.add(text)
    return kept


def bench_ours(sizes: list[int], probe: int, seed: int) -> list[dict]:
    seeds = bundled.texts("seed_tasks")
    stream = Candidates(seeds, seed)
    rouge = IncrementalRougeFilter(seeds)
    rows = []
    for size in sizes:
        while len(rouge) < size:  # grow the pool with kept candidates, as a run does
            filter_one(rouge, stream.next(rouge.texts))
        times, kept = [], 0
        for _ in range(probe):
            text = stream.next(rouge.texts)
            start = time.perf_counter()
            kept += filter_one(rouge, text)
            times.append(time.perf_counter() - start)
        per_candidate = float(np.mean(times))
        rows.append(
            {
                "pool": size,
                "ms_per_candidate": 1000 * per_candidate,
                "p95_ms": 1000 * float(np.percentile(times, 95)),
                "keep_rate": kept / probe,
                "ms_per_kept": 1000 * per_candidate * probe / max(kept, 1),
            }
        )
    return rows


def original_one(scorer: rouge_scorer.RougeScorer, text: str, pool: list[str]) -> float:
    """bootstrap_instructions.py's check of one candidate, as written there."""
    with Pool(4) as workers:
        scores = workers.map(partial(scorer.score, text), pool)
    return max(score["rougeL"].fmeasure for score in scores)


def bench_original(seed: int) -> list[dict]:
    seeds = bundled.texts("seed_tasks")
    stream = Candidates(seeds, seed)
    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=False)
    pool = list(seeds)
    rows = []
    for size in ORIGINAL_SIZES:
        while len(pool) < size:
            pool.append(stream.next(pool))
        start = time.perf_counter()
        for _ in range(ORIGINAL_CANDIDATES):
            original_one(scorer, stream.next(pool), pool)
        rows.append({"pool": size, "s": (time.perf_counter() - start) / ORIGINAL_CANDIDATES})
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="175,1000,5000,10000,25000,50000")
    parser.add_argument("--probe", type=int, default=300, help="candidates timed per size")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    print(f"{os.cpu_count()} CPU cores; candidates timed per pool size: {args.probe}")
    start = time.perf_counter()
    ours = bench_ours(sizes, args.probe, args.seed)
    grow_s = time.perf_counter() - start
    original = bench_original(args.seed)
    slope, intercept = np.polyfit([r["pool"] for r in original], [r["s"] for r in original], 1)
    measured = {r["pool"]: r["s"] for r in original}
    print(
        "\npool     ours ms/cand  ours p95 ms  keep rate  ours ms/kept   original ms/cand"
        "  (Pool(4)+rouge_score per candidate)   speed-up"
    )
    for row in ours:
        size = row["pool"]
        if size in measured:
            reference, note = measured[size], "measured"
        else:
            reference, note = intercept + slope * size, "extrapolated"
        print(
            f"{size:>6}  {row['ms_per_candidate']:>12.3f}  {row['p95_ms']:>11.3f}  "
            f"{row['keep_rate']:>9.2f}  {row['ms_per_kept']:>12.3f}   "
            f"{1000 * reference:>14.1f}  {note:<37}  {reference * 1000 / row['ms_per_candidate']:>8.0f}x"
        )
    print(
        "\noriginal, measured: "
        + ", ".join(f"{r['pool']}: {1000 * r['s']:.0f} ms" for r in original)
    )
    print(
        f"original fit: {1000 * intercept:.0f} ms + {1e6 * slope:.1f} us x pool size "
        f"(pool start-up + rouge_score pairs over 4 worker processes on this machine)"
    )
    print(
        f"ours: the whole run (growing the pool to {sizes[-1]:,} and probing) took {grow_s:.1f} s"
    )
    worst = max(row["ms_per_candidate"] for row in ours)
    verdict = "met" if worst < 5 else "NOT met"
    print(f"target under 5 ms per candidate at every pool size up to {sizes[-1]:,}: {verdict}")


if __name__ == "__main__":
    main()
