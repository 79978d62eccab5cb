"""The client against a scripted fake endpoint: every fault retried or reported, none lost."""

from __future__ import annotations

import asyncio
import json
import random
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from analysis.paths import REPO_ROOT
from generation.__main__ import main
from generation.backend import backend_status, resolve_backend, safe_url
from generation.cache import HELD, Claim, ReplyCache
from generation.client import (
    LLMClient,
    Request,
    SyncLLMClient,
    default_concurrency,
    parse_reply,
)
from generation.errors import BackendError, RequestFailed
from generation.limits import RateLimiter
from generation.retry import MalformedReply, RetryPolicy, retry_after_seconds
from generation.testing.fake_openai import FakeOpenAI

RETRIED = {
    "429": "429",
    "429:0.05": "429",
    "500": "500",
    "timeout": "timeout",
    "drop": "connection error",
    "malformed": "malformed reply",
}


def run(coroutine):
    return asyncio.run(coroutine)


async def generate(client: LLMClient, request: Request):
    try:
        return await client.generate(request)
    finally:
        await client.aclose()


@pytest.mark.parametrize("fault", sorted(RETRIED))
def test_client_retries_fault_then_succeeds(fake, make_client, fault):
    fake.hang_seconds = 1.0
    fake.script("p", fault)
    reply = run(generate(make_client(), Request.chat("p")))
    assert reply.text == "echo: p"
    assert reply.attempts == 2
    assert RETRIED[fault] in reply.retry_causes[0]
    assert fake.received["p"] == 2
    assert fake.paid["p"] == 1


def test_client_reports_persistent_failure_with_cause_and_caches_nothing(fake, make_client):
    fake.script("p", "500", "500", "500")
    client = make_client(retry=RetryPolicy(max_attempts=3, base_delay=0.01))
    with pytest.raises(RequestFailed) as failure:
        run(generate(client, Request.chat("p")))
    assert failure.value.status == 500
    assert failure.value.attempts == 3
    assert "500" in str(failure.value)
    assert fake.received["p"] == 3
    assert len(ReplyCache(client.cache.path)) == 0
    reply = run(generate(make_client(), Request.chat("p")))  # not cached: asked again
    assert reply.text == "echo: p" and fake.received["p"] == 4


def test_client_does_not_retry_a_bad_request(fake, make_client):
    fake.script("p", "400")
    with pytest.raises(RequestFailed) as failure:
        run(generate(make_client(), Request.chat("p")))
    assert failure.value.status == 400
    assert failure.value.attempts == 1
    assert fake.received["p"] == 1


@pytest.mark.parametrize(("status", "hint"), [(401, "API key"), (403, "API key"), (404, "model")])
def test_client_batch_stops_at_once_when_the_endpoint_refuses_everyone(status, hint, api_key):
    with FakeOpenAI(refuse=status) as fake:
        config = resolve_backend("openai", model="fake-model", base_url=fake.url, api_key=api_key)
        client = LLMClient(config, concurrency=2, cache=False, retry=RetryPolicy(base_delay=0.01))

        async def batch():
            try:
                return await client.run_batch([Request.chat(f"p{i}") for i in range(30)])
            finally:
                await client.aclose()

        with pytest.raises(RequestFailed) as failure:
            run(batch())
    assert failure.value.fatal and failure.value.status == status
    assert sum(fake.received.values()) <= client.concurrency  # no other request was sent
    message = str(failure.value)
    assert fake.url in message and "fake-model" in message and f"HTTP {status}" in message
    assert hint in message and api_key not in message
    assert fake.authorizations == {f"Bearer {api_key}"}  # the server was given the key


def test_client_gives_a_refused_connection_a_few_attempts(api_key):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/v1"
    config = resolve_backend("openai", model="m", base_url=url, api_key=api_key)
    client = LLMClient(config, cache=False, retry=RetryPolicy(base_delay=0.01, max_delay=0.05))
    with pytest.raises(RequestFailed) as failure:
        run(generate(client, Request.chat("p")))
    assert failure.value.fatal and failure.value.attempts == RetryPolicy().unreachable_attempts
    assert "connection refused" in str(failure.value) and url in str(failure.value)


def test_client_keeps_truncated_reply_visible(fake, make_client):
    fake.script("p", "length")
    client = make_client()
    reply = run(generate(client, Request.completion("p", max_tokens=2)))
    assert reply.truncated
    assert reply.finish_reason == "length"
    assert fake.received["p"] == 1
    assert client.usage.truncated == 1


