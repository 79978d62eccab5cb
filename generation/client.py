"""One async client for any OpenAI-compatible endpoint, chat and completions alike.

Every generation pipeline goes through it, so limits, retries, the reply cache, usage and cost
live in one place. The SDK's own retries are off (max_retries=0): ours are the only ones, and a
request that still fails comes back as a RequestFailed carrying its cause, never as "".
`reply.truncated` says when the length limit cut a reply; nothing treats that as complete.
An identical request in flight is sent once: within a process it waits for the one sent, and
across processes it is claimed in the shared reply cache first (generation.cache).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import openai

from generation import local_llm
from generation.backend import (
    KEYLESS_PLACEHOLDER,
    LOCAL,
    BackendConfig,
    resolve_backend,
    sdk_location,
)
from generation.cache import ReplyCache, request_key
from generation.errors import RequestFailed
from generation.limits import RateLimiter, estimate_tokens
from generation.pricing import load_prices, price_for
from generation.retry import MalformedReply, RetryPolicy, classify
from generation.usage import UsageCounter

CHAT = "chat"
COMPLETION = "completion"
KINDS = (CHAT, COMPLETION)
AUTO_API = "auto"  # what a pipeline's `api` setting may say besides the two kinds
APIS = (AUTO_API, COMPLETION, CHAT)

LOCAL_CONCURRENCY = 1  # llama.cpp's server answers one request at a time
REMOTE_CONCURRENCY = 8
LOCAL_TIMEOUT_S = 600.0  # CPU generation is slow
REMOTE_TIMEOUT_S = 120.0
CLAIM_POLL_S = 0.1  # how often a request another process holds is looked at again


def resolved_api(api: str, backend_kind: str) -> str:
    """The kind of request a pipeline sends: `auto` is completion on the embedded model (the
    papers' prompts are text to continue) and chat on a remote endpoint (most serve chat only)."""
    if api != AUTO_API:
        return api
    return COMPLETION if backend_kind == LOCAL else CHAT


def default_concurrency(backend_kind: str) -> int:
    """Requests in flight when none is asked for: one for the embedded server, eight remote."""
    return LOCAL_CONCURRENCY if backend_kind == LOCAL else REMOTE_CONCURRENCY


@dataclass(frozen=True)
class Request:
    """One prompt and its sampling parameters (temperature, max_tokens, stop, n, ...).

    `prompt` is the completion text, or for chat either one user message or a sequence of
    {"role", "content"} messages. `repeat` numbers deliberate repeats of the same request, so
    each gets its own cache entry instead of the first reply again.
    """

    prompt: str | Sequence[Mapping[str, str]]
    kind: str = CHAT
    params: Mapping[str, Any] = field(default_factory=dict)
    repeat: int = 0

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {self.kind!r}")
        if self.kind == COMPLETION and not isinstance(self.prompt, str):
            raise ValueError("a completion prompt is one string")
        if self.params.get("stream"):
            raise ValueError("streaming is not supported: replies are cached whole")

    @classmethod
    def chat(cls, prompt: str | Sequence[Mapping[str, str]], *, repeat: int = 0, **params):
        return cls(prompt, CHAT, params, repeat)

    @classmethod
    def completion(cls, prompt: str, *, repeat: int = 0, **params):
        return cls(prompt, COMPLETION, params, repeat)

    def payload(self) -> str | list[dict[str, str]]:
        """The prompt as sent: the text, or the list of chat messages."""
        if self.kind == COMPLETION:
            return self.prompt
        if isinstance(self.prompt, str):
            return [{"role": "user", "content": self.prompt}]
        return [dict(message) for message in self.prompt]

    def prompt_chars(self) -> int:
        if isinstance(self.prompt, str):
            return len(self.prompt)
        return sum(len(message.get("content") or "") for message in self.prompt)


@dataclass(frozen=True)
class Choice:
    text: str
    finish_reason: str | None


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True)
class Reply:
    """A reply with every choice's finish reason, its usage and cost (None: model not priced).

    `cached` replies cost nothing this time; `attempts` and `retry_causes` tell what it took.
    `repaid` counts the times a process sent this request and died before its reply came: each
    such reply was most likely billed too, so a run's cost counts this one that much more.
    """

    choices: tuple[Choice, ...]
    usage: Usage
    model: str
    key: str
    cost: float | None
    cached: bool = False
    attempts: int = 1
    retry_causes: tuple[str, ...] = ()
    repaid: int = 0

    ok = True

    @property
    def text(self) -> str:
        return self.choices[0].text

    @property
    def finish_reason(self) -> str | None:
        return self.choices[0].finish_reason

    @property
    def truncated(self) -> bool:
        """True when the length limit cut any choice: the text is incomplete."""
        return any(choice.finish_reason == "length" for choice in self.choices)

    def to_record(self) -> dict:
        record = {
            "choices": [[choice.text, choice.finish_reason] for choice in self.choices],
            "usage": [self.usage.prompt_tokens, self.usage.completion_tokens],
            "model": self.model,
        }
        if self.repaid:
            record["repaid"] = self.repaid
        return record


