"""Semantic map costs on this CPU: embedding throughput, projection + clustering at 5K/20K/52K
rows, and the Map page's data preparation once the map is cached.

Texts: bundled instructions recombined (the first half of one instruction's words with the
second half of another's), so no two rows repeat. Embedding is timed on `--embed-rows` of them
(cold, then the cached rerun); the 52K-row time is extrapolated from that rate. The 20K and 52K
vectors are the embedded ones recombined the same way (the normalized sum of two embedded rows
with a little seeded noise): real sentence vectors would cluster alike, but this is stated, not
measured, here.

    python bench/bench_map.py [--embed-rows 1000] [--sizes 5000,20000,52000] [--seed 0]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bundled  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

SOURCES = ("seed_tasks", "user_oriented_instructions")


def recombined_texts(rows: int, seed: int) -> list[str]:
    base = [text for name in SOURCES for text in bundled.texts(name)]
    rng = np.random.default_rng(seed)
    texts = []
    for a, b in rng.integers(0, len(base), size=(rows, 2)):
        first, second = base[a].split(), base[b].split()
        texts.append(" ".join(first[: len(first) // 2 + 1] + second[len(second) // 2 :]))
    return texts


def recombined_vectors(vectors: np.ndarray, rows: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    pairs = rng.integers(0, len(vectors), size=(rows, 2))
    mixed = vectors[pairs[:, 0]] + vectors[pairs[:, 1]]
    mixed += 0.05 * rng.normal(size=mixed.shape).astype(np.float32)
    return (mixed / np.linalg.norm(mixed, axis=1, keepdims=True)).astype(np.float32)


def timed(what: str, function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    elapsed = time.perf_counter() - start
    print(f"  {what}: {elapsed:.2f} s", flush=True)
    return result, elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embed-rows", type=int, default=1000)
    parser.add_argument("--sizes", default="5000,20000,52000")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    os.environ["WORKBENCH_CACHE"] = tempfile.mkdtemp(prefix="bench-map-cache-")

    from analysis import embeddings
    from analysis.cache import cached_frame
    from analysis.diversity import coverage, diversity
    from analysis.figures.semantic_map import map_figure
    from analysis.semantic_map import cluster, cluster_table, map_frame, project
    from analysis.semantic_pairs import semantic_pairs
    from analysis.semantic_space import cluster_sizes

    print(f"CPU cores visible: {os.cpu_count()}; torch threads: ", end="")
    import torch

    print(torch.get_num_threads())
    texts = recombined_texts(args.embed_rows, args.seed)
    print(f"Embedding {len(texts)} recombined instructions (all-MiniLM-L6-v2, CPU):")
    _, load_s = timed("model load", embeddings.load_model, embeddings.DEFAULT_MODEL)
    vectors, cold_s = timed("cold", embeddings.embed, texts)
    _, warm_s = timed("cached rerun", embeddings.embed, texts)
    rate = len(texts) / cold_s
    print(
        f"  {rate:.0f} rows/s -> 52,000 rows in about {52_000 / rate / 60:.1f} min (extrapolated)"
    )

    sizes = [int(size) for size in args.sizes.split(",")]
    print("UMAP's numba compilation (once per process), on 300 rows:")
    timed("compile + project", project, recombined_vectors(vectors, 300, args.seed))
    results = []
    for size in sizes:
        print(f"{size:,} rows:", flush=True)
        data = recombined_vectors(vectors, size, args.seed)
        coords, project_s = timed("UMAP (fit <= 10K, transform the rest)", project, data)
        clusters, cluster_s = timed("HDBSCAN", cluster, coords)
        row_texts = recombined_texts(size, args.seed + 1)
        labels, label_s = timed("c-TF-IDF labels", cluster_table, row_texts, clusters)
        names = np.where(np.arange(size) % 2 == 0, "A", "B")
        frame = map_frame([str(i) for i in range(size)], coords, clusters, labels, list(names))
        results.append((size, project_s, cluster_s, label_s, int(clusters.max()) + 1))
        if size != sizes[-1]:
            continue
        print(f"Map page data preparation at {size:,} rows:")
        cached_frame("bench_map", "fingerprint", {}, "1", lambda frame=frame: frame)
        timed(
            "map read from the disk cache", cached_frame, "bench_map", "fingerprint", {}, "1", None
        )
        timed("cluster sizes", cluster_sizes, frame)
        timed("Scattergl figure", map_figure, frame, pd.Series(row_texts), "cluster")
        timed("coverage table", coverage, frame)
        timed("diversity (cold; cached per session after)", diversity, frame, data)
        rows = pd.DataFrame({"dataset": names, "id": frame["id"], "text": row_texts})
        timed("semantic pairs (cold; cached per session after)", semantic_pairs, rows, data)
    print("\nrows, UMAP s, HDBSCAN s, labels s, clusters")
    for row in results:
        print(f"{row[0]:>6,}, {row[1]:.1f}, {row[2]:.2f}, {row[3]:.2f}, {row[4]}")
    print(f"embedding: load {load_s:.1f} s, {rate:.0f} rows/s cold, rerun {warm_s:.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
