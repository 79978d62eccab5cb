"""Figure export (PNG, SVG, PDF): our warm kaleido server next to one browser per export.

The reference is plotly's `fig.to_image` with no kaleido server running, which starts and
stops a Chromium for every image (what the workbench did before). Ours keeps one Chromium
open and serializes renders through it. The figure is the seed tasks' verb-noun sunburst.

    python bench/bench_export.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import kaleido  # noqa: E402

from analysis.datasets import load_dataset  # noqa: E402
from analysis.figures import export  # noqa: E402
from analysis.figures.verbs import verb_noun_sunburst  # noqa: E402
from analysis.verbs import top_verb_nouns, verb_noun_column  # noqa: E402


def timed(render, repeats: int) -> tuple[float, float]:
    """First call, then the median of the warm calls, in seconds."""
    times = []
    for _ in range(repeats + 1):
        start = time.perf_counter()
        render()
        times.append(time.perf_counter() - start)
    return times[0], statistics.median(times[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    pairs = verb_noun_column(load_dataset("seed_tasks"), "instruction", "paper")
    fig = verb_noun_sunburst(top_verb_nouns(pairs))
    export.prepare_kaleido()
    print(f"{'format':<6} {'one browser per export':>24} {'ours: first':>12} {'ours: warm':>11}")
    for fmt in export.IMAGE_FORMATS:
        kaleido.stop_sync_server(silence_warnings=True)
        scale = 2 if fmt == "png" else 1
        _, reference = timed(lambda fmt=fmt, s=scale: fig.to_image(format=fmt, scale=s), 2)
        first, warm = timed(lambda fmt=fmt: export.figure_bytes(fig, fmt), args.repeats)
        print(f"{fmt:<6} {reference:>22.2f} s {first:>10.2f} s {warm:>9.2f} s")


if __name__ == "__main__":
    main()
