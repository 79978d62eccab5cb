"""Which failures are worth retrying, how long to wait, and the cause to report otherwise.

Some failures say nothing about the request and everything about the endpoint: a wrong key
(401), no permission (403), no such model or route (404), a URL that is not one, nothing
listening at the address. Every other request would fail the same way, so they are `fatal`:
the batch stops at once instead of paying retries for each request. A refused connection
gets a few attempts first (a server restarting), the rest none.
"""

from __future__ import annotations

import email.utils
import random
import socket
import time
from dataclasses import dataclass

import httpx2
import openai

from analysis.errors import Errors

# What OpenAI's own SDK retries: timeouts, conflicts, rate limits and server errors.
RETRYABLE_STATUS = frozenset({408, 409, 429})
# The endpoint refuses everyone: a wrong key or no permission or no credit; no such model.
FATAL_HINTS = {401: Errors.E063, 402: Errors.E063, 403: Errors.E063, 404: Errors.E064}


class MalformedReply(Exception):
    """The body was not the JSON an OpenAI-compatible server sends; worth another try."""


@dataclass(frozen=True)
class Failure:
    cause: str
    retryable: bool
    status: int | None = None
    retry_after: float | None = None
    hint: str | None = None  # set when every request would fail alike: what to check

    @property
    def fatal(self) -> bool:
        """Every request to this endpoint would fail alike: stop the batch."""
        return self.hint is not None


@dataclass(frozen=True)
class RetryPolicy:
    """max_attempts counts the first try; a refused connection gets `unreachable_attempts`."""

    max_attempts: int = 6
    base_delay: float = 1.0
    max_delay: float = 60.0
    max_retry_after: float = 600.0
    unreachable_attempts: int = 3

    def __post_init__(self):
        if min(self.max_attempts, self.unreachable_attempts) < 1:
            raise ValueError("attempts count the first try too: they must be at least 1")

    def attempts_for(self, failure: Failure) -> int:
        """How many attempts a request failing this way gets in all."""
        if not failure.retryable:
            return 1
        if failure.fatal:
            return min(self.max_attempts, self.unreachable_attempts)
        return self.max_attempts

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds before retry number `attempt` (1-based): the server's Retry-After when it
        sent one, else exponential backoff with jitter in [cap/2, cap]."""
        if retry_after is not None:
            return min(retry_after, self.max_retry_after)
        cap = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return cap / 2 + random.uniform(0, cap / 2)


def classify(error: Exception) -> Failure:
    if isinstance(error, MalformedReply):
        return Failure(f"malformed reply: {error}", retryable=True)
    if isinstance(error, openai.APITimeoutError):
        return Failure("timeout: no reply in time", retryable=True)
    if isinstance(error, openai.APIConnectionError):
        return _connection_failure(error)
    if isinstance(error, openai.APIStatusError):
        status = error.status_code
        return Failure(
            f"HTTP {status}: {_server_message(error)}",
            retryable=status in RETRYABLE_STATUS or status >= 500,
            status=status,
            retry_after=retry_after_seconds(error.response.headers),
            hint=FATAL_HINTS.get(status),
        )
    return Failure(f"{type(error).__name__}: {error}", retryable=False)


def _connection_failure(error: openai.APIConnectionError) -> Failure:
    """Nothing listening or no such host: fatal after a few tries; a URL the HTTP library
    cannot use: fatal at once; a connection dropped mid-request: worth another try."""
    chain = []
    cause: BaseException | None = error.__cause__ or error
    while cause is not None and cause not in chain:
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    for cause in chain:
        if isinstance(cause, ConnectionRefusedError):
            return Failure(f"connection refused: {cause}", retryable=True, hint=Errors.E065)
        if isinstance(cause, socket.gaierror):
            return Failure(f"unknown host: {cause}", retryable=True, hint=Errors.E065)
        if isinstance(cause, httpx2.UnsupportedProtocol | httpx2.InvalidURL):
            return Failure(f"not a usable URL: {cause}", retryable=False, hint=Errors.E066)
    detail = chain[0]
    return Failure(f"connection error: {type(detail).__name__}: {detail}", retryable=True)


def _server_message(error: openai.APIStatusError) -> str:
    body = error.body
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return body["message"]
    return error.message


def retry_after_seconds(headers) -> float | None:
    """Retry-After-Ms, or Retry-After as seconds or an HTTP date; None when absent or bad."""
    if value := headers.get("retry-after-ms"):
        try:
            return max(float(value) / 1000, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(moment.timestamp() - time.time(), 0.0)
