"""Client speed against a fake OpenAI-compatible endpoint with a fixed 200 ms latency.

Reference: sequential requests with the plain OpenAI SDK, the original Self-Instruct pattern.
Ours: the workbench client at concurrency 1/4/16/64 (cache on, as pipelines run it), a
requests-per-minute limit held over a 20 s window, and replies served from the cache.
Targets: >= 80% of concurrency x sequential throughput up to 16; rpm within 5%; >= 1,000 cache
hits/s. Run: python bench/bench_client.py
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openai  # noqa: E402

from generation.backend import resolve_backend  # noqa: E402
from generation.client import LLMClient, Request  # noqa: E402
from generation.testing.fake_openai import FakeOpenAI  # noqa: E402

LATENCY_S = 0.2
ROUNDS = 12  # requests per concurrency slot in each throughput run
RPM, RPM_WINDOW_S = 600, 20.0
CACHE_ENTRIES = 2000
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
        client.completions.create(model="fake-model", prompt=f"sequential {i}", max_tokens=16)
    return count / (time.perf_counter() - started)


def client_for(url: str, cache: Path, **options) -> LLMClient:
    config = resolve_backend("openai", model="fake-model", base_url=url, api_key=KEY)
    return LLMClient(config, cache=cache, **options)


async def batch_seconds(client: LLMClient, requests: list[Request]) -> float:
    started = time.perf_counter()
    try:
        results = await client.run_batch(requests)
    finally:
        await client.aclose()
    assert all(result.ok for result in results), "a bench request failed"
    return time.perf_counter() - started


def concurrent_rps(url: str, cache: Path, concurrency: int) -> float:
    count = concurrency * ROUNDS
    requests = [Request.completion(f"c{concurrency} {i}", max_tokens=16) for i in range(count)]
    seconds = asyncio.run(batch_seconds(client_for(url, cache, concurrency=concurrency), requests))
    return count / seconds


def achieved_rpm(cache: Path) -> float:
    """Requests arriving at the server in a 20 s window, as a per-minute rate."""
    count = int(RPM / 60 * RPM_WINDOW_S) + 20  # keep the limiter busy past the window
    with FakeOpenAI(latency=LATENCY_S) as fake:
        client = client_for(fake.url, cache, concurrency=64, rpm=RPM)
        requests = [Request.chat(f"rpm {i}", max_tokens=16) for i in range(count)]
        asyncio.run(batch_seconds(client, requests))
        first = fake.arrivals[0]
        in_window = sum(1 for t in fake.arrivals if t < first + RPM_WINDOW_S)
    return in_window / RPM_WINDOW_S * 60


def cache_hits_per_second(cache: Path) -> float:
    requests = [Request.chat(f"cached {i}", max_tokens=16) for i in range(CACHE_ENTRIES)]
    with FakeOpenAI() as fake:
        asyncio.run(batch_seconds(client_for(fake.url, cache, concurrency=64), requests))
        paid = sum(fake.paid.values())
        seconds = asyncio.run(batch_seconds(client_for(fake.url, cache, concurrency=64), requests))
        assert sum(fake.paid.values()) == paid, "a cached request reached the server"
    return CACHE_ENTRIES / seconds


def main() -> None:
    process, url = start_server_process(LATENCY_S)
    with tempfile.TemporaryDirectory() as folder:
        cache = Path(folder) / "bench.sqlite"
        try:
            sequential = sequential_rps(url, ROUNDS * 2)
            ours = {c: concurrent_rps(url, cache, c) for c in (1, 4, 16, 64)}
        finally:
            process.terminate()
            process.wait()
        rpm = achieved_rpm(cache)
        hits = cache_hits_per_second(Path(folder) / "hits.sqlite")

    print(f"Fake endpoint, {LATENCY_S * 1000:.0f} ms per reply\n")
    print(f"{'run':<34}{'req/s':>9}{'ideal':>9}{'of ideal':>10}  target")
    print(f"{'reference: sequential (SDK loop)':<34}{sequential:>9.1f}")
    for concurrency, rps in ours.items():
        ideal = concurrency * sequential
        target = ">= 80%" if concurrency <= 16 else "-"
        label = f"ours, concurrency {concurrency}"
        print(f"{label:<34}{rps:>9.1f}{ideal:>9.1f}{rps / ideal:>10.0%}  {target}")
    off = rpm / RPM - 1
    print(
        f"\nrpm limit {RPM}: achieved {rpm:.0f}/min over {RPM_WINDOW_S:.0f} s ({off:+.1%}; "
        "target within 5%)"
    )
    print(f"cache hits: {hits:,.0f}/s (target >= 1,000/s)")


if __name__ == "__main__":
    main()
