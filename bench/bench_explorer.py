"""A million rows: the Datasets page's row search (DuckDB) and verb-noun throughput (chunks).

Explorer: on a large JSONL file (``--rows-file``, or ``--rows`` rows recombined from the bundled
datasets into a temporary file), the time to the first page of a search and a filtered count
with ``analysis.explorer`` (SQL over the parquet copy) against ``analysis.explore.search_rows``
(pandas over the loaded frame, what the page did before). Warm: the dataset is loaded and its
parquet copy written before timing; each query is timed twice and the second time reported.

Verb-noun: ``--verb-texts`` distinct instructions parsed by ``extract_in_chunks`` in one
process, then by two worker processes; texts/s of each (wall clock and per CPU-second: the
machine is shared, so wall clock moves with others' load), and what they make of a million
distinct texts (an extrapolation: the pace on the first texts, not a measured million).

    python bench/bench_explorer.py [--rows 1000000 | --rows-file PATH] [--verb-texts 60000]
                                   [--chunk-size 10000] [--skip-explorer] [--skip-verbs]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis import explorer  # noqa: E402
from analysis.datasets import load_dataset  # noqa: E402
from analysis.explore import search_rows  # noqa: E402
from analysis.verbs.column import extract_in_chunks  # noqa: E402

SOURCES = ("seed_tasks", "user_oriented_instructions", "predictions/text-davinci-003")
PREFIXES = ("", "Please ", "Now, ", "Briefly, ", "Can you ", "I want you to ")
SUFFIXES = ("", " Keep it under {k} words.", " Give {k} examples.", " Use a formal tone.")
MODELS = ("gpt-4", "davinci", "llama", "vicuna", "alpaca")
#: (search text, classification, models) timed on the large file.
SEARCHES = (
    ("haiku", None, ()),
    ("python", None, ()),
    ("no such text at all", None, ()),
    ("100%", None, ()),
    ("the", None, ("gpt-4",)),
)


def recombined_rows(count: int, seed: int = 0):
    """``count`` rows: bundled rows with a framed instruction (prefix, numbered suffix)."""
    rng = random.Random(seed)
    bases = []
    for name in SOURCES:
        frame = load_dataset(name).frame
        bases += frame[["instruction", "input", "output"]].to_dict("records")
    for _ in range(count):
        base = rng.choice(bases)
        prefix = rng.choice(PREFIXES)
        text = base["instruction"]
        if prefix.endswith("to ") or prefix.startswith("Can"):
            text = text[:1].lower() + text[1:]
        suffix = rng.choice(SUFFIXES).format(k=rng.randint(2, 400))
        yield {
            "instruction": prefix + text + suffix,
            "input": base["input"] or "",
            "output": base["output"] or "",
            "model": rng.choice(MODELS),
        }


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def bench_explorer(path: Path) -> None:
    dataset, load_s = timed(load_dataset, path)
    print(f"explorer: {len(dataset):,} rows from {path} (load {load_s:.1f} s)")
    table, write_s = timed(explorer.table_path, dataset)
    print(f"  parquet copy: {table.stat().st_size / 1e6:.0f} MB ({write_s:.1f} s, once per data)")
    connection = explorer.connect()
    _, filters_s = timed(explorer.filter_values, connection, table)
    print(f"  filter choices: {filters_s:.3f} s")
    print(f"  {'search':<24} {'matches':>9} {'first page':>11} {'count':>7} {'pandas':>7}")
    for text, classification, models in SEARCHES:
        query = explorer.RowQuery.make(text, classification, {"model": list(models)})
        for _ in range(2):
            found, page_s = timed(explorer.page_rows, connection, table, query)
            total, count_s = timed(explorer.count_rows, connection, table, query)
        reference, pandas_s = timed(
            search_rows, dataset.frame, text, column_values={"model": list(models)}
        )
        assert total == found.total == len(reference), (text, total, len(reference))
        label = text + (f" & model={','.join(models)}" if models else "")
        print(f"  {label:<24} {total:>9,} {page_s:>10.3f}s {count_s:>6.3f}s {pandas_s:>6.2f}s")
    query = explorer.RowQuery.make("haiku")
    deep = explorer.page_count(explorer.count_rows(connection, table, query)) - 1
    _, deep_s = timed(explorer.page_rows, connection, table, query, deep)
    print(f"  last page of 'haiku' (page {deep + 1}): {deep_s:.3f} s")


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the worker processes): a pace
    per CPU-second does not move with what else the shared machine runs."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def bench_verbs(count: int, chunk_size: int) -> None:
    texts = list(dict.fromkeys(row["instruction"] for row in recombined_rows(count * 2, seed=1)))
    texts = texts[:count]
    print(f"verb-noun: {len(texts):,} distinct instructions, chunks of {chunk_size:,}")
    results = {}
    cpu_before = cpu_seconds()
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as cache:
            os.environ["WORKBENCH_CACHE"] = cache
            pairs, seconds = timed(
                extract_in_chunks,
                texts,
                "paper",
                None,
                chunk_key=lambda index, size, w=workers: f"bench-{w}-{index}-{size}",
                chunk_size=chunk_size,
                workers=workers,
            )
        results[workers] = pairs
        cpu = cpu_seconds() - cpu_before
        cpu_before = cpu_seconds()
        pace = len(texts) / seconds
        print(
            f"  {workers} process{'es' if workers > 1 else ''}: {seconds:.1f} s, "
            f"{pace:,.0f} texts/s, {len(texts) / cpu:,.0f} texts per CPU-second "
            f"-> 1M distinct texts in about {1e6 / pace / 60:.1f} min (extrapolated)"
        )
    assert results[1].equals(results[2]), "one and two processes must agree"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rows-file", type=Path, default=None)
    parser.add_argument("--verb-texts", type=int, default=60_000)
    parser.add_argument("--chunk-size", type=int, default=10_000)
    parser.add_argument("--skip-explorer", action="store_true")
    parser.add_argument("--skip-verbs", action="store_true")
    args = parser.parse_args()
    if not args.skip_explorer:
        if args.rows_file is not None:
            bench_explorer(args.rows_file)
        else:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "rows.jsonl"
                with path.open("w", encoding="utf-8") as handle:
                    for row in recombined_rows(args.rows):
                        handle.write(json.dumps(row, ensure_ascii=False) + "\n")
                bench_explorer(path)
    if not args.skip_verbs:
        bench_verbs(args.verb_texts, args.chunk_size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
