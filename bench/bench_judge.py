"""Judge throughput against a fake OpenAI-compatible endpoint with a fixed 200 ms latency.

A judge run (generation.judge.pipeline, single-answer grading of two bundled answer sets, the
Self-Instruct predictions of davinci and text-davinci-003) at concurrency 1/2/4/8/16, each with
a fresh reply cache and 24 requests per slot (two chunks of the run); its own time (requests
built, sent, rows and checkpoints written) against concurrency x the rate of a sequential loop
of plain OpenAI SDK calls to the same endpoint (bench_client.py's reference). Then the largest
run again in a new folder with the same reply cache: every request is a cache hit, none is
sent. Run: python bench/bench_judge.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openai  # noqa: E402

from generation.backend import resolve_backend  # noqa: E402
from generation.client import LLMClient, SyncLLMClient  # noqa: E402
from generation.judge.pipeline import JudgeRun  # noqa: E402
from generation.judge.run_folder import JudgeConfig  # noqa: E402
from generation.judge.state import JudgeState  # noqa: E402

LATENCY_S = 0.2
ROUNDS = 24  # requests per concurrency slot: two chunks of the run (pipeline.CHUNK_PER_SLOT)
CONCURRENCY = (1, 2, 4, 8, 16)
ANSWERS = ("predictions/davinci", "predictions/text-davinci-003")
KEY = "sk-bench"


def start_server_process(latency: float) -> tuple[subprocess.Popen, str]:
    """The fake in its own process, so its threads do not compete with the client's loop."""
    process = subprocess.Popen(
        [sys.executable, "-m", "generation.testing.fake_openai", "--latency", str(latency)],
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.PIPE,
        text=True,
    )
    return process, process.stdout.readline().strip()


def sequential_rps(url: str, count: int) -> float:
    client = openai.OpenAI(api_key=KEY, base_url=url, max_retries=0)
    started = time.perf_counter()
    for i in range(count):
        client.chat.completions.create(
            model="fake-model", messages=[{"role": "user", "content": f"sequential {i}"}]
        )
    return count / (time.perf_counter() - started)


def judged(url: str, cache: Path, out: Path, concurrency: int) -> tuple[JudgeState, float, int]:
    """One run of ROUNDS * concurrency requests: its state, the seconds run() took, and the
    requests the client sent (those its reply cache did not answer)."""
    config = JudgeConfig(answers=ANSWERS, mode="single", limit=ROUNDS * concurrency // 2)
    backend = resolve_backend("openai", model="fake-model", base_url=url, api_key=KEY)
    with SyncLLMClient(LLMClient(backend, cache=cache, concurrency=concurrency)) as client:
        run = JudgeRun(config, out, client=client)
        started = time.perf_counter()
        state = run.run()
        seconds = time.perf_counter() - started
        sent = client.usage.requests - client.usage.cached
    assert state.status == "done" and state.failed == 0, "a bench request failed"
    return state, seconds, sent


def main() -> None:
    process, url = start_server_process(LATENCY_S)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        try:
            sequential = sequential_rps(url, ROUNDS * 2)
            for concurrency in CONCURRENCY:
                cache = root / f"cache-{concurrency}.sqlite"
                state, seconds, sent = judged(url, cache, root / f"run-{concurrency}", concurrency)
                rows.append((concurrency, state.total, seconds))
            largest = CONCURRENCY[-1]
            cache = root / f"cache-{largest}.sqlite"
            rerun, rerun_seconds, sent = judged(url, cache, root / "rerun", largest)
        finally:
            process.terminate()
            process.wait()

    print(
        f"Judge run (single mode, 2 answer sets), fake endpoint, {LATENCY_S * 1000:.0f} ms per reply\n"
    )
    print(f"{'run':<34}{'requests':>9}{'seconds':>9}{'req/s':>8}{'ideal':>8}{'of ideal':>10}")
    print(f"{'reference: sequential (SDK loop)':<34}{'':>9}{'':>9}{sequential:>8.1f}")
    for concurrency, requests, seconds in rows:
        rate, ideal = requests / seconds, concurrency * sequential
        print(
            f"{f'judge, concurrency {concurrency}':<34}{requests:>9}{seconds:>9.2f}{rate:>8.1f}"
            f"{ideal:>8.1f}"
            f"{rate / ideal:>10.0%}"
        )
    print(
        f"\nrerun of the concurrency-{largest} requests in a new folder, same reply cache: "
        f"{rerun.total} requests, {rerun.total_usage().cached} cache hits, {sent} sent, "
        f"{rerun_seconds:.2f} s ({rerun.total / rerun_seconds:,.0f} req/s)"
    )


if __name__ == "__main__":
    main()
