"""Errors the generation package raises for users; messages live in analysis.errors.Errors."""

from __future__ import annotations

from analysis.errors import Errors, WorkbenchError


class BackendError(WorkbenchError):
    """The backend cannot be used as configured (no key, unknown name, local model missing)."""


class RequestFailed(WorkbenchError):
    """A request that still failed after every retry; carries its cause, never an empty reply.

    Batches return it in place of the reply (like asyncio.gather's return_exceptions), so one
    bad prompt never sinks a batch and the caller sees why it failed.
    """

    ok = False

    def __init__(
        self, *, endpoint: str, model: str, cause: str, attempts: int, status: int | None = None
    ):
        self.endpoint = endpoint
        self.model = model
        self.cause = cause
        self.attempts = attempts
        self.status = status
        super().__init__(
            Errors.E018.format(endpoint=endpoint, model=model, attempts=attempts, cause=cause)
        )
