"""One usage counter for the client's bill and a run's totals; one way to write a cost."""

from __future__ import annotations

import pytest

from generation.client import Choice, Reply, Usage
from generation.errors import RequestFailed
from generation.usage import UsageCounter, cost_text


def _reply(cost: float | None = 0.5, cached: bool = False, finish: str = "stop") -> Reply:
    return Reply((Choice("x", finish),), Usage(10, 5), "m", "key", cost, cached=cached)


FAILED = RequestFailed(endpoint="e", model="m", cause="HTTP 400", attempts=1)


def test_usage_run_totals_count_cached_replies_the_bill_does_not():
    used, paid = UsageCounter(), UsageCounter()
    for result in (_reply(), _reply(cached=True), _reply(finish="length"), FAILED):
        used.add(result)
        paid.add(result, paid_only=True)
    assert (used.requests, used.failed, used.cached, used.truncated) == (4, 1, 1, 1)
    assert (used.total_tokens, used.cost) == (45, 1.5)
    assert (paid.requests, paid.cached, paid.total_tokens, paid.cost) == (4, 1, 30, 1.0)


def test_usage_counters_add_up_and_round_trip():
    first, second = UsageCounter(), UsageCounter()
    first.add(_reply())
    second.add(_reply(cost=None))
    total = sum((first, second), UsageCounter())
    assert (total.requests, total.total_tokens, total.cost, total.unpriced) == (2, 30, 0.5, 1)
    assert UsageCounter.from_dict(total.to_dict() | {"tokens": 30}) == total


@pytest.mark.parametrize(
    ("cost", "unpriced", "text"),
    [
        (0.0, 0, "$0.0000"),
        (0.01234, 0, "$0.0123"),
        (0.01234, 2, "$0.0123 + 2 unpriced"),
        (0.0, 3, "unknown (model not in the price table)"),
    ],
)
def test_usage_cost_text(cost, unpriced, text):
    assert cost_text(UsageCounter(cost=cost, unpriced=unpriced)) == text


def test_usage_cost_text_of_one_reply_shows_more_digits():
    assert cost_text(UsageCounter(cost=0.0000123), digits=6) == "$0.000012"
