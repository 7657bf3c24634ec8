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

FilterValue = str | int | bool


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
    for name, value in pairs:
        if name in RESERVED or (blank_is_any and value == ""):
            continue
        given[name] = value
    return tuple(parse_filter(name, value, scope) for name, value in given.items())


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