def test_client_honours_retry_after_over_its_own_backoff(fake, make_client):
    # Backoff alone would wait at least 60 s; the server asks for 0.1 s.
    fake.script("p", "429:0.1")
    client = make_client(retry=RetryPolicy(base_delay=120, max_delay=120))
    started = time.monotonic()
    reply = run(generate(client, Request.chat("p")))
    assert reply.text == "echo: p"
    assert time.monotonic() - started < 60


def test_client_batch_loses_and_duplicates_nothing(fake, make_client):
    prompts = [f"prompt {i}" for i in range(40)]
    faults = ["429", "429:0.02", "500", "timeout", "drop", "malformed"]
    chooser = random.Random(7)
    for prompt in prompts:
        fake.script(prompt, *chooser.sample(faults, chooser.randint(0, 3)))
    fake.hang_seconds = 0.8
    updates = []
    client = make_client(concurrency=8)

    async def batch():
        try:
            return await client.run_batch([Request.chat(p) for p in prompts], updates.append)
        finally:
            await client.aclose()

    results = run(batch())
    assert [result.text for result in results] == [f"echo: {p}" for p in prompts]
    assert fake.paid == Counter(prompts)
    assert [update.done for update in updates] == list(range(1, 41))
    assert updates[-1].failed == 0
    assert updates[-1].tokens == fake.prompt_tokens + fake.completion_tokens
    assert client.usage.total_tokens == fake.prompt_tokens + fake.completion_tokens


def test_client_batch_reports_failures_in_place(fake, make_client):
    fake.script("bad", "400")
    client = make_client()

    async def batch():
        try:
            return await client.run_batch([Request.chat(p) for p in ("a", "bad", "c")])
        finally:
            await client.aclose()

    first, bad, last = run(batch())
    assert first.ok and last.ok
    assert not bad.ok and isinstance(bad, RequestFailed) and bad.status == 400
    assert client.usage.failed == 1


def test_client_cache_serves_rerun_without_paying(fake, make_client):
    requests = [Request.chat(f"q{i}", temperature=0.7) for i in range(10)]

    async def batch(client):
        try:
            return await client.run_batch(requests)
        finally:
            await client.aclose()

    first = run(batch(make_client()))
    received = sum(fake.received.values())
    rerun_client = make_client()
    second = run(batch(rerun_client))
    assert sum(fake.received.values()) == received
    assert [r.text for r in second] == [r.text for r in first]
    assert all(r.cached for r in second)
    assert rerun_client.usage.cached == 10
    assert rerun_client.usage.total_tokens == 0


def test_client_repeats_and_samples_get_their_own_keys(fake, make_client):
    async def ask_all(client):
        try:
            for request in (
                Request.chat("p"),
                Request.chat("p", repeat=1),
                Request.chat("p", n=2),
                Request.chat("p"),
            ):
                replies.append(await client.generate(request))
        finally:
            await client.aclose()

    replies = []
    run(ask_all(make_client()))
    assert fake.received["p"] == 3
    assert [choice.text for choice in replies[2].choices] == ["echo 0: p", "echo 1: p"]
    assert replies[3].cached and not replies[1].cached


def test_client_sends_identical_requests_in_flight_once(fake, make_client):
    fake.latency = 0.2
    client = make_client(concurrency=4)

    async def batch():
        try:
            return await client.run_batch([Request.chat("same")] * 5)
        finally:
            await client.aclose()

    results = run(batch())
    assert [r.text for r in results] == ["echo: same"] * 5
    assert fake.received["same"] == 1


def test_client_passes_parameters_through(fake, make_client):
    request = Request.chat("p", temperature=0.7, top_k=40, stop=["\n\n"])
    run(generate(make_client(model="my-model"), request))
    body = fake.bodies[-1]
    assert (body["model"], body["temperature"], body["top_k"]) == ("my-model", 0.7, 40)
    assert body["stop"] == ["\n\n"]
    assert body["messages"] == [{"role": "user", "content": "p"}]


def test_client_never_writes_the_api_key(fake, make_client, tmp_path, api_key):
    fake.script("q", "400")
    client = make_client()
    sync = SyncLLMClient(client)
    sync.chat("p")
    with pytest.raises(RequestFailed) as failure:
        sync.chat("q")
    texts = [repr(client), repr(sync), repr(client.config), str(failure.value)]
    sync.close()
    assert fake.authorizations == {f"Bearer {api_key}"}  # the key was really used
    stored = b"".join(path.read_bytes() for path in tmp_path.rglob("*") if path.is_file())
    assert b"echo: p" in stored  # the reply itself is in the cache file
    assert api_key.encode() not in stored
    assert all(api_key not in text for text in texts)


