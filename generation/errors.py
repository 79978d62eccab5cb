"""Errors the generation package raises for users; messages live in analysis.errors.Errors."""

from __future__ import annotations

from analysis.errors import Errors, WorkbenchError


class BackendError(WorkbenchError):
    """The backend cannot be used as configured (no key, unknown name, local model missing)."""


class RequestFailed(WorkbenchError):
    """A request that still failed after every retry; carries its cause, never an empty reply.

    Batches return it in place of the reply (like asyncio.gather's return_exceptions), so one
    bad prompt never sinks a batch and the caller sees why it failed. A `fatal` one (a wrong
    key, no such model, nothing listening) is raised instead: every other request would fail
    alike. `hint` says what to check then.
    """

    ok = False

    def __init__(
        self,
        *,
        endpoint: str,
        model: str,
        cause: str,
        attempts: int,
        status: int | None = None,
        hint: str | None = None,
    ):
        self.endpoint = endpoint
        self.model = model
        self.cause = cause
        self.attempts = attempts
        self.status = status
        self.hint = hint
        message = Errors.E018 if hint is None else Errors.E062
        super().__init__(
            message.format(
                endpoint=endpoint, model=model, attempts=attempts, cause=cause, hint=hint
            )
        )

    @property
    def fatal(self) -> bool:
        return self.hint is not None
