"""The rows a write pipeline carries from stage to stage.

A write is a batch of `Row`s (a single write is a batch of one). Each stage is a plain
function taking a batch and returning the next one; rows are frozen, so a stage that
learns something returns new rows, and a row's errors only grow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, NamedTuple

from guanxi.compile.validation import merge_errors
from guanxi.errors import GuanxiError

Errors = dict[str, list[str]]

# The empty mapping a row starts with (shared, so never to be changed).
EMPTY: Mapping[str, Any] = MappingProxyType({})


class Row(NamedTuple):
    """One record on its way through the pipeline.

    `number`: its 1-based place in the input; `given`: the values as the caller gave
    them; `record`: the whole record as it will be written (every column but `id` for a
    new record); `changed`: the fields this write sets (checked for references and
    unique values); `errors`: per field ("" for the row as a whole); `refusal`: the
    error a single write raises for it before any field error (unknown or unwritable
    names, a create rule that does not hold); `record_id`: the row's id once it has one;
    `text`: a new record's history as JSON text, when it was made ahead of persist (by
    the process preparing an import's next batches: `Creation.with_texts`)."""

    number: int
    given: Mapping[str, Any]
    record: Mapping[str, Any] = EMPTY
    changed: frozenset[str] = frozenset()
    errors: Mapping[str, Sequence[str]] = EMPTY
    refusal: GuanxiError | None = None
    record_id: int | None = None
    text: str | None = None

    @property
    def ok(self) -> bool:
        """Whether nothing is wrong with the row so far."""
        return not self.errors and self.refusal is None

    def failing(self, errors: Mapping[str, Sequence[str]]) -> Row:
        """The row with `errors` added to its own."""
        if not errors:
            return self
        merged = merge_errors({k: list(v) for k, v in self.errors.items()},
                              {k: list(v) for k, v in errors.items()})
        return Row(self.number, self.given, self.record, self.changed, merged,
                   self.refusal, self.record_id)

    def with_record(self, record: Mapping[str, Any],
                    changed: frozenset[str] | None = None) -> Row:
        """The row with its record (and the fields it changes) replaced."""
        return Row(self.number, self.given, record,
                   self.changed if changed is None else changed, self.errors,
                   self.refusal, self.record_id)


Batch = list[Row]


def errors_of(row: Row) -> Errors:
    """The row's errors as a plain mutable mapping."""
    return {name: list(messages) for name, messages in row.errors.items()}