def test_client_sends_a_query_key_but_never_shows_or_stores_it(fake, tmp_path, api_key):
    url = f"{fake.url}?api-version=2024-06-01&api-key={api_key}"
    config = resolve_backend("openai", model="m", base_url=url)
    client = SyncLLMClient(config=config, cache=tmp_path / "replies.sqlite")
    assert client.chat("p").text == "echo: p"
    assert fake.targets == [f"/v1/chat/completions?api-version=2024-06-01&api-key={api_key}"]
    fake.script("q", "404")  # its message repeats the path, key included
    with pytest.raises(RequestFailed) as failure:
        client.chat("q")
    client.close()
    assert f"api-key={api_key}" in fake.targets[-1] and "api-key=***" in str(failure.value)
    texts = [repr(client), config.endpoint, config.identity, str(failure.value)]
    assert all(api_key not in text for text in texts)
    assert api_key.encode() not in (tmp_path / "replies.sqlite").read_bytes()


def test_client_redacts_the_key_a_server_repeats_in_its_error(fake, make_client, api_key):
    fake.script("q", "400")
    with pytest.raises(RequestFailed) as failure:
        run(generate(make_client(), Request.chat("q")))
    assert "Invalid request sent with the key ***" in failure.value.cause
    assert api_key not in str(failure.value)


def test_client_sync_wrapper_works_inside_a_running_loop(fake, make_client):
    async def notebook_cell():
        with SyncLLMClient(make_client()) as client:
            return client.chat("p").text

    assert run(notebook_cell()) == "echo: p"


def test_client_cost_from_an_edited_price_table(fake, make_client, tmp_path):
    prices = tmp_path / "prices.json"
    table = {"m": {"input_per_million": 2.0, "output_per_million": 8.0}}
    prices.write_text(json.dumps({"models": table}))
    reply = run(generate(make_client(model="m-2024-01-01", prices=prices), Request.chat("a b c")))
    expected = (fake.prompt_tokens * 2.0 + fake.completion_tokens * 8.0) / 1e6
    assert reply.cost == pytest.approx(expected)
    assert reply.cost > 0
    unpriced = make_client(model="unknown-model", prices=prices)
    assert run(generate(unpriced, Request.chat("x"))).cost is None
    assert unpriced.usage.unpriced == 1


def test_client_bad_price_table_names_its_path(make_client, tmp_path):
    prices = tmp_path / "prices.json"
    prices.write_text("{not json")
    with pytest.raises(BackendError, match="prices.json"):
        make_client(prices=prices)


def test_client_parse_reply_rejects_bodies_that_are_not_replies():
    for body in ("{", "[]", '{"choices": []}', '{"choices": [{"text": "x"}]}'):
        with pytest.raises(MalformedReply):
            parse_reply(body, "chat")
    choices, usage, model = parse_reply(
        '{"model": "m", "choices": [{"index": 0, "text": "hi", "finish_reason": "length"}],'
        ' "usage": {"prompt_tokens": 3, "completion_tokens": 1}}',
        "completion",
    )
    assert (choices[0].text, choices[0].finish_reason, usage.total_tokens, model) == (
        "hi",
        "length",
        4,
        "m",
    )


def test_limits_rpm_paces_starts_evenly():
    limiter = RateLimiter(rpm=600, clock=lambda: 100.0)
    assert [round(limiter.reserve(10), 6) for _ in range(4)] == [0.0, 0.1, 0.2, 0.3]


def test_limits_tpm_waits_for_budget_and_settles_real_usage():
    now = [0.0]
    limiter = RateLimiter(tpm=600, clock=lambda: now[0])  # 10 tokens per second
    assert limiter.reserve(600) == 0.0
    assert limiter.reserve(100) == pytest.approx(10.0)  # the bucket is 100 tokens in debt
    limiter.settle(600, 300)  # the first request used half its estimate: 300 back
    assert limiter.reserve(100) == pytest.approx(0.0)
    now[0] = 1.0
    assert limiter.reserve(5000) == pytest.approx((600 - (100 + 10)) / 10)


def test_limits_pause_holds_new_starts():
    limiter = RateLimiter(clock=lambda: 50.0)
    limiter.pause(5.0)
    assert limiter.reserve(1) == 5.0


