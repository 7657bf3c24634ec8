"""The compiled validators: exact messages, in English and Chinese, naming the bad value
and what is allowed. No database: validators are pure."""

from __future__ import annotations

import datetime as dt
import textwrap
from decimal import Decimal

import pytest
from guanxi.compile.app import compile_app
from guanxi.expr import Context
from guanxi.fields.registry import FIELD_TYPES, display, json_schema, parse_text
from guanxi.fields.values import FieldValueError
from guanxi.language.project import load_project_or_raise
from guanxi.spec import NOWHERE, FieldSpec, Option
from jsonschema import Draft202012Validator
from store_project import PROJECT


@pytest.fixture(scope="module")
def lead(tmp_path_factory):
    root = tmp_path_factory.mktemp("sales")
    for relative, text in PROJECT.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return compile_app(load_project_or_raise(root)).entity("lead").validator


CTX = Context(user_id=1, roles=frozenset({"rep"}), now=dt.datetime(2026, 11, 22, tzinfo=dt.UTC))


def errors_of(validator, values, language="en"):
    return validator.coerce(values, language)[1]


def record_errors(validator, values, language="en"):
    clean, errors = validator.coerce(values, language)
    record = {name: None for name in validator.fields} | clean
    validator.compute(record, CTX, None, language)
    return errors | validator.check(record, CTX, language)


EXACT = [
    ({"visits": "seven"}, "visits", "'seven' is not a whole number", "'seven' 不是整数"),
    ({"visits": -1}, "visits", "-1 is below the minimum 0", "-1 小于最小值 0"),
    ({"value": "1000000.01"}, "value", "1000000.01 is above the maximum 1000000",
     "1000000.01 大于最大值 1000000"),
    ({"value": "12.345"}, "value", "'12.345' has more than 2 digits after the decimal point",
     "'12.345' 的小数位超过 2 位"),
    ({"value": "lots"}, "value", "'lots' is not a number", "'lots' 不是数字"),
    ({"probability": 101}, "probability", "101.00 is above the maximum 100",
     "101.00 大于最大值 100"),
    ({"name": "x" * 51}, "name",
     "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…' has 51 characters, more than the maximum 50",
     "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…' 有 51 个字符，超过最多 50 个"),
    ({"source": "fax"}, "source", "'fax' is not one of: web, phone, referral",
     "'fax' 不是可选值之一：web、phone、referral"),
    ({"tags": ["hot", "warm"]}, "tags", "'warm' is not one of: hot, cold, partner",
     "'warm' 不是可选值之一：hot、cold、partner"),
    ({"email": "li@"}, "email", "'li@' is not an e-mail address (expected name@domain.tld)",
     "'li@' 不是电子邮件地址（应为 name@domain.tld）"),
    ({"phone": "12"}, "phone",
     "'12' is not a phone number (digits, spaces and + - ( ) ., at least 5 digits)",
     "'12' 不是电话号码（数字、空格和 + - ( ) .，至少 5 位数字）"),
    ({"since": "22.11.2026"}, "since",
     "'22.11.2026' is not a date (use YYYY-MM-DD, e.g. 2026-11-22)",
     "'22.11.2026' 不是日期（请使用 YYYY-MM-DD，例如 2026-11-22）"),
    ({"since": "2026-02-30"}, "since",
     "'2026-02-30' is not a date (use YYYY-MM-DD, e.g. 2026-11-22)",
     "'2026-02-30' 不是日期（请使用 YYYY-MM-DD，例如 2026-11-22）"),
    ({"follow_up": "soon"}, "follow_up",
     "'soon' is not a duration (use 90m, 12h, 3d, 1w or a number of seconds)",
     "'soon' 不是时长（请使用 90m、12h、3d、1w 或秒数）"),
    ({"vip": "maybe"}, "vip", "'maybe' is not yes or no (use true or false)",
     "'maybe' 不是“是”或“否”（请使用 true 或 false）"),
    ({"account": "abc"}, "account", "'abc' is not a record id (a positive whole number)",
     "'abc' 不是记录编号（正整数）"),
    ({"code": "ab-123"}, "code", "'ab-123' does not match the pattern [A-Z]{2}-[0-9]{3}",
     "'ab-123' 不符合格式 [A-Z]{2}-[0-9]{3}"),
]


@pytest.mark.parametrize(("values", "field", "english", "chinese"), EXACT,
                         ids=[e[1] + ":" + str(next(iter(e[0].values())))[:12] for e in EXACT])
def test_field_messages_are_exact_in_english_and_chinese(lead, values, field, english, chinese):
    assert errors_of(lead, values) == {field: [english]}
    assert errors_of(lead, values, "zh") == {field: [chinese]}


