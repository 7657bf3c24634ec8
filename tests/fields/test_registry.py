"""The field-type registry: every registered type owns each capability, and every value
round-trips through JSON, form text and CSV text (value -> text -> the same value), and
what the API sends validates against the JSON Schema the API serves."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from guanxi.fields import registry
from guanxi.fields.base import FieldType
from guanxi.fields.readers import Invalid
from guanxi.fields.values import FieldValueError
from guanxi.spec import NOWHERE, FieldSpec, Option
from jsonschema import Draft202012Validator, FormatChecker
from sqlalchemy.types import TypeEngine

OPTIONS = (Option("web", {"en": "Website", "zh": "官网"}), Option("fair", {"en": "Trade fair"}))
MOMENT = dt.datetime(2026, 11, 22, 8, 30, tzinfo=dt.UTC)

# Values of each type, as the Store holds them. A new type needs samples here.
SAMPLES: dict[str, tuple[Any, ...]] = {
    "string": ("Acme Ltd", "Zhōu 周"),
    "text": ("two\nlines", "  kept as typed  "),
    "markdown": ("# Title\n\n*two* lines", "  kept as typed  "),
    "email": ("li.wei@example.cn",),
    "phone": ("+86 (21) 5555-0100",),
    "url": ("https://example.com/a?b=c",),
    "integer": (0, -42, 2**63 - 1),
    "decimal": (Decimal("1234.50"), Decimal("-0.01")),
    "money": (Decimal("1234567.89"), Decimal("0.00")),
    "percent": (Decimal("12.50"), Decimal("100.00")),
    "boolean": (True, False),
    "date": (dt.date(2026, 11, 22), dt.date(1999, 1, 1)),
    "datetime": (MOMENT, dt.datetime(1999, 12, 31, 23, 59, tzinfo=dt.UTC)),
    "duration": (90 * 60, 3 * 86400, 93600, 61),
    "choice": ("web", "fair"),
    "tags": (["web"], ["fair", "web"]),
    "reference": (1, 2**31 - 1),
    "user": (7,),
    "file": (3, 2**31 - 1),
}
# A datetime-local input holds minutes; these values carry seconds.
FORM_LOSSY = {"datetime": (dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),)}
TYPES = sorted(registry.FIELD_TYPES)


def field_of(name: str, **declared: Any) -> FieldSpec:
    return FieldSpec("f", name, NOWHERE, options=OPTIONS,
                     ref="account" if name == "reference" else None, **declared)


def samples(name: str) -> list[tuple[FieldSpec, Any]]:
    return [(field_of(name), value) for value in SAMPLES[name]]


def posted(kind: FieldType, text: str, value: Any) -> str | list[str] | None:
    """What an untouched form posts for `value`: a checkbox only when ticked, a
    multi-select one item per value."""
    if kind.control == "checkbox":
        return "true" if value else None
    if kind.control == "multiselect":
        return [str(v) for v in value]
    return text


def test_every_registered_type_has_samples_here():
    assert sorted(SAMPLES) == TYPES


def test_the_registry_knows_each_type_by_its_own_name():
    for name, kind in registry.FIELD_TYPES.items():
        assert kind.name == name


@pytest.mark.parametrize("name", TYPES)
def test_every_type_has_each_capability(name):
    kind = registry.FIELD_TYPES[name]
    field, value = samples(name)[0]
    assert isinstance(kind.column_type(field), TypeEngine)
    assert kind.kind in {"text", "number", "boolean", "date", "datetime", "duration", "list",
                         "id"}
    assert kind.control in {"input", "textarea", "checkbox", "select", "multiselect"}
    assert isinstance(kind.widget_attrs(field), dict)
    assert isinstance(registry.json_schema(field), dict)
    assert isinstance(registry.json_schema(field, for_input=True), dict)
    assert isinstance(registry.display(field, value, "zh"), str)
    assert isinstance(registry.to_text(field, value), str)
    assert isinstance(registry.form_text(field, value), str)
    assert isinstance(kind.sortable, bool) and isinstance(kind.searchable, bool)
    careful = registry.fast_reader(field, lambda raw: registry.coerce(field, raw))
    assert careful(registry.to_json(field, value)) == value
    assert registry.parse_filter(field, "") == ""


@pytest.mark.parametrize("name", TYPES)
def test_every_type_round_trips_through_json(name):
    for field, value in samples(name):
        assert registry.coerce(field, registry.to_json(field, value)) == value


@pytest.mark.parametrize("name", TYPES)
def test_every_type_round_trips_through_csv_text(name):
    for field, value in samples(name):
        text = registry.to_text(field, value)
        assert registry.parse_text(field, text) == value, text


@pytest.mark.parametrize("name", TYPES)
def test_every_type_round_trips_through_form_text(name):
    kind = registry.FIELD_TYPES[name]
    for field, value in samples(name):
        form = posted(kind, registry.form_text(field, value), value)
        assert registry.coerce(field, kind.form_value(field, form)) == value, form


def test_a_form_shows_a_moment_to_the_minute():
    field = field_of("datetime")
    (moment,) = FORM_LOSSY["datetime"]
    assert registry.parse_text(field, registry.form_text(field, moment)) == moment.replace(
        second=0)


@pytest.mark.parametrize("name", TYPES)
def test_every_type_reads_no_value_as_none(name):
    field = field_of(name)
    assert registry.coerce(field, None) is None
    assert registry.to_text(field, None) == ""
    assert registry.display(field, None) == ""
    if registry.FIELD_TYPES[name].control != "checkbox":  # unticked means false
        assert registry.FIELD_TYPES[name].form_value(field, "") is None


@pytest.mark.parametrize("name", TYPES)
def test_what_the_api_sends_validates_against_the_schema_it_serves(name):
    for field, value in samples(name):
        validator = Draft202012Validator(registry.json_schema(field),
                                         format_checker=FormatChecker())
        validator.validate(registry.to_json(field, value))
        validator.validate(None)


def test_a_required_field_refuses_null_in_its_schema():
    schema = registry.json_schema(field_of("integer", required=True))
    assert not Draft202012Validator(schema).is_valid(None)


def test_decimals_are_numbers_in_the_api():
    field = field_of("money")
    assert registry.to_json(field, Decimal("12.50")) == 12.5
    assert registry.json_schema(field, for_input=True)["type"] == ["number", "null"]


def test_a_filter_reads_whole_numbers_and_ids_from_the_query_string():
    assert registry.parse_filter(field_of("integer"), "-3") == -3
    assert registry.parse_filter(field_of("reference"), "12") == 12
    with pytest.raises(FieldValueError):
        registry.parse_filter(field_of("user"), "0")
    with pytest.raises(FieldValueError):
        registry.parse_filter(field_of("integer"), "٣")


def test_a_filter_reads_true_and_false_and_leaves_other_text_to_the_store():
    field = field_of("boolean")
    assert registry.parse_filter(field, "true") is True
    assert registry.parse_filter(field, "false") is False
    assert registry.parse_filter(field, "yes") == "yes"


def test_the_api_offers_filters_only_on_types_it_can_filter_by():
    offered = {n for n in TYPES if registry.filter_schema(field_of(n)) is not None}
    assert offered == {"choice", "boolean", "reference", "user", "string", "email", "integer"}


def test_long_text_and_tags_do_not_sort():
    unsortable = {n for n in TYPES if not registry.FIELD_TYPES[n].sortable}
    assert unsortable == {"text", "markdown", "tags"}


def test_a_fast_reader_refuses_what_the_careful_reader_refuses():
    field = field_of("percent")

    def careful(raw: Any) -> Any:
        try:
            return registry.coerce(field, raw)
        except FieldValueError as error:
            raise Invalid(((error.code, error.params),)) from None

    read = registry.fast_reader(field, careful)
    assert read(12.5) == Decimal("12.50")
    with pytest.raises(Invalid):
        read("12.505")


def test_percent_is_bounded_0_to_100_unless_declared():
    kind = registry.FIELD_TYPES["percent"]
    assert kind.bounds(field_of("percent")) == (0, 100)
    assert kind.bounds(field_of("percent", min=-50)) == (-50, None)
