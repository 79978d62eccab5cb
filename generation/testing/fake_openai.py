"""A scriptable fake OpenAI-compatible server for tests and benchmarks (stdlib only).

It lives in the package, not under tests/, so bench/ scripts import it too. Replies echo the
prompt ("echo: <prompt>"; with n > 1, "echo <i>: <prompt>"), so a caller can check that each
reply belongs to its own request. Usage counts whitespace-separated words.

Faults are scripted per prompt and used up one per request; then the prompt gets normal replies:
  "429"            rate limited, no Retry-After header
  "429:<seconds>"  rate limited with Retry-After: <seconds>
  "500"            server error
  "400"            bad request (not worth retrying)
  "401" "403" "404" a wrong key, no permission, no such model: the endpoint refuses everyone
The messages of 400, 401 and 403 repeat the key the request carried, as careless servers do.
  "timeout"        hang for `hang_seconds`, then close without answering
  "drop"           close the connection without answering
  "malformed"      200 with a broken JSON body
  "length"         a normal reply cut by the length limit (finish_reason "length")

`responder(prompt, body)`, when given, writes each reply instead of the echo (one choice): the
text, or (text, finish_reason); None closes the connection without an answer, as a server
that died would.

`refuse=<status>` answers every request, /models included, with that status (401: a server
that does not know the key), as scripted faults of that status do.

`received[prompt]` counts requests that arrived (`targets` lists their paths with the query); `paid[prompt]` counts replies delivered, what a
real API would bill. Standalone: `python -m generation.testing.fake_openai --latency 0.2`
prints its base URL and serves until killed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
import sys
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

FAULTS = ("429", "500", "400", "401", "403", "404", "timeout", "drop", "malformed", "length")
REFUSALS = ("400", "401", "403", "404", "500")


class FakeOpenAI:
    def __init__(
        self,
        latency: float = 0.0,
        hang_seconds: float = 2.0,
        models=("fake-model",),
        responder: Callable[[str, dict], str | tuple[str, str] | None] | None = None,
        refuse: int | None = None,
    ) -> None:
        if refuse is not None and str(refuse) not in REFUSALS:
            raise ValueError(f"refuse must be one of {REFUSALS}, not {refuse!r}")
        self.latency = latency
        self.refuse = refuse
        self.responder = responder
        self.hang_seconds = hang_seconds
        self.models = tuple(models)
        self._lock = threading.Lock()
        self._scripts: dict[str, deque[str]] = defaultdict(deque)
        self.received: Counter[str] = Counter()
        self.paid: Counter[str] = Counter()
        self.arrivals: list[float] = []
        self.bodies: list[dict] = []
        self.targets: list[str] = []
        self.authorizations: set[str] = set()
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.fake = self
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def script(self, prompt: str, *faults: str) -> None:
        """Queue faults for the next requests with this prompt."""
        for fault in faults:
            if fault.split(":")[0] not in FAULTS:
                raise ValueError(f"unknown fault {fault!r}; known: {FAULTS}")
        with self._lock:
            self._scripts[prompt].extend(faults)

    def reset_counts(self) -> None:
        with self._lock:
            self.received.clear()
            self.paid.clear()
            self.arrivals.clear()
            self.bodies.clear()
            self.targets.clear()
            self.authorizations.clear()
            self.prompt_tokens = self.completion_tokens = 0

    def start(self) -> FakeOpenAI:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _arrive(self, prompt: str, body: dict, target: str, authorization: str) -> str | None:
        with self._lock:
            self.targets.append(target)
            self.authorizations.add(authorization)
            self.received[prompt] += 1
            self.arrivals.append(time.monotonic())
            self.bodies.append(body)
            script = self._scripts.get(prompt)
            return script.popleft() if script else None

    def _delivered(self, prompt: str, usage: dict) -> None:
        with self._lock:
            self.paid[prompt] += 1
            self.prompt_tokens += usage["prompt_tokens"]
            self.completion_tokens += usage["completion_tokens"]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    fake: FakeOpenAI

    def handle_error(self, request, client_address) -> None:
        """A client that went away (killed, timed out) is no server error: no traceback."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like real endpoints
    server: _Server

    def log_message(self, format, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        if self.server.fake.refuse is not None:
            self._refuse(self.server.fake.refuse)
        elif self.path.rstrip("/").endswith("/models"):
            data = [{"id": name, "object": "model"} for name in self.server.fake.models]
            self._send(200, {"object": "list", "data": data})
        else:
            self._send(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})

    def do_POST(self) -> None:
        fake = self.server.fake
        try:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        except ValueError:  # the client died mid-request: nothing arrived
            self._drop()
            return
        chat = urlsplit(self.path).path.endswith("/chat/completions")
        prompt = body["messages"][-1]["content"] if chat else body["prompt"]
        fault = fake._arrive(prompt, body, self.path, self.headers.get("Authorization", ""))
        if fake.refuse is not None:
            fault = str(fake.refuse)
        time.sleep(fake.latency)
        if fault is None or fault == "length":
            texts, finish_reason = None, "length" if fault else "stop"
            if fake.responder is not None:
                answer = fake.responder(prompt, body)
                if answer is None:
                    self._drop()
                    return
                if isinstance(answer, tuple):
                    answer, finish_reason = answer
                texts = [answer]
            reply = _reply(body, prompt, chat, finish_reason, texts)
            if self._send(200, reply):
                fake._delivered(prompt, reply["usage"])
        elif fault.startswith("429"):
            _, _, retry_after = fault.partition(":")
            headers = {"Retry-After": retry_after} if retry_after else {}
            self._send(429, _error("rate limit reached", "rate_limit_exceeded"), headers)
        elif fault in REFUSALS:
            self._refuse(int(fault))
        elif fault == "malformed":
            self._send_raw(200, b'{"choices": [{"index": 0, "message": {"content": "ech')
        else:  # "timeout" hangs first; both end with a connection closed without an answer
            if fault == "timeout":
                time.sleep(fake.hang_seconds)
            self._drop()

    def _refuse(self, status: int) -> None:
        messages = {
            400: "Invalid request sent with the key {key}",
            401: "Incorrect API key provided: {key}",
            403: "The key {key} has no access to this model",
            404: "The model does not exist or you do not have access to it (path {path})",
        }
        key = self.headers.get("Authorization", "").removeprefix("Bearer ")
        message = messages.get(status, "scripted {status}")
        self._send(
            status, _error(message.format(key=key, path=self.path, status=status), "refused")
        )

    def _send(self, status: int, payload: dict, headers: dict | None = None) -> bool:
        return self._send_raw(status, json.dumps(payload).encode(), headers)

    def _send_raw(self, status: int, data: bytes, headers: dict | None = None) -> bool:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:  # the client gave up (its timeout): nothing was delivered
            self.close_connection = True
            return False
        return True

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)


def _reply(
    body: dict, prompt: str, chat: bool, finish_reason: str, texts: list[str] | None = None
) -> dict:
    count = body.get("n") or 1
    if texts is None:
        texts = [f"echo: {prompt}"] if count == 1 else [f"echo {i}: {prompt}" for i in range(count)]
    if chat:
        choices = [
            {
                "index": i,
                "message": {"role": "assistant", "content": text},
                "finish_reason": finish_reason,
            }
            for i, text in enumerate(texts)
        ]
    else:
        choices = [
            {"index": i, "text": text, "finish_reason": finish_reason}
            for i, text in enumerate(texts)
        ]
    prompt_tokens = len(prompt.split())
    completion_tokens = sum(len(text.split()) for text in texts)
    return {
        "id": "fake-1",
        "object": "chat.completion" if chat else "text_completion",
        "model": body.get("model"),
        "choices": choices,
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def _error(message: str, kind: str) -> dict:
    return {"error": {"message": message, "type": kind, "code": kind}}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per reply")
    args = parser.parse_args(argv)
    fake = FakeOpenAI(latency=args.latency).start()
    print(fake.url, flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
