"""Every error Guanxi raises on purpose, in one hierarchy under `GuanxiError`.

Each error has a stable `code` (the class's, or a more precise one given where it is
raised: a key of the message catalogue, `guanxi.messages`), and a message rendered from
that catalogue in the acting user's language. Each says what went wrong, where, and what
to do.

The server maps them to HTTP by class (`guanxi.server.app.STATUS`): ValidationFailed →
422, AccessDenied → 403, NotFound → 404, VersionConflict → 412 (API) or a message on the
form, TransitionRefused → 409, RequestInvalid → 400; any other → 500.

Exception classes outside this hierarchy are internal control flow, never seen by a
caller: `guanxi.store.bulk._Abort` (rolls back an all-or-nothing import) and
`guanxi.server.api.routes._TooManyDigits` (a number refused while parsing JSON).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from guanxi.messages import render


class GuanxiError(Exception):
    """Base of every error Guanxi raises on purpose. `code` names what went wrong, stably
    (a message code of the catalogue, or the class's own)."""

    code: str = "error"

    def __init__(self, message: str = "", *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class RequestInvalid(GuanxiError):
    """A request the Store cannot answer as asked: a bad sort, cursor, filter, limit,
    `where` condition, import mode … (400 at the API)."""

    code = "bad_request"


class ValidationFailed(GuanxiError):
    """A record broke its declarations. `errors` maps a field name ("" for the record as
    a whole) to human messages in the user's language."""

    code = "validation_failed"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        parts = [f"{name or 'record'}: {'; '.join(messages)}" for name, messages in errors.items()]
        super().__init__("invalid record: " + " | ".join(parts))


class AccessDenied(GuanxiError):
    """The user may not do this. `fields` names the fields that caused it, if any."""

    code = "access_denied"

    def __init__(self, message: str, fields: tuple[str, ...] = (), *,
                 code: str | None = None) -> None:
        self.fields = fields
        super().__init__(message, code=code)


class NotFound(GuanxiError):
    """No such record, or the user may not know it exists (the two are not told apart)."""

    code = "not_found"

    def __init__(self, entity: str, record_id: object, language: str = "en") -> None:
        self.entity = entity
        self.record_id = record_id
        super().__init__(render("not_found", {"entity": entity, "id": record_id}, language))


class VersionConflict(GuanxiError):
    """Someone else changed the record since the caller read it."""

    code = "version_conflict"

    def __init__(self, entity: str, record_id: object, expected: int | None,
                 actual: int | None, language: str = "en") -> None:
        self.entity = entity
        self.record_id = record_id
        self.expected = expected
        self.actual = actual
        super().__init__(render("version_conflict", {
            "entity": entity, "id": record_id, "expected": expected, "actual": actual,
        }, language))


class TransitionRefused(GuanxiError):
    """A workflow transition cannot fire now; the message says why."""

    code = "transition_refused"

    def __init__(self, message: str, missing: tuple[str, ...] = (), *,
                 code: str | None = None) -> None:
        self.missing = missing
        super().__init__(message, code=code)


class Located(Protocol):
    """What ProjectInvalid lists: a diagnostic with a severity, shown located."""

    @property
    def severity(self) -> str: ...


class ProjectInvalid(GuanxiError):
    """The project has configuration errors; `diagnostics` lists them, located."""

    code = "project_invalid"

    def __init__(self, diagnostics: Sequence[Located]) -> None:
        self.diagnostics = list(diagnostics)
        errors = [d for d in diagnostics if d.severity == "error"]
        super().__init__(
            f"{len(errors)} error(s) in the project:\n" + "\n".join(str(d) for d in errors)
        )


class UnknownReport(GuanxiError):
    """No report of that name in the project's insight/*.yaml (404 at the API)."""

    code = "report_unknown"


class ReportRefused(AccessDenied):
    """A report reads (groups, sums, filters on) a field the user may not see, or an
    entity she may not read: it is not shown to her (403)."""

    code = "report_refused"