Result = Reply | RequestFailed


class BatchStopped(Exception):
    """A batch's `stop` said so: the requests in flight were answered (and cached), no other
    one was sent."""


@dataclass(frozen=True)
class Progress:
    """What a batch has done so far. tokens and cost count only what this batch paid; `used`
    counts every result as a run does (cached replies too, see generation.usage)."""

    done: int
    total: int
    failed: int
    cached: int
    truncated: int
    tokens: int
    cost: float
    used: UsageCounter = field(default_factory=UsageCounter)

    @classmethod
    def of(cls, paid: UsageCounter, used: UsageCounter, total: int) -> Progress:
        return cls(
            done=paid.requests,
            total=total,
            failed=paid.failed,
            cached=paid.cached,
            truncated=paid.truncated,
            tokens=paid.total_tokens,
            cost=paid.cost,
            used=replace(used),
        )


def parse_reply(text: str, kind: str) -> tuple[tuple[Choice, ...], Usage, str | None]:
    """Choices, usage and served model from a response body; MalformedReply if it is not one."""
    try:
        body = json.loads(text)
    except ValueError as error:
        raise MalformedReply(f"invalid JSON ({error}); body starts {text[:80]!r}") from None
    try:
        ordered = sorted(body["choices"], key=lambda choice: choice.get("index", 0))
        choices = tuple(
            Choice(
                (choice["message"]["content"] or "") if kind == CHAT else choice["text"],
                choice.get("finish_reason"),
            )
            for choice in ordered
        )
        usage = body.get("usage") or {}
        tokens = Usage(
            int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0)
        )
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise MalformedReply(f"not a {kind} reply: {type(error).__name__}: {error}") from None
    if not choices:
        raise MalformedReply("the reply has no choices")
    return choices, tokens, body.get("model")


@dataclass
class _LoopState:
    """What binds to one event loop: the SDK's HTTP pool, the concurrency slots, the
    requests in flight (an identical request waits for the one already sent), and the last
    fatal failure with the moment it came (requests queued before it are not sent)."""

    loop: asyncio.AbstractEventLoop
    base_url: str
    sdk: openai.AsyncOpenAI
    slots: asyncio.Semaphore
    in_flight: dict[str, asyncio.Future] = field(default_factory=dict)
    refusal: tuple[float, RequestFailed] | None = None


