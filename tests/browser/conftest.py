"""A real `streamlit run` on a free 127.0.0.1 port and a headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = REPO / "test-artifacts" / "screenshots"
#: Flags that keep Chromium off the (closed) network, as root, without a GPU.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing in CI: `make test` installs it")
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    return CHROMIUM


@pytest.fixture(scope="session")
def app_home(tmp_path_factory) -> Path:
    """The app server's workspace (its WORKBENCH_HOME)."""
    return tmp_path_factory.mktemp("browser-workspace")


@pytest.fixture(scope="session")
def app_cache(app_home) -> Path:
    """The derived-column cache the app server reads (its WORKBENCH_CACHE): a test can compute a
    slow column there first with the same public functions, so the page only reads it."""
    return app_home / "cache"


@pytest.fixture(scope="session")
def app_url(app_home, app_cache):
    port = free_port()
    home = app_home
    log = open(home / "streamlit.log", "w")  # noqa: SIM115 - closed at teardown
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
        ],
        cwd=REPO,
        env={**os.environ, "WORKBENCH_HOME": str(home), "WORKBENCH_CACHE": str(app_cache)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"streamlit exited: {(home / 'streamlit.log').read_text()}")
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("streamlit did not become healthy in 120 s")
    yield url
    process.terminate()
    process.wait(timeout=20)
    log.close()


@pytest.fixture(scope="module")
def browser(chromium_path):
    """Module-scoped: Playwright's sync API keeps an event loop on the main thread while open."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def outside_request(url: str) -> bool:
    """A request that would leave the machine (any web address not on 127.0.0.1)."""
    parts = urlparse(url)
    return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname != "127.0.0.1"


@pytest.fixture
def page(browser):
    """A fresh page; every request it makes (fonts and icons too) must stay on 127.0.0.1, on
    every page every browser test visits."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    outside: list[str] = []
    context.on(
        "request", lambda request: outside_request(request.url) and outside.append(request.url)
    )
    page = context.new_page()
    yield page
    page.wait_for_load_state("networkidle")
    context.close()
    assert outside == [], f"requests left the machine: {outside}"


@pytest.fixture(scope="session")
def screenshots() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
