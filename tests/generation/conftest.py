"""Shared fixtures: a scripted fake endpoint and an environment with no backend configured."""

from __future__ import annotations

import pytest

from generation.backend import resolve_backend
from generation.client import LLMClient
from generation.retry import RetryPolicy
from generation.testing.fake_openai import FakeOpenAI

BACKEND_VARIABLES = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "WORKBENCH_MODEL",
    "WORKBENCH_BACKEND",
    "WORKBENCH_PRICES",
)
TEST_KEY = "sk-test-9f8e7d6c5b4a39281706"


@pytest.fixture
def api_key() -> str:
    """A distinctive key, so tests can grep files and texts for it."""
    return TEST_KEY


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    for name in BACKEND_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "workspace"))


@pytest.fixture
def fake():
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def make_client(fake, tmp_path):
    """A client on the fake endpoint with quick backoff; keyword arguments override."""

    def make(**options) -> LLMClient:
        config = resolve_backend(
            "openai", model=options.pop("model", "gpt-4o-mini"), base_url=fake.url, api_key=TEST_KEY
        )
        options.setdefault("cache", tmp_path / "replies.sqlite")
        options.setdefault("retry", RetryPolicy(base_delay=0.01, max_delay=0.05))
        options.setdefault("timeout", 0.5)
        return LLMClient(config, **options)

    return make
