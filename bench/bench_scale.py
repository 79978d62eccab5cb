"""A million rows on one machine (issue #19): load, reload, all near-duplicate pairs, dedup.

On the seeded benchmark set of bench/make_large.py (generated once, kept in the workspace cache):

1. load_dataset of the JSONL in a fresh process with an empty parse cache: time, peak RSS
   (VmHWM from /proc) and its ratio to the file size (targets: < 20 s, < 2.5x);
2. the same load again, from the parse cache (target: < 2 s);
3. every pair above the threshold with the all-pairs engine, then the dedup as
   `python -m analysis dedup` does it (target: < 10 min), and the recall of the planted
   near-duplicates; the same pairs again with the candidate chunks verified one after another
   (the engine before verification overlapped the making of the next chunk);
4. today's single-process path (comparing texts of similar length, duplicates.banded_pairs)
   on the first --sample rows, timed, and extrapolated to all rows by the square of the row
   ratio (its work is quadratic); the new engine on the same sample beside it.

Each measurement runs in its own process so peak memory is its own.

    python bench/bench_scale.py [--rows 1000000] [--sample 20000] [--threshold 0.7] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from analysis.paths import cache_dir  # noqa: E402

PEAK = """
def peak_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
"""

LOAD = (
    PEAK
    + """
import json, sys, time
start = time.perf_counter()
from analysis.datasets import load_dataset
rows = len(load_dataset({path!r}).frame)
print(json.dumps({{"rows": rows, "seconds": time.perf_counter() - start, "peak_mb": peak_mb()}}))
"""
)

DEDUP = (
    PEAK
    + """
import csv, json, time
from analysis.datasets import load_dataset
from analysis.rouge import deduplicate, frame_near_duplicate_pairs
frame = load_dataset({path!r}).frame
start = time.perf_counter()
pairs = frame_near_duplicate_pairs(frame, {threshold!r})
found = time.perf_counter()
kept, removed = deduplicate(frame, {threshold!r}, pairs=pairs)
done = time.perf_counter()
position = {{row_id: n for n, row_id in enumerate(frame["id"])}}
with open({planted!r}, encoding="utf-8") as handle:
    planted = [(position[r["source_id"]], position[r["id"]]) for r in csv.DictReader(handle)]
above = set(zip(pairs["i"].tolist(), pairs["j"].tolist()))
from analysis.rouge.allpairs import all_pairs_above, verify_pairs
def one_after_another(codes, lengths, chunks, threshold, workers):  # before the overlap
    for a, b in chunks:
        yield verify_pairs(codes, lengths, a, b, threshold, workers)
serial_start = time.perf_counter()
serial = all_pairs_above(frame["instruction"].tolist(), {threshold!r}, verify=one_after_another)
serial_seconds = time.perf_counter() - serial_start
print(json.dumps({{
    "serial_seconds": serial_seconds, "serial_same": bool(serial.equals(pairs)),
    "pairs_seconds": found - start, "dedup_seconds": done - start, "pairs": len(pairs),
    "removed": len(removed), "planted": len(planted),
    "planted_found": sum(pair in above for pair in planted), "peak_mb": peak_mb(),
}}))
"""
)

SAMPLE = (
    PEAK
    + """
import json, time
from analysis.datasets import load_dataset
from analysis.rouge.allpairs import all_pairs_above
from analysis.rouge.duplicates import banded_pairs
texts = load_dataset({path!r}).frame["instruction"].tolist()[: {sample}]
start = time.perf_counter()
old = banded_pairs(texts, {threshold!r})
middle = time.perf_counter()
new = all_pairs_above(texts, {threshold!r})
end = time.perf_counter()
print(json.dumps({{"old_seconds": middle - start, "new_seconds": end - middle,
    "same": bool(old.equals(new)), "pairs": len(new)}}))
"""
)


def measure(script: str, cache: Path) -> dict:
    environment = {**os.environ, "WORKBENCH_CACHE": str(cache), "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=environment
    )
    if result.returncode:
        raise SystemExit(result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


def dataset(rows: int, seed: int) -> Path:
    path = cache_dir() / "bench" / f"large-{rows}-seed{seed}.jsonl"
    if not path.exists() or not Path(f"{path}.planted.csv").exists():
        print(f"generating {rows} rows -> {path}", flush=True)
        command = [sys.executable, str(REPO_ROOT / "bench" / "make_large.py")]
        command += ["--rows", str(rows), "--seed", str(seed), "--out", str(path)]
        subprocess.run(command, check=True)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--threshold", type=float, default=0.7)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    path = dataset(args.rows, args.seed)
    megabytes = path.stat().st_size / 2**20
    table: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as folder:
        cache = Path(folder)
        first = measure(LOAD.format(path=str(path)), cache)
        again = measure(LOAD.format(path=str(path)), cache)
        table += [
            ("file", f"{args.rows:,} rows, {megabytes:,.0f} MiB", ""),
            ("load, empty parse cache", f"{first['seconds']:.1f} s", "target < 20 s"),
            (
                "load peak RSS",
                f"{first['peak_mb']:,.0f} MiB = {first['peak_mb'] / megabytes:.2f}x file",
                "target < 2.5x",
            ),
            ("reload from parse cache", f"{again['seconds']:.2f} s", "target < 2 s"),
            ("reload peak RSS", f"{again['peak_mb']:,.0f} MiB", ""),
        ]
        print(f"measuring the old and new engines on {args.sample:,} rows", flush=True)
        sample = measure(
            SAMPLE.format(path=str(path), sample=args.sample, threshold=args.threshold), cache
        )
        scale = (args.rows / args.sample) ** 2
        table += [
            (
                f"pairs > {args.threshold:g}, {args.sample:,} rows",
                f"old {sample['old_seconds']:.1f} s, new {sample['new_seconds']:.1f} s",
                f"same pairs: {sample['same']} ({sample['pairs']:,})",
            ),
            (
                f"old engine, {args.rows:,} rows",
                f"~{sample['old_seconds'] * scale / 3600:,.1f} h",
                f"EXTRAPOLATED x{scale:,.0f} (quadratic)",
            ),
        ]
        print(f"all pairs and dedup on {args.rows:,} rows", flush=True)
        start = time.perf_counter()
        dedup = measure(
            DEDUP.format(path=str(path), threshold=args.threshold, planted=f"{path}.planted.csv"),
            cache,
        )
        wall = time.perf_counter() - start
    table += [
        (
            f"new engine, {args.rows:,} rows",
            f"pairs {dedup['pairs_seconds']:.0f} s, dedup {dedup['dedup_seconds']:.0f} s",
            "target < 600 s",
        ),
        (
            "  pairs, chunks verified one after another",
            f"{dedup['serial_seconds']:.0f} s",
            f"the engine before the overlap; same pairs: {dedup['serial_same']}",
        ),
        ("  with the load (process wall)", f"{wall:.0f} s", ""),
        ("  peak RSS", f"{dedup['peak_mb']:,.0f} MiB", ""),
        ("  pairs / rows removed", f"{dedup['pairs']:,} / {dedup['removed']:,}", ""),
        (
            "  planted near-duplicates found",
            f"{dedup['planted_found']:,} of {dedup['planted']:,}",
            "must be all",
        ),
    ]
    width = max(len(row[0]) for row in table)
    value_width = max(len(row[1]) for row in table)
    for name, value, note in table:
        print(f"{name:<{width}}  {value:<{value_width}}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
