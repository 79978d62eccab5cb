"""Which failures are worth retrying, how long to wait, and the cause to report otherwise."""

from __future__ import annotations

import email.utils
import random
import time
from dataclasses import dataclass

import openai

# What OpenAI's own SDK retries: timeouts, conflicts, rate limits and server errors.
RETRYABLE_STATUS = frozenset({408, 409, 429})


class MalformedReply(Exception):
    """The body was not the JSON an OpenAI-compatible server sends; worth another try."""


@dataclass(frozen=True)
class Failure:
    cause: str
    retryable: bool
    status: int | None = None
    retry_after: float | None = None


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    base_delay: float = 1.0
    max_delay: float = 60.0
    max_retry_after: float = 600.0

    def __post_init__(self):
        if self.max_attempts < 1:
            raise ValueError("max_attempts counts the first try too: it must be at least 1")

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
        detail = error.__cause__ or error
        return Failure(f"connection error: {type(detail).__name__}: {detail}", retryable=True)
    if isinstance(error, openai.APIStatusError):
        status = error.status_code
        return Failure(
            f"HTTP {status}: {_server_message(error)}",
            retryable=status in RETRYABLE_STATUS or status >= 500,
            status=status,
            retry_after=retry_after_seconds(error.response.headers),
        )
    return Failure(f"{type(error).__name__}: {error}", retryable=False)


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