def test_retry_delay_backs_off_with_jitter_or_takes_retry_after():
    policy = RetryPolicy(base_delay=1.0, max_delay=8.0)
    assert policy.delay(3, retry_after=2.5) == 2.5
    for attempt, cap in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (9, 8.0)]:
        delays = [policy.delay(attempt) for _ in range(50)]
        assert all(cap / 2 <= delay <= cap for delay in delays)
        assert len(set(delays)) > 1


def test_retry_after_header_forms():
    assert retry_after_seconds({"retry-after": "2"}) == 2.0
    assert retry_after_seconds({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    future = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))
    assert 25 < retry_after_seconds({"retry-after": future}) <= 30
    assert retry_after_seconds({"retry-after": "soon"}) is None
    assert retry_after_seconds({}) is None


def test_backend_resolves_local_when_nothing_is_configured(monkeypatch):
    assert resolve_backend().kind == "local"
    monkeypatch.setenv("OPENAI_BASE_URL", "http://localhost:11434/v1/")
    monkeypatch.setenv("WORKBENCH_MODEL", "llama3.2")
    config = resolve_backend()
    assert (config.kind, config.base_url, config.model) == (
        "openai",
        "http://localhost:11434/v1",
        "llama3.2",
    )
    assert config.api_key  # a placeholder: keyless servers still need one for the SDK
    assert resolve_backend("local").kind == "local"


def test_backend_openai_without_key_or_url_is_an_error():
    with pytest.raises(BackendError, match="OPENAI_API_KEY"):
        resolve_backend("openai")
    with pytest.raises(BackendError, match="unknown backend"):
        resolve_backend("anthropic")


def test_backend_safe_url_drops_credentials():
    assert safe_url("https://user:secret@host:8000/v1/") == "https://host:8000/v1"
    assert (
        safe_url("https://host/v1/?api-version=2024&api-key=s3&token=t&sig=x")
        == "https://host/v1?api-version=2024&api-key=***&token=***&sig=***"
    )


def test_backend_redacts_the_key_and_the_url_credentials():
    config = resolve_backend(
        "openai", base_url="http://u:p%40ss@h/v1?key=k%2F1&x=keep", api_key="sk-1"
    )
    assert config.redact("sk-1, p@ss, p%40ss, k/1, k%2F1, keep") == "***, ***, ***, ***, ***, keep"
    assert resolve_backend("openai", base_url="http://h/v1").redact("not-needed") == "not-needed"


def test_backend_status_reports_reachability(fake, api_key):
    config = resolve_backend("openai", model="fake-model", base_url=fake.url, api_key=api_key)
    status = backend_status(config)
    assert status == {"endpoint": fake.url, "model": "fake-model", "reachable": True, "error": None}
    other = resolve_backend("openai", model="other", base_url=fake.url, api_key=api_key)
    assert "fake-model" in backend_status(other)["error"]
    closed = resolve_backend("openai", base_url="http://127.0.0.1:9/v1", api_key=api_key)
    status = backend_status(closed, timeout=1)
    assert status["reachable"] is False and status["error"]


def test_ask_prints_reply_finish_reason_and_usage(fake, monkeypatch, capsys, api_key):
    monkeypatch.setenv("OPENAI_API_KEY", api_key)
    code = main(["ask", "hello there", "--base-url", fake.url, "--model", "fake-model"])
    out, err = capsys.readouterr()
    assert code == 0
    assert out == "echo: hello there\n"
    assert "finish_reason: stop" in err
    assert "2 prompt + 3 completion = 5 tokens" in err


def test_ask_reports_a_failed_request(fake, monkeypatch, capsys, api_key):
    monkeypatch.setenv("OPENAI_API_KEY", api_key)
    fake.script("hi", "400")
    assert main(["ask", "hi", "--base-url", fake.url, "--no-cache"]) == 2
    assert "HTTP 400" in capsys.readouterr().err


BATCH_RUNNER = """
import json, sys
from generation.backend import resolve_backend
from generation.client import Request, SyncLLMClient
url, cache, count, concurrency = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
config = resolve_backend("openai", model="fake-model", base_url=url, api_key="sk-runner")
with SyncLLMClient(config=config, cache=cache, concurrency=concurrency) as client:
    results = client.run_batch([Request.chat(f"prompt {i}") for i in range(count)])
print(json.dumps([[result.text, result.repaid] for result in results]))
"""