class LLMClient:
    """Async client. Use from one event loop at a time; SyncLLMClient wraps it for plain code.

    cache: True for the workspace cache, a path for another file, False for none.
    prices: a price table path (default: WORKBENCH_PRICES, else generation/prices.json).
    """

    def __init__(
        self,
        config: BackendConfig | None = None,
        *,
        concurrency: int | None = None,
        rpm: float | None = None,
        tpm: float | None = None,
        timeout: float | None = None,
        retry: RetryPolicy | None = None,
        cache: bool | str | Path = True,
        prices: str | Path | None = None,
    ):
        self.config = config or resolve_backend()
        self.concurrency = concurrency or default_concurrency(self.config.kind)
        local = self.config.kind == LOCAL
        self.timeout = timeout or (LOCAL_TIMEOUT_S if local else REMOTE_TIMEOUT_S)
        self.retry = retry or RetryPolicy()
        self.limiter = RateLimiter(rpm, tpm)
        self.cache = ReplyCache() if cache is True else ReplyCache(cache) if cache else None
        self.price = price_for(load_prices(prices), self.config.model)
        self.usage = UsageCounter()  # what this client paid for
        self._identity = self.config.identity
        self._state: _LoopState | None = None

    def __repr__(self) -> str:
        key = "***" if self.config.api_key else None
        return (
            f"LLMClient(backend={self.config.kind!r}, endpoint={self.config.endpoint!r}, "
            f"model={self.config.model!r}, api_key={key!r}, concurrency={self.concurrency})"
        )

    def key(self, request: Request) -> str:
        return request_key(
            self._identity,
            self.config.model,
            request.kind,
            dict(request.params),
            request.payload(),
            request.repeat,
        )

    async def chat(self, prompt, *, repeat: int = 0, **params) -> Reply:
        return await self.generate(Request.chat(prompt, repeat=repeat, **params))

    async def complete(self, prompt: str, *, repeat: int = 0, **params) -> Reply:
        return await self.generate(Request.completion(prompt, repeat=repeat, **params))

    async def generate(self, request: Request, stop: Callable[[], bool] | None = None) -> Reply:
        """The reply, from the cache when this exact request was answered before; raises
        RequestFailed when retries run out or the failure is not worth retrying, and
        BatchStopped when `stop()` is true at the moment it would be sent."""
        try:
            reply = await self._reply(request, stop)
        except RequestFailed as failure:
            self.usage.add(failure, paid_only=True)
            raise
        self.usage.add(reply, paid_only=True)
        return reply

    async def run_batch(
        self,
        requests: Iterable[Request],
        progress: Callable[[Progress], None] | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> list[Result]:
        """Results in input order: a Reply or the RequestFailed that says why there is none.
        A fatal RequestFailed (a wrong key, no such model, nothing listening) is raised at
        once instead: the requests still in flight are cancelled, no other one is sent.
        `stop` is asked before each request is sent; once it is true no other request is sent,
        and BatchStopped is raised when the ones in flight are answered (cancelling them would
        pay for them now and again later)."""
        requests = list(requests)
        results: list[Result | None] = [None] * len(requests)
        paid, used = UsageCounter(), UsageCounter()
        pending = iter(enumerate(requests))  # shared by the workers: each item is taken once

        async def worker() -> None:
            for index, request in pending:
                try:
                    result = await self.generate(request, stop)
                except BatchStopped:
                    return
                except RequestFailed as failure:
                    if failure.fatal:  # every other request would fail alike: stop the batch
                        raise
                    result = failure
                results[index] = result
                paid.add(result, paid_only=True)
                used.add(result)
                if progress:
                    progress(Progress.of(paid, used, len(requests)))

        # More workers than slots, so requests waiting out a backoff do not idle a slot.
        tasks = [
            asyncio.ensure_future(worker()) for _ in range(min(len(requests), 4 * self.concurrency))
        ]
        try:
            await asyncio.gather(*tasks)
        except BaseException:  # a fatal failure, or the local server cannot start: stop them all
            for task in tasks:
                task.cancel()
            raise
        if any(result is None for result in results):
            raise BatchStopped
        return results

    async def aclose(self) -> None:
        if self._state is not None:
            await self._state.sdk.close()
            self._state = None
        if self.cache is not None:
            self.cache.close()

    async def _reply(self, request: Request, stop: Callable[[], bool] | None) -> Reply:
        key = self.key(request)
        if self.cache is not None and (record := self.cache.get(key)) is not None:
            return self._from_record(record, key)  # no server needed, not even the local one
        state = await self._loop_state()
        pending = state.in_flight.get(key)
        if pending is not None:
            return replace(await asyncio.shield(pending), cached=True)
        future = state.loop.create_future()
        state.in_flight[key] = future
        try:
            reply = await self._claimed_reply(state, request, key, stop)
        except Exception as error:  # failed or stopped: a request waiting for this one is too
            future.set_exception(error)
            future.exception()  # retrieved: no "never retrieved" warning when nobody waited
            raise
        except BaseException:
            future.cancel()
            raise
        finally:
            del state.in_flight[key]
        future.set_result(reply)
        return reply

    async def _claimed_reply(
        self, state: _LoopState, request: Request, key: str, stop: Callable[[], bool] | None
    ) -> Reply:
        """Send a request once this process holds its claim in the shared cache; while another
        process holds it, wait for that one's reply (the wait ends with the other's lease)."""
        if self.cache is None:
            return await self._fetch(state, request, key, stop)
        lease = self.retry.max_attempts * (self.timeout + self.retry.max_delay)
        while not (claim := self.cache.claim(key, lease)).ours:
            if claim.reply is not None:
                return self._from_record(claim.reply, key)
            if stop is not None and stop():
                raise BatchStopped
            await asyncio.sleep(CLAIM_POLL_S)
        try:
            return await self._fetch(state, request, key, stop, claim.lost)
        except BaseException:
            self.cache.release(key)
            raise

    async def _fetch(
        self,
        state: _LoopState,
        request: Request,
        key: str,
        stop: Callable[[], bool] | None,
        lost: int = 0,
    ) -> Reply:
        estimate = estimate_tokens(
            request.prompt_chars(), request.params.get("max_tokens"), request.params.get("n") or 1
        )
        causes: list[str] = []
        queued = time.monotonic()
        for attempt in range(1, self.retry.max_attempts + 1):
            async with state.slots:
                if state.refusal is not None and state.refusal[0] >= queued:
                    raise state.refusal[1]  # the endpoint refused everyone meanwhile
                if stop is not None and stop():
                    raise BatchStopped
                wait = self.limiter.reserve(estimate)
                if wait > 0:
                    await asyncio.sleep(wait)
                if self.cache is not None:
                    self.cache.mark_sent(key)
                try:
                    text = await self._send(state.sdk, request)
                    choices, usage, served_model = parse_reply(text, request.kind)
                except Exception as error:  # classified below: retried or reported, never lost
                    failure = classify(error)
                    self.limiter.settle(estimate, 0)
                else:
                    self.limiter.settle(estimate, usage.total_tokens)
                    reply = Reply(
                        choices=choices,
                        usage=usage,
                        model=served_model or self.config.model,
                        key=key,
                        cost=self._cost(usage),
                        attempts=attempt,
                        retry_causes=tuple(causes),
                        repaid=lost,
                    )
                    if self.cache is not None:
                        self.cache.put(key, self.config.model, reply.to_record())
                    return reply
            causes.append(self.config.redact(failure.cause))
            if attempt >= self.retry.attempts_for(failure):
                break
            if failure.retry_after is not None:
                self.limiter.pause(self.retry.delay(attempt, failure.retry_after))
            await asyncio.sleep(self.retry.delay(attempt, failure.retry_after))
        failed = RequestFailed(
            endpoint=self.config.endpoint,
            model=self.config.model,
            cause=causes[-1],
            attempts=attempt,
            status=failure.status,
            hint=failure.hint,
        )
        if failed.fatal:
            state.refusal = (time.monotonic(), failed)
        raise failed

    async def _send(self, sdk: openai.AsyncOpenAI, request: Request) -> str:
        # Parameters travel as extra_body: the same JSON on the wire, and server-specific ones
        # (top_k, repeat_penalty, ...) pass through untouched. We parse the raw body ourselves
        # so that a malformed one is caught and retried.
        options = {"model": self.config.model, "extra_body": dict(request.params)}
        if request.kind == CHAT:
            create = sdk.chat.completions.with_raw_response.create
            raw = await create(messages=request.payload(), **options)
        else:
            raw = await sdk.completions.with_raw_response.create(prompt=request.prompt, **options)
        return raw.text

    def _cost(self, usage: Usage) -> float | None:
        if self.price is None:
            return None
        return self.price.cost(usage.prompt_tokens, usage.completion_tokens)

    def _from_record(self, record: dict, key: str) -> Reply:
        usage = Usage(*record["usage"])
        return Reply(
            choices=tuple(Choice(text, reason) for text, reason in record["choices"]),
            usage=usage,
            model=record["model"],
            key=key,
            cost=self._cost(usage),
            cached=True,
            attempts=0,
            repaid=record.get("repaid", 0),
        )

    async def _base_url(self) -> str:
        if self.config.kind != LOCAL:
            return self.config.base_url
        server = local_llm.running_server(self.config.model_path)
        if server is None:
            start = local_llm.ensure_server
            server = await asyncio.to_thread(start, self.config.model_path, self.config.model)
        return server.base_url

    async def _loop_state(self) -> _LoopState:
        base_url = await self._base_url()
        loop = asyncio.get_running_loop()
        state = self._state
        if state is None or state.loop is not loop or state.base_url != base_url:
            sdk_base_url, query = sdk_location(base_url)
            sdk = openai.AsyncOpenAI(
                api_key=self.config.api_key or KEYLESS_PLACEHOLDER,
                base_url=sdk_base_url,
                default_query=query,
                max_retries=0,
                timeout=self.timeout,
            )
            state = _LoopState(loop, base_url, sdk, asyncio.Semaphore(self.concurrency))
            self._state = state
        return state


class SyncLLMClient:
    """Blocking facade for notebooks and scripts. It runs the async client on its own event
    loop in a helper thread, so it also works where a loop is already running (Jupyter)."""

    def __init__(self, client: LLMClient | None = None, **options):
        self.client = client or LLMClient(**options)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="llm-client-loop", daemon=True
        )
        self._thread.start()

    def __repr__(self) -> str:
        return f"SyncLLMClient({self.client!r})"

    def __enter__(self) -> SyncLLMClient:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    @property
    def usage(self) -> UsageCounter:
        return self.client.usage

    def generate(self, request: Request) -> Reply:
        return self._run(self.client.generate(request))

    def chat(self, prompt, *, repeat: int = 0, **params) -> Reply:
        return self._run(self.client.chat(prompt, repeat=repeat, **params))

    def complete(self, prompt: str, *, repeat: int = 0, **params) -> Reply:
        return self._run(self.client.complete(prompt, repeat=repeat, **params))

    def run_batch(
        self,
        requests: Iterable[Request],
        progress: Callable[[Progress], None] | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> list[Result]:
        """As LLMClient.run_batch; `progress` and `stop` are called from the helper thread."""
        return self._run(self.client.run_batch(requests, progress, stop))

    def close(self) -> None:
        if self._loop.is_closed():
            return
        self._run(self.client.aclose())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    def _run(self, coroutine):
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result()
        except BaseException:
            future.cancel()  # e.g. KeyboardInterrupt in a notebook: stop the work too
            raise
