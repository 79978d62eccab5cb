"""The local engine against the Ray engine on a local Ray cluster of this machine (issue #19).

Side by side on the same data, in one run: verbs (the verb-noun column of the first
--verbs-rows instructions of the bench/make_large.py set, parsed in chunks of --chunk-size:
two worker processes locally, one actor per CPU on Ray; each run on an empty cache),
similarity (the bundled generated set, then all --rows rows, against the seed tasks) and dedup
(every pair above --threshold among --rows rows). Seconds for each engine, their ratio and
whether the results are identical; the Ray cluster's start is timed apart, as it is paid once
per command. On one machine Ray can only add overhead to the local engine's processes; a
cluster's gain is its CPUs.

    python bench/bench_ray.py [--rows 100000] [--verbs-rows 20000] [--chunk-size 2500]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from analysis.datasets import load_dataset, save_jsonl  # noqa: E402
from analysis.engines import RAY, Engine, open_engine  # noqa: E402
from analysis.paths import cache_dir  # noqa: E402
from analysis.rouge import frame_near_duplicate_pairs, similarity_to_pool  # noqa: E402
from analysis.verbs import verb_noun_column  # noqa: E402
from bench.bench_scale import dataset as large_dataset  # noqa: E402


def timed(work):
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--verbs-rows", type=int, default=20_000)
    parser.add_argument("--chunk-size", type=int, default=2_500)
    parser.add_argument("--threshold", type=float, default=0.7)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    large = load_dataset(large_dataset(args.rows, args.seed))
    verbs_path = (
        cache_dir() / "bench" / f"verbs-{args.verbs_rows}-of-{large.fingerprint[:12]}.jsonl"
    )
    if not verbs_path.exists():
        save_jsonl(large.frame.head(args.verbs_rows), verbs_path)
    verbs_data = load_dataset(verbs_path)
    generated = load_dataset("generated/self_instruct_smollm2").frame
    seeds = load_dataset("seed_tasks").frame

    def verbs(engine: Engine):
        os.environ["WORKBENCH_CACHE"] = tempfile.mkdtemp(prefix="bench-ray-")  # nothing cached
        return verb_noun_column(
            verbs_data, chunk_size=args.chunk_size, parse_chunks=engine.parse_chunks
        )

    tasks = [
        (f"verbs, {len(verbs_data)} rows", verbs),
        (
            f"similarity, {len(generated)} generated rows",
            lambda e: similarity_to_pool(generated, seeds, score=e.rouge_to_pool),
        ),
        (
            f"similarity, {len(large)} rows",
            lambda e: similarity_to_pool(large.frame, seeds, score=e.rouge_to_pool),
        ),
        (
            f"dedup pairs > {args.threshold:g}, {len(large)} rows",
            lambda e: frame_near_duplicate_pairs(large.frame, args.threshold, verify=e.verify),
        ),
    ]
    cache = os.environ.get("WORKBENCH_CACHE")
    print(f"{os.cpu_count()} CPUs; local engine, then Ray engine on a local cluster", flush=True)
    start = time.perf_counter()
    with open_engine(RAY) as ray_engine:
        print(f"Ray cluster start: {time.perf_counter() - start:.1f} s", flush=True)
        print(f"{'task':<34} {'local s':>8} {'ray s':>8} {'local/ray':>9}  identical")
        for name, work in tasks:
            local_seconds, local = timed(lambda work=work: work(Engine()))
            ray_seconds, by_ray = timed(lambda work=work: work(ray_engine))
            print(
                f"{name:<34} {local_seconds:>8.1f} {ray_seconds:>8.1f} "
                f"{local_seconds / ray_seconds:>9.2f}  {by_ray.equals(local)}",
                flush=True,
            )
    if cache is None:
        os.environ.pop("WORKBENCH_CACHE", None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
