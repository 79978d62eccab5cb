"""Cost of a reply from a user-editable price table (generation/prices.json by default)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import Errors
from analysis.paths import prices_path
from generation.errors import BackendError


@dataclass(frozen=True)
class Price:
    input_per_million: float
    output_per_million: float

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (
            prompt_tokens * self.input_per_million + completion_tokens * self.output_per_million
        ) / 1e6


def load_prices(path: str | Path | None = None) -> dict[str, Price]:
    """Model name -> Price from `path`, else WORKBENCH_PRICES, else the bundled table."""
    path = prices_path(path)
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
        return {name: Price(**entry) for name, entry in table["models"].items()}
    except (OSError, ValueError, KeyError, TypeError) as error:
        problem = f"{type(error).__name__}: {error}; expected "
        problem += '{"models": {"name": {"input_per_million": x, "output_per_million": y}}}'
        raise BackendError(Errors.E023.format(path=path, problem=problem)) from error


def price_for(prices: dict[str, Price], model: str) -> Price | None:
    """Exact name, else the longest listed name the model starts with (dated snapshots)."""
    if model in prices:
        return prices[model]
    prefixes = [name for name in prices if model.startswith(name)]
    return prices[max(prefixes, key=len)] if prefixes else None