def _batch_runner(url: str, cache: Path, count: int, concurrency: int) -> subprocess.Popen:
    command = [sys.executable, "-c", BATCH_RUNNER, url, str(cache), str(count), str(concurrency)]
    return subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE)


def test_client_resumes_after_sigkill_without_paying_twice(fake, tmp_path):
    fake.latency = 0.05
    count, concurrency = 80, 4
    cache = tmp_path / "resume.sqlite"
    prompts = [f"prompt {i}" for i in range(count)]
    command = [sys.executable, "-c", BATCH_RUNNER, fake.url, str(cache), str(count), "4"]
    first = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while sum(fake.paid.values()) < 20 and time.monotonic() < deadline:
        time.sleep(0.01)
    first.kill()  # SIGKILL: no cleanup runs
    first.wait()
    paid_before = Counter(fake.paid)
    assert 20 <= sum(paid_before.values()) < count  # killed mid-batch

    keys = LLMClient(
        resolve_backend("openai", model="fake-model", base_url=fake.url, api_key="sk-runner"),
        cache=False,
    )
    stored = ReplyCache(cache)
    cached = {p for p in prompts if stored.get(keys.key(Request.chat(p))) is not None}
    assert cached <= set(paid_before)
    assert len(set(paid_before) - cached) <= concurrency  # only replies in flight were lost

    fake.reset_counts()
    second = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, check=True, timeout=120)
    assert [text for text, _ in json.loads(second.stdout)] == [f"echo: {p}" for p in prompts]
    assert not cached & set(fake.received)  # nothing that had completed was paid for again
    assert all(fake.paid[p] == 1 for p in prompts if p not in paid_before)
    assert all(paid_before[p] + fake.paid[p] <= 2 for p in prompts)


def test_client_two_processes_sending_the_same_requests_pay_once(fake, tmp_path):
    fake.latency = 0.05
    count = 60
    runners = [_batch_runner(fake.url, tmp_path / "shared.sqlite", count, 4) for _ in range(2)]
    outputs = [json.loads(runner.communicate(timeout=120)[0]) for runner in runners]
    expected = [[f"echo: prompt {i}", 0] for i in range(count)]
    assert outputs == [expected, expected]
    assert fake.paid == Counter(f"prompt {i}" for i in range(count))  # each paid once


def test_client_takes_over_a_request_whose_owner_was_killed(tmp_path):
    cache = tmp_path / "shared.sqlite"
    runners: dict[str, subprocess.Popen] = {}

    def responder(prompt, body):
        if prompt == "prompt 0" and "second" not in runners:
            runners["second"] = _batch_runner(fake.url, cache, 12, 4)
            deadline = time.monotonic() + 60
            while len(fake.arrivals) < 2:  # the second process is at work, waiting on this one
                assert time.monotonic() < deadline, "the second process sent nothing"
                time.sleep(0.02)
            runners["first"].kill()
            runners["first"].wait()
            return None  # the first process died waiting for this reply
        return f"echo: {prompt}"

    with FakeOpenAI(responder=responder) as fake:
        # One request at a time: "prompt 0" is sent, prompts 1-3 are claimed but wait for a slot.
        runners["first"] = _batch_runner(fake.url, cache, 12, 1)
        assert runners["first"].wait(timeout=60) == -signal.SIGKILL
        output = json.loads(runners["second"].communicate(timeout=60)[0])
    assert output == [[f"echo: prompt {i}", int(i == 0)] for i in range(12)]  # 0 was paid twice
    assert fake.received["prompt 0"] == 2
    assert fake.paid == Counter(f"prompt {i}" for i in range(12))


def test_cache_claim_waits_for_a_live_owner_and_takes_over_an_expired_lease(tmp_path):
    first, second = ReplyCache(tmp_path / "c.sqlite"), ReplyCache(tmp_path / "c.sqlite")
    assert first.claim("k", lease_s=0.3).ours
    assert second.claim("k", lease_s=60) == HELD  # its owner lives and its lease runs
    first.mark_sent("k")
    time.sleep(0.4)
    taken = second.claim("k", lease_s=60)
    assert taken.ours and taken.lost == 1  # the lease ran out after the request had left
    second.put("k", "m", {"reply": 1})
    assert first.claim("k", lease_s=60) == Claim(reply={"reply": 1})


def test_client_default_concurrency_is_one_for_the_embedded_server(make_client):
    assert default_concurrency("local") == 1
    assert default_concurrency("openai") == make_client().concurrency > 1
