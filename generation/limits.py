"""Requests-per-minute and tokens-per-minute limits, as start-time reservations.

Requests are paced evenly, one every 60/rpm seconds (no initial burst, so a minute-long window
never overshoots). Tokens come from a bucket holding one minute's budget, refilled continuously;
a request reserves its estimate up front and settles with the real usage when the reply arrives.
Reservations are plain arithmetic under a lock, so waiting happens outside it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

CHARS_PER_TOKEN = 4
DEFAULT_OUTPUT_TOKENS = 256  # estimate when a request sets no max_tokens


def estimate_tokens(prompt_chars: int, max_tokens: int | None, choices: int = 1) -> int:
    """Prompt at ~4 characters a token plus the most the reply may use."""
    output = max_tokens if max_tokens is not None else DEFAULT_OUTPUT_TOKENS
    return prompt_chars // CHARS_PER_TOKEN + 1 + output * choices


class RateLimiter:
    def __init__(
        self,
        rpm: float | None = None,
        tpm: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.rpm = rpm
        self.tpm = tpm
        self._clock = clock
        self._lock = threading.Lock()
        self._next_start = 0.0
        self._paused_until = 0.0
        self._tokens = float(tpm or 0)
        self._refilled_at = clock()

    def reserve(self, estimate: int) -> float:
        """Claim a start time for a request of `estimate` tokens; return seconds to wait."""
        with self._lock:
            now = self._clock()
            start = max(now, self._next_start, self._paused_until)
            if self.tpm:
                self._refill(now)
                # A request larger than the whole budget waits for a full bucket, not forever.
                missing = min(estimate, self.tpm) - self._tokens
                if missing > 0:
                    start = max(start, now + missing * 60.0 / self.tpm)
                self._tokens -= estimate
            if self.rpm:
                self._next_start = start + 60.0 / self.rpm
            return start - now

    def settle(self, estimate: int, actual: int) -> None:
        """Correct a reservation with the tokens really used (0 for a failed attempt)."""
        if self.tpm:
            with self._lock:
                self._tokens = min(self._tokens + estimate - actual, float(self.tpm))

    def pause(self, seconds: float) -> None:
        """Hold every new start for `seconds` (the server said Retry-After)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)

    def _refill(self, now: float) -> None:
        self._tokens = min(
            float(self.tpm), self._tokens + (now - self._refilled_at) * self.tpm / 60
        )
        self._refilled_at = now