def test_required_field_missing(lead):
    assert record_errors(lead, {"phone": "12345"})["name"] == ["is required"]
    assert record_errors(lead, {"phone": "12345"}, "zh")["name"] == ["必填"]


def test_blank_text_counts_as_missing(lead):
    assert record_errors(lead, {"name": "   "})["name"] == ["is required"]


def test_rule_with_when_and_require_uses_its_message(lead):
    errors = record_errors(lead, {"name": "A", "source": "referral"})
    assert errors == {"referrer": ["Referral leads need a referrer"]}
    assert record_errors(lead, {"name": "A", "source": "referral"}, "zh") == {
        "referrer": ["推荐来源的线索需要填写推荐人"]}


def test_rule_does_not_apply_when_its_condition_is_false(lead):
    assert record_errors(lead, {"name": "A", "source": "web"}) == {}


def test_check_rule_without_message_names_the_condition(lead):
    assert record_errors(lead, {"name": "A", "visits": 100}) == {
        "visits": ["condition failed: visits == null or visits < 100"]}
    assert record_errors(lead, {"name": "A", "visits": 100}, "zh") == {
        "visits": ["条件不成立：visits == null or visits < 100"]}


def test_state_requirements_apply_in_that_state(lead):
    record = {name: None for name in lead.fields} | {"name": "A", "state": "qualified"}
    assert lead.check(record, CTX) == {"value": ["is required in state 'qualified'"]}
    assert lead.check(record, CTX, "zh") == {"value": ["在状态“qualified”下必填"]}
    assert lead.check(record | {"state": "new"}, CTX) == {}


def test_computed_fields_are_computed_and_rounded(lead):
    record = {name: None for name in lead.fields} | {"value": Decimal("333.33"),
                                                     "probability": Decimal("33.33")}
    assert lead.compute(record, CTX) == {}
    assert record["expected"] == Decimal("111.10")


def test_computed_field_of_empty_inputs_is_empty(lead):
    record = {name: None for name in lead.fields} | {"value": Decimal("10")}
    lead.compute(record, CTX)
    assert record["expected"] is None


def test_values_are_read_into_canonical_python(lead):
    clean, errors = lead.coerce({
        "value": 12, "visits": "42", "since": "2026/1/2", "follow_up": "1w 2d",
        "vip": "否", "tags": "cold, hot, cold", "email": "Li.Wei@Example.CN",
    })
    assert errors == {}
    assert clean == {
        "value": Decimal("12.00"), "visits": 42, "since": dt.date(2026, 1, 2),
        "follow_up": 9 * 86400, "vip": False, "tags": ["cold", "hot"],
        "email": "Li.Wei@example.cn",
    }


def test_several_errors_are_reported_together(lead):
    errors = errors_of(lead, {"visits": "x", "value": "-5", "source": "fax"})
    assert set(errors) == {"visits", "value", "source"}


def test_parse_text_raises_a_value_error_with_a_clear_message():
    field = FieldSpec("when", "datetime", NOWHERE)
    assert parse_text(field, "2026-11-22T08:00:00+08:00") == dt.datetime(
        2026, 11, 22, 0, 0, tzinfo=dt.UTC)
    with pytest.raises(ValueError, match="'tomorrow' is not a date and time"):
        parse_text(field, "tomorrow")
    assert parse_text(field, "  ") is None


def test_field_value_error_renders_in_any_catalogued_language():
    field = FieldSpec("n", "integer", NOWHERE)
    with pytest.raises(FieldValueError) as caught:
        parse_text(field, "1.5")
    assert caught.value.message("zh") == "'1.5' 不是整数"
    assert caught.value.message("fr") == "'1.5' is not a whole number"


def test_every_field_type_has_a_column_a_schema_and_a_display():
    for name in FIELD_TYPES:
        field = FieldSpec("f", name, NOWHERE, options=(Option("a", {"en": "A"}),))
        assert FIELD_TYPES[name].column_type(field) is not None
        Draft202012Validator(json_schema(field)).validate(None)
        assert display(field, None) == ""


def test_display_formats_values_for_people():
    money = FieldSpec("m", "money", NOWHERE)
    choice = FieldSpec("c", "choice", NOWHERE, options=(Option("web", {"en": "Website",
                                                                        "zh": "官网"}),))
    assert display(money, Decimal("1234567.5")) == "1,234,567.50"
    assert display(choice, "web", "zh") == "官网"
    assert display(FieldSpec("d", "duration", NOWHERE), 93600) == "1d 2h"
    assert display(FieldSpec("b", "boolean", NOWHERE), True, "zh") == "是"
