"""Loading a 100 MB JSONL file: time and peak memory, ours next to pandas.read_json(lines=True).

Each loader runs in a fresh subprocess so peak RSS is its own. The file is synthesized from the
bundled seed tasks (Alpaca-format records) in a temporary folder.

    python bench/bench_load.py [--megabytes 100]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

MEASURE = """
import resource, sys, time
sys.path.insert(0, {root!r})
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
import pandas as pd
from analysis.datasets import load_dataset
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
if {which!r} == "ours":
    rows = len(load_dataset({path!r}).frame)
else:
    rows = len(pd.read_json({path!r}, lines=True, dtype=False))
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(rows, elapsed, baseline / 1024, peak / 1024)
"""


def write_file(path: Path, megabytes: int) -> int:
    seeds = [
        json.loads(line)
        for line in (REPO_ROOT / "data/self_instruct/seed_tasks.jsonl").read_text().splitlines()
    ]
    rng = random.Random(0)
    written = rows = 0
    with path.open("w", encoding="utf-8") as handle:
        while written < megabytes * 1_000_000:
            task = rng.choice(seeds)
            instance = rng.choice(task["instances"])
            line = (
                json.dumps(
                    {
                        "instruction": task["instruction"],
                        "input": instance["input"],
                        "output": instance["output"],
                    }
                )
                + "\n"
            )
            handle.write(line)
            written += len(line.encode("utf-8"))
            rows += 1
    return rows


def measure(which: str, path: Path) -> tuple[int, float, float, float]:
    code = MEASURE.format(root=str(REPO_ROOT), which=which, path=str(path))
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    rows, elapsed, baseline, peak = output.split()
    return int(rows), float(elapsed), float(baseline), float(peak)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.jsonl"
        rows = write_file(path, args.megabytes)
        size_mb = path.stat().st_size / 1e6
        print(f"file: {size_mb:.0f} MB, {rows} rows")
        print(
            f"{'loader':<32}{'time (s)':>10}{'peak RSS (MB)':>15}{'over imports (MB)':>19}{'x file size':>13}"
        )
        for which, label in (
            ("ours", "analysis.datasets.load_dataset"),
            ("pandas", "pandas.read_json(lines=True)"),
        ):
            loaded, elapsed, baseline, peak = measure(which, path)
            assert loaded == rows
            print(
                f"{label:<32}{elapsed:>10.2f}{peak:>15.0f}{peak - baseline:>19.0f}{(peak - baseline) / size_mb:>13.2f}"
            )


if __name__ == "__main__":
    main()
