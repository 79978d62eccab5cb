"""The embedded llama.cpp server with the bundled SmolLM2, called for real (marked slow)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

import pytest

from analysis.paths import REPO_ROOT
from generation import local_llm
from generation.backend import backend_status, resolve_backend
from generation.client import LLMClient


def test_local_llm_finds_the_bundled_model():
    path = local_llm.bundled_model_file()
    assert path.suffix == ".gguf"
    assert path.stat().st_size > 50_000_000  # a real 135M-parameter model, not a stub


def test_local_llm_status_before_start_says_startable():
    config = resolve_backend()
    assert config.kind == "local"
    status = backend_status(config)
    assert status["reachable"] is True
    assert status["error"] is None
    assert status["model"] == local_llm.LOCAL_MODEL_NAME


@pytest.mark.slow
def test_local_llm_answers_chat_and_completion(tmp_path):
    client = LLMClient(resolve_backend(), cache=tmp_path / "replies.sqlite")

    async def ask():
        try:
            chat = await client.chat("Name a colour.", max_tokens=6, temperature=0)
            completion = await client.complete("The sky is", max_tokens=6, temperature=0)
            return chat, completion
        finally:
            await client.aclose()

    chat, completion = asyncio.run(ask())
    for reply in (chat, completion):
        assert reply.text.strip()
        assert reply.finish_reason in ("stop", "length")
        assert 0 < reply.usage.completion_tokens <= 6
        assert reply.usage.prompt_tokens > 0
    # The GGUF's chat template wraps the message (system turn and role markers).
    assert chat.usage.prompt_tokens > 10
    server = local_llm.running_server()
    assert server is not None
    assert backend_status(resolve_backend())["reachable"] is True
    assert local_llm.ensure_server() is server  # one server per process, reused


PARENT = """
import sys, time
from generation import local_llm
print(local_llm.ensure_server().process.pid, flush=True)
time.sleep(120)
"""


@pytest.mark.slow
def test_local_llm_server_dies_with_a_killed_parent():
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True
    )
    server_pid = int(parent.stdout.readline())
    assert _alive(server_pid)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 30
    while _alive(server_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(server_pid)


@pytest.mark.slow
def test_local_llm_ask_uses_the_embedded_model_without_an_endpoint():
    result = subprocess.run(
        [sys.executable, "-m", "generation", "ask", "Say hi.", "--max-tokens", "4"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ.copy(),  # the autouse fixture removed every endpoint variable
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    assert "embedded model" in result.stderr
    assert "finish_reason:" in result.stderr


def _alive(pid: int) -> bool:
    """True while the process exists and is not a zombie (the server is not our child)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False
