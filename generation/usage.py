"""Requests, tokens and cost: counted one way (UsageCounter) and written one way (cost_text).

Two questions use the same counter. The client's bill asks what this client *paid*: a reply
served from the reply cache adds no tokens or cost (`paid_only`). A run's totals ask what the
work *cost*, cached or not, so a resumed run reports what an uninterrupted one does, plus the
replies lost in flight when a process died and paid again (`repaid`, each counted at the cost
of the reply that replaced it).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from generation.client import Result


@dataclass
class UsageCounter:
    requests: int = 0  # replies and failures
    failed: int = 0
    cached: int = 0
    truncated: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    unpriced: int = 0  # counted replies whose model has no price in the table
    repaid: int = 0  # replies lost in flight with a killed process, paid again (in the cost)

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def add(self, result: Result, *, paid_only: bool = False) -> None:
        self.requests += 1
        if not result.ok:
            self.failed += 1
            return
        self.cached += result.cached
        self.truncated += result.truncated
        if paid_only and result.cached:
            return
        times = 1 if paid_only else 1 + result.repaid
        self.repaid += times - 1
        self.prompt_tokens += times * result.usage.prompt_tokens
        self.completion_tokens += times * result.usage.completion_tokens
        if result.cost is None:
            self.unpriced += 1
        else:
            self.cost += times * result.cost

    def __add__(self, other: UsageCounter) -> UsageCounter:
        return UsageCounter(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> UsageCounter:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def cost_text(usage: UsageCounter, digits: int = 4) -> str:
    """Dollars, with the replies no price covers; "unknown" when none had a price."""
    if usage.unpriced and not usage.cost:
        return "unknown (model not in the price table)"
    note = f" + {usage.unpriced} unpriced" if usage.unpriced else ""
    return f"${usage.cost:.{digits}f}{note}"
