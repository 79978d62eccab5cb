"""Which model endpoint the workbench talks to: resolved once from arguments and environment.

With nothing configured the embedded llama.cpp model is chosen, so every pipeline runs offline.
The API key rides along for the SDK but is kept out of every repr. A URL may carry credentials
too (user-info, an `api-key=` query parameter): `safe_url` is the only form of a URL that is
stored or shown, and `BackendConfig.redact` takes every credential out of a text (a server may
repeat the key in its error message).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import (
    parse_qsl,
    quote,
    quote_plus,
    unquote,
    urlencode,
    urlsplit,
    urlunsplit,
)

import openai

from analysis.errors import Errors
from generation import local_llm
from generation.errors import BackendError

LOCAL = "local"
OPENAI = "openai"
BACKENDS = (LOCAL, OPENAI)

OPENAI_URL = "https://api.openai.com/v1"
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"
# vLLM, Ollama and llama.cpp accept any key, but the SDK refuses to start without one.
KEYLESS_PLACEHOLDER = "not-needed"

ENV_BACKEND = "WORKBENCH_BACKEND"
ENV_MODEL = "WORKBENCH_MODEL"
ENV_BASE_URL = "OPENAI_BASE_URL"
ENV_API_KEY = "OPENAI_API_KEY"

REDACTED = "***"
#: Query parameter names that carry credentials: api-key (Azure), key, token, sig, ...
SECRET_PARAMETER = re.compile(r"key|token|secret|passw|pwd|sig|auth|credential", re.IGNORECASE)


@dataclass(frozen=True)
class BackendConfig:
    """Where requests go. For the local backend base_url is None until the server starts."""

    kind: str
    model: str
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False, compare=False)
    model_path: Path | None = None

    @property
    def identity(self) -> str:
        """Stable name of the endpoint for cache keys: the local server's port changes per run."""
        if self.kind == LOCAL:
            return f"local:{(self.model_path or local_llm.bundled_model_file()).name}"
        return safe_url(self.base_url or OPENAI_URL)

    @property
    def endpoint(self) -> str:
        """Human-readable endpoint, free of credentials."""
        if self.kind == LOCAL:
            return "embedded llama.cpp"
        return safe_url(self.base_url or OPENAI_URL)

    @property
    def secrets(self) -> list[str]:
        """The API key and the URL's credentials, each as written and percent-encoded, longest
        first (a key is never half-replaced by a shorter secret it contains)."""
        found = url_secrets(self.base_url or "")
        if self.api_key and self.api_key != KEYLESS_PLACEHOLDER:
            found.append(self.api_key)
        forms = {
            form for secret in found for form in (secret, quote(secret, ""), quote_plus(secret))
        }
        return sorted(forms, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """`text` with every credential of this backend replaced by ***."""
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text


def safe_url(url: str) -> str:
    """The URL as it may be shown, logged, stored and hashed: no user-info, the values of
    credential-looking query parameters replaced by ***, no trailing slash."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    query = urlencode(
        [
            (name, REDACTED if SECRET_PARAMETER.search(name) else value)
            for name, value in parse_qsl(parts.query, keep_blank_values=True)
        ],
        safe="*",
    )
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), query, parts.fragment))


def url_secrets(url: str) -> list[str]:
    """The credentials a URL carries: the password of its user-info (or the user name alone,
    which is then the token) and the values of credential-looking query parameters."""
    parts = urlsplit(url)
    found = [unquote(parts.password or parts.username or "")]
    found += [
        value
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if SECRET_PARAMETER.search(name)
    ]
    return [secret for secret in found if secret and secret != REDACTED]


def sdk_location(url: str) -> tuple[str, dict[str, str]]:
    """(base URL, query parameters) as the SDK takes them: it appends each route to the base
    URL's path, so a query left there would end up inside the path."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")), query


def resolve_backend(
    backend: str | None = None,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
) -> BackendConfig:
    """Arguments first, then OPENAI_BASE_URL / OPENAI_API_KEY / WORKBENCH_MODEL / WORKBENCH_BACKEND.

    No backend named and no endpoint or key configured -> the embedded model. For the local
    backend `model` may name another .gguf file; a remote model name is ignored there.
    """
    backend = backend or os.environ.get(ENV_BACKEND) or None
    base_url = base_url or os.environ.get(ENV_BASE_URL) or None
    api_key = api_key or os.environ.get(ENV_API_KEY) or None
    model = model or os.environ.get(ENV_MODEL) or None
    if backend is None:
        backend = OPENAI if (base_url or api_key) else LOCAL
    if backend == LOCAL:
        model_path = Path(model) if model and model.endswith(".gguf") else None
        name = model_path.stem if model_path else local_llm.LOCAL_MODEL_NAME
        return BackendConfig(kind=LOCAL, model=name, model_path=model_path)
    if backend != OPENAI:
        raise BackendError(Errors.E020.format(name=backend, choices=", ".join(BACKENDS)))
    if api_key is None:
        if base_url is None:
            raise BackendError(Errors.E019.format(endpoint=OPENAI_URL))
        api_key = KEYLESS_PLACEHOLDER
    return BackendConfig(
        kind=OPENAI,
        model=model or DEFAULT_OPENAI_MODEL,
        base_url=(base_url or OPENAI_URL).rstrip("/"),
        api_key=api_key,
    )


def backend_status(config: BackendConfig, timeout: float = 3.0) -> dict:
    """What the sidebar shows: endpoint, model, whether it answers, and why not.

    Never starts the embedded server: before its first request it is reported as reachable when
    it can be started.
    """
    status = {"endpoint": config.endpoint, "model": config.model, "reachable": False, "error": None}
    if config.kind == LOCAL:
        server = local_llm.running_server(config.model_path)
        if server is None:
            status["error"] = local_llm.unavailable_reason(config.model_path)
            status["reachable"] = status["error"] is None
            return status
        base_url, api_key = server.base_url, KEYLESS_PLACEHOLDER
        status["endpoint"] = f"embedded llama.cpp at {server.base_url}"
    else:
        base_url, api_key = config.base_url or OPENAI_URL, config.api_key
    served, error = _served_models(base_url, api_key, timeout)
    status["reachable"] = error is None
    status["error"] = None if error is None else config.redact(error)
    if served and config.kind == OPENAI and config.model not in served:
        status["error"] = f"model {config.model!r} is not listed; served: {', '.join(served[:20])}"
    return status


def _served_models(
    base_url: str, api_key: str | None, timeout: float
) -> tuple[list[str], str | None]:
    """(model ids, None) when the endpoint lists its models, else ([], why not)."""
    base_url, query = sdk_location(base_url)
    try:
        with openai.OpenAI(
            api_key=api_key, base_url=base_url, default_query=query, max_retries=0, timeout=timeout
        ) as client:
            return [model.id for model in client.models.list()], None
    except openai.OpenAIError as error:
        return [], f"{type(error).__name__}: {error}"
