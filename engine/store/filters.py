"""Query-string filters: `?field=value` pairs read into checked, typed filters.

The API and the pages read a list's filters here, by the same rules:

- The words in `RESERVED` name the list's own parameters (`where`, `q`, `sort`, `limit`,
  `after`, `total`, `sla`), never a filter.
- Every other name must be a field the caller may see; anything else is an
  `unknown_filter` error (hidden and missing fields are not told apart).
- Each value is read by its field type's `parse_filter` (the registry in
  `guanxi.fields`): ids (`id`, references, users) are ASCII digits from 1 to `ID_MAX`,
  other whole numbers fit 64 bits, `true` / `false` are booleans, anything else is kept
  as text for the Store to read by the field's type; `state` must be one of the
  workflow's states.
- `field.from=` and `field.to=` bound a range (both ends included) of a field whose
  values are ordered: numbers, money, dates, times and durations. Either end may be
  left out; the ends are read by the field's type in the Store.
- `field=` alone finds the records with no value. HTML forms send an empty value for
  "any" (a select's first option): readers of forms pass `blank_is_any=True`, and such
  pairs are dropped.

Errors are `FilterError`s naming the parameter, with a stable code (`unknown_filter`,
`bad_filter`) the API answers with.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from guanxi.errors import GuanxiError
from guanxi.fields.registry import FIELD_TYPES, SYSTEM_FIELDS
from guanxi.fields.values import ID_MAX, INT64_MAX, INT64_MIN, FieldValueError
from guanxi.spec import EntitySpec

RESERVED: frozenset[str] = frozenset({"where", "q", "sort", "limit", "after", "total",
                                      "sla"})

# Kinds whose values are ids (from 1 to ID_MAX).
IDS = frozenset({"reference", "user"})

# The suffixes of a range's two ends: `amount.from=100&amount.to=500`.
RANGE_ENDS = ("from", "to")
# The kinds of value (see FieldType.kind) that are ordered, so that ranges apply.
ORDERED_KINDS = frozenset({"number", "date", "datetime", "duration"})


@dataclass(frozen=True, slots=True)
class Range:
    """Records whose field lies between `low` and `high` (texts read by the field's
    type; None: open at that end)."""

    low: str | None = None
    high: str | None = None


FilterValue = str | int | bool | Range


@dataclass(frozen=True, slots=True)
class Filter:
    """One `field=value` filter: records whose `field` equals `value`; "" finds the
    records with no value."""

    field: str
    value: FilterValue

    @property
    def blank(self) -> bool:
        return self.value == ""


class FilterError(GuanxiError):
    """A filter parameter that cannot be read. `code` is `unknown_filter` (no field the
    caller may filter on) or `bad_filter` (a value its field cannot hold)."""

    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__(message)
        self.code, self.field, self.message = code, field, message


@dataclass(frozen=True, slots=True)
class FilterScope:
    """What a caller may filter an entity's list on: the fields she sees, by type."""

    entity: str
    types: Mapping[str, str]
    states: tuple[str, ...] = ()

    @classmethod
    def of(cls, entity: EntitySpec, visible: Iterable[str],
           states: Iterable[str] = ()) -> FilterScope:
        """The scope of `entity` for a caller who sees `visible` (declared and system
        field names); `states` are its workflow's, if it has one."""
        declared = {f.name: f.type for f in entity.fields}
        types = {name: declared.get(name) or SYSTEM_FIELDS.get(name, "string")
                 for name in visible}
        return cls(entity.name, types, tuple(states))


def parse_filters(pairs: Iterable[tuple[str, str]], scope: FilterScope, *,
                  blank_is_any: bool = False) -> tuple[Filter, ...]:
    """The filters among query-string `pairs` (a name given twice: the last value counts);
    FilterError for the first that cannot be read."""
    given: dict[str, str] = {}
    ends: dict[str, dict[str, str]] = {}
    for name, value in pairs:
        if name in RESERVED or (blank_is_any and value == ""):
            continue
        base, dot, end = name.rpartition(".")
        if dot and end in RANGE_ENDS:
            ends.setdefault(base, {})[end] = value
            continue
        given[name] = value
    found = [parse_filter(name, value, scope) for name, value in given.items()]
    found += [parse_range(name, bounds, scope) for name, bounds in ends.items()]
    return tuple(found)


def ranged(kind: str) -> bool:
    """Whether fields of type `kind` take `.from` / `.to` ranges."""
    reader = FIELD_TYPES.get(kind)
    return reader is not None and reader.kind in ORDERED_KINDS


def parse_range(name: str, bounds: Mapping[str, str], scope: FilterScope) -> Filter:
    """`name.from` / `name.to`, checked against what the caller may filter on."""
    kind = scope.types.get(name)
    if kind is None:
        raise FilterError("unknown_filter", f"{name}.{next(iter(bounds))}",
                          f"{name!r} is not a field of {scope.entity} you can filter on "
                          f"(fields: {', '.join(sorted(scope.types))})")
    if not ranged(kind):
        raise FilterError("bad_filter", f"{name}.{next(iter(bounds))}",
                          f"filter {name}: a {kind} field takes no range (.from / .to "
                          f"apply to numbers, money, dates, times and durations)")
    low, high = bounds.get("from") or None, bounds.get("to") or None
    return Filter(name, Range(low.strip() if low else None, high.strip() if high else None))


def parse_filter(name: str, value: str, scope: FilterScope) -> Filter:
    """One filter parameter, checked against what the caller may filter on."""
    kind = scope.types.get(name)
    if kind is None:
        raise FilterError("unknown_filter", name,
                          f"{name!r} is not a field of {scope.entity} you can filter on "
                          f"(fields: {', '.join(sorted(scope.types))})")
    if name == "state":
        if value not in scope.states:
            raise FilterError("unknown_filter", name,
                              f"filter state: {value!r} is not one of: "
                              f"{', '.join(scope.states)}")
        return Filter(name, value)
    # The field type reads the value (ids are read as references are: from 1 to ID_MAX).
    reader = FIELD_TYPES["reference" if name == "id" else kind]
    try:
        return Filter(name, reader.parse_filter(value))
    except FieldValueError:
        low, high = (1, ID_MAX) if kind in IDS or name == "id" else (INT64_MIN, INT64_MAX)
        raise FilterError("bad_filter", name,
                          f"filter {name}: {value[:40]!r} is not a whole number from {low} "
                          f"to {high} (ASCII digits)") from None


def as_mapping(filters: Iterable[Filter]) -> dict[str, FilterValue]:
    """The filters as the Store's `list(filters=...)` takes them: {field: value}."""
    return {f.field: f.value for f in filters}
