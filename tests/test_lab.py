"""`make lab`: JupyterLab on 127.0.0.1 only, in notebooks/, with this venv's kernel."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _addresses_listening(port: int) -> set[str]:
    """Local addresses with a listening TCP socket on `port` (from /proc/net/tcp{,6})."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def test_make_lab_serves_notebooks_on_localhost_with_the_venv_kernel(tmp_path):
    port = _free_port()
    venv = Path(sys.prefix)
    log = (tmp_path / "lab.log").open("w")
    process = subprocess.Popen(
        ["make", "-s", "lab", f"LAB_PORT={port}", f"VENV={venv}"],
        cwd=REPO,
        env={**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "DISPLAY": ""},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api", timeout=2) as reply:
                    assert "version" in json.loads(reply.read())
                    break
            except OSError:
                assert process.poll() is None, (tmp_path / "lab.log").read_text()
                assert time.monotonic() < deadline, "JupyterLab did not answer in 120 s"
                time.sleep(0.5)
        # 0100007F is 127.0.0.1; a wildcard (00000000) or a public address would be a leak.
        assert _addresses_listening(port) == {"0100007F"}
        runtime = list((tmp_path / "runtime").glob("jpserver-*.json"))
        assert json.loads(runtime[0].read_text())["root_dir"] == str(REPO / "notebooks")
        specs = subprocess.run(
            [str(venv / "bin" / "jupyter"), "kernelspec", "list", "--json"],
            capture_output=True,
            text=True,
            check=True,
        )
        python3 = json.loads(specs.stdout)["kernelspecs"]["python3"]
        assert Path(python3["resource_dir"]).is_relative_to(venv)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        log.close()
