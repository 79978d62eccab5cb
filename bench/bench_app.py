"""Page response times on a synthetic 52,000-row dataset: first run, warm, and disk-cached.

Every page runs through Streamlit's AppTest (the real scripts, no browser), three times:
  first  - nothing cached (derived columns are computed: verb-noun parse, ROUGE-L to the seeds)
  warm   - the same process again (Streamlit's in-memory caches hit)
  disk   - Streamlit's caches (data, resources) cleared, the disk cache kept: a restarted app
Times are one script run of the page, as a browser visit triggers it (AppTest's own start-up,
about 0.5 s of scanning installed packages, is outside the timed part).
Target: every page under 2 s once its derived columns are cached. Peak RSS is process-wide.

    python bench/bench_app.py [--rows 52000]
    python bench/bench_app.py --path LARGE.jsonl   # e.g. bench/make_large.py's million rows
    python bench/bench_app.py --path LARGE.jsonl --pages app_pages/map.py   # a seeded sample
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("WORKBENCH_HOME", tempfile.mkdtemp(prefix="bench-app-"))

import bundled  # noqa: E402
import streamlit as st  # noqa: E402
from bench_verbs import synthesize  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from analysis import registry  # noqa: E402

# AppTest runs pages without a server, and Streamlit says so at every widget and cache.
for _noisy in ("scriptrunner_utils.script_run_context", "caching.cache_data_api"):
    logging.getLogger(f"streamlit.runtime.{_noisy}").disabled = True

PAGES = (
    "app_pages/datasets.py",
    "app_pages/verbs.py",
    "app_pages/lengths.py",
    "app_pages/similarity.py",
    "app_pages/compare.py",
)


def write_synthetic(path: Path, rows: int, seed: int, shuffle_outputs: bool) -> None:
    rng = random.Random(seed)
    outputs = bundled.texts("user_oriented_instructions", "output")
    instructions = synthesize(rows, seed=1)
    with path.open("w", encoding="utf-8") as handle:
        for index, instruction in enumerate(instructions):
            output = rng.choice(outputs) if shuffle_outputs else outputs[index % len(outputs)]
            record = {
                "id": str(index),
                "instruction": instruction,
                "input": rng.choice(["", "", rng.choice(outputs)[:200]]),
                "output": output,
                "reference": outputs[index % len(outputs)],
            }
            handle.write(json.dumps(record) + "\n")


def synthetic_pair(rows: int) -> dict:
    """Two synthetic datasets of `rows` rows, registered; the session state that shows them."""
    folder = Path(os.environ["WORKBENCH_HOME"]) / "bench-input"
    folder.mkdir(parents=True, exist_ok=True)
    for name, shuffle in (("synthetic-a", False), ("synthetic-b", True)):
        write_synthetic(
            folder / f"{name}.jsonl", rows, seed=len(name) + shuffle, shuffle_outputs=shuffle
        )
        registry.add_user_dataset(name, path=folder / f"{name}.jsonl")
    return {
        "dataset": "synthetic-a",
        "compare": "synthetic-b",
        "compare_models": ["synthetic-a", "synthetic-b"],
    }


def run_page(page: str, state: dict) -> tuple[float, AppTest]:
    app = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=1800)
    for key, value in state.items():
        app.session_state[key] = value
    app.switch_page(page)  # straight to the page: the default page's work is not counted
    start = time.perf_counter()
    app.run()
    elapsed = time.perf_counter() - start
    if app.exception:
        raise RuntimeError(f"{page}: {app.exception[0].value}")
    return elapsed, app


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=52_000)
    parser.add_argument(
        "--path",
        type=Path,
        help="time the pages on this dataset file instead (e.g. bench/make_large.py's million "
        "rows), compared with the bundled seed tasks",
    )
    parser.add_argument(
        "--pages",
        nargs="+",
        default=list(PAGES),
        help="pages to time (default: the five above; the Map page, app_pages/map.py, embeds "
        "its rows first: minutes on a CPU)",
    )
    args = parser.parse_args()
    if args.path:
        registry.add_user_dataset("large", path=args.path, replace=True)  # rerun: same content
        state = {
            "dataset": "large",
            "compare": "seed_tasks",
            "compare_models": ["large", "seed_tasks"],
        }
        print(f"{args.path}, workspace {os.environ['WORKBENCH_HOME']}")
    else:
        state = synthetic_pair(args.rows)
        print(
            f"{args.rows} rows per dataset (two datasets), workspace {os.environ['WORKBENCH_HOME']}"
        )
    print(f"{'page':<28}{'first (s)':>11}{'warm (s)':>10}{'disk (s)':>10}{'peak RSS (MB)':>15}")
    for page in args.pages:
        first, _ = run_page(page, state)
        warm, _ = run_page(page, state)
        st.cache_data.clear()
        st.cache_resource.clear()
        disk, _ = run_page(page, state)
        print(
            f"{page:<28}{first:>11.2f}{warm:>10.2f}{disk:>10.2f}{peak_rss_mb():>15.0f}", flush=True
        )
    print("target: warm and disk under 2 s per page")


if __name__ == "__main__":
    main()
