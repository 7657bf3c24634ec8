"""Errors the Store raises. Each says what went wrong, where, and what to do.

The server maps them to HTTP: ValidationFailed → 422, AccessDenied → 403,
NotFound → 404, VersionConflict → 412 (API) or a message on the form, TransitionRefused → 409.
"""

from __future__ import annotations


class GuanxiError(Exception):
    """Base of every error Guanxi raises on purpose."""


class ValidationFailed(GuanxiError):
    """A record broke its declarations. `errors` maps a field name ("" for the record as
    a whole) to human messages in the user's language."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        parts = [f"{name or 'record'}: {'; '.join(messages)}" for name, messages in errors.items()]
        super().__init__("invalid record: " + " | ".join(parts))


class AccessDenied(GuanxiError):
    """The user may not do this. `fields` names the fields that caused it, if any."""

    def __init__(self, message: str, fields: tuple[str, ...] = ()) -> None:
        self.fields = fields
        super().__init__(message)


class NotFound(GuanxiError):
    """No such record, or the user may not know it exists (the two are not told apart)."""

    def __init__(self, entity: str, record_id: object) -> None:
        self.entity = entity
        self.record_id = record_id
        super().__init__(f"{entity} {record_id} not found")


class VersionConflict(GuanxiError):
    """Someone else changed the record since the caller read it."""

    def __init__(self, entity: str, record_id: object, expected: int | None,
                 actual: int | None) -> None:
        self.entity = entity
        self.record_id = record_id
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"{entity} {record_id} was changed by someone else (you had version {expected}, "
            f"it is now {actual}); reload it and apply your change again"
        )


class TransitionRefused(GuanxiError):
    """A workflow transition cannot fire now; the message says why."""

    def __init__(self, message: str, missing: tuple[str, ...] = ()) -> None:
        self.missing = missing
        super().__init__(message)


class ProjectInvalid(GuanxiError):
    """The project has configuration errors; `diagnostics` lists them, located."""

    def __init__(self, diagnostics: list) -> None:  # list[Diagnostic]
        self.diagnostics = diagnostics
        errors = [d for d in diagnostics if getattr(d, "severity", "error") == "error"]
        super().__init__(
            f"{len(errors)} error(s) in the project:\n" + "\n".join(str(d) for d in errors)
        )
