"""What the fast readers share: one function per field that reads a value and checks it
in a single call.

This is the innermost loop of imports and API writes, so each field type's
`fast_reader` is a closure with its field's limits (bounds, lengths, options, pattern)
bound in, and handles the values callers usually send (a JSON string, number or null; a
CSV cell) in a few comparisons. Anything out of the ordinary, including every invalid
value, goes to the field's `careful` reader: the general coercion followed by each
declared check, which is the one place messages come from. A fast path therefore only
ever returns what the careful path would have returned for the same input without a
problem.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from guanxi.errors import GuanxiError

Reader = Callable[[Any], Any]
# A bound value as the reader compares it; None when the field declares none.
Bound = Any

# Beyond any bound a field may declare; an int, since ints compare fastest with ints.
HUGE = 10 ** 40


class NoValue:
    """Marks an `Invalid` value that could not be read at all."""


class Invalid(GuanxiError):
    """A value a field refuses: its problems as (code, parameters), and the value read
    when it could be read but broke a check (it is kept in the record, as the user's)."""

    def __init__(self, problems: tuple[tuple[str, dict[str, Any]], ...],
                 value: Any = NoValue) -> None:
        super().__init__(str(problems))
        self.problems = problems
        self.value = value


def guard_none(careful: Reader) -> Reader:
    """`careful` for everything but None, which is the empty value."""

    def read(value: Any) -> Any:
        return None if value is None else careful(value)

    return read
