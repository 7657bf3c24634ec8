"""Each field's one-call reader (`FieldValidator.read`) answers exactly as reading the
value with the field type's general rules and then running every declared check would:
same value (down to a Decimal's exponent), same problems, same refusals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from guanxi.compile.validation import FieldValidator, compile_field
from guanxi.fields.readers import Invalid, NoValue
from guanxi.fields.registry import coerce
from guanxi.fields.values import FieldValueError
from guanxi.spec import NOWHERE, FieldSpec, Option
from hypothesis import given, settings
from hypothesis import strategies as st

OPTIONS = tuple(Option(v, {}) for v in ("web", "phone", "referral"))

FIELDS = [
    FieldSpec("name", "string", NOWHERE, max_length=20),
    FieldSpec("code", "string", NOWHERE, min_length=2, max_length=6, pattern=r"[A-Z]+\d*"),
    FieldSpec("plain", "string", NOWHERE),
    FieldSpec("notes", "text", NOWHERE, max_length=30),
    FieldSpec("email", "email", NOWHERE),
    FieldSpec("short_email", "email", NOWHERE, max_length=12),
    FieldSpec("phone", "phone", NOWHERE, max_length=16),
    FieldSpec("site", "url", NOWHERE),
    FieldSpec("source", "choice", NOWHERE, options=OPTIONS),
    FieldSpec("visits", "integer", NOWHERE, min=0, max=1000),
    FieldSpec("count", "integer", NOWHERE),
    FieldSpec("value", "money", NOWHERE, min=0, max=1000000),
    FieldSpec("price", "money", NOWHERE),
    FieldSpec("rate", "decimal", NOWHERE, scale=4, min=Decimal("-1.5")),
    FieldSpec("share", "percent", NOWHERE),
    FieldSpec("discount", "percent", NOWHERE, min=5),
    FieldSpec("close", "date", NOWHERE, min="2020-01-01", max="2030-12-31"),
    FieldSpec("born", "date", NOWHERE),
    FieldSpec("wait", "duration", NOWHERE, min="1h"),
    FieldSpec("active", "boolean", NOWHERE),
    FieldSpec("account", "reference", NOWHERE, ref="account"),
    FieldSpec("owner", "user", NOWHERE),
    FieldSpec("met", "datetime", NOWHERE),
    FieldSpec("tags", "tags", NOWHERE, options=OPTIONS),
]
COMPILED = [compile_field(f) for f in FIELDS]

AWKWARD = [
    None, "", "   ", "\x00", "web", " web ", "Web", "referral\x00", "x" * 25, "AB12", "ab12",
    "A", "0", "007", "-3", "+4", "12", " 12 ", "1e3", "1E-2", "12.5", "12.50", "12.505",
    "-0.0", "0.00", "NaN", "Infinity", "sNaN", "1,000.50", "1_000", "١٢٣", "２０２６-01-01",
    "2026-01-01", "2026-1-1", "2026/01/01", "2026-W10-1", "2026-02-30", "2019-12-31",
    "2031-01-01", " 2026-01-01", "2026-01-01T10:00", "90m", "1h", "3d", "59", "3600",
    "a@b.co", "A@B.CO", "a@example.COM", "a b@c.de", "a@b", "a@b.c.", "a@@b.cd",
    "äxel@exämple.org", "x" * 250 + "@example.com", "+86 10 5551234", "(555) 12-34",
    "1234", "12 34 56 78 90 12 34", "+1-800-FLOWERS", "http://example.com/x",
    "https://ex ample.com", "ftp://example.com", "true", "NO", "是", "yes ", "maybe",
    0, 1, 2, -1, 100, 101, 4, 5, 10**15, 10**20, -(10**20), True, False,
    0.0, -0.0, 0.1, 0.125, 12.5, 12.34, 99.99, 100.0, 100.01, 1e-7, 1e15, 1e16, -5.0,
    123456789012.34, float("nan"), float("inf"), float("-inf"), 2.675, 1000000.0,
    1000000.01, Decimal("12.50"), Decimal("1E+2"), Decimal("-1.5"), Decimal("-1.50001"),
    dt.date(2026, 1, 1), dt.date(2019, 1, 1), dt.datetime(2026, 1, 1, 10, 0),
    dt.timedelta(hours=2), ["web"], ("web", "web"), {"a": 1}, b"bytes",
]


def outcome(read: Any, value: Any) -> tuple[Any, ...]:
    try:
        got = read(value)
    except Invalid as invalid:
        if invalid.value is NoValue:
            (code, params), = invalid.problems
            return ("refused", code, params)
        return ("problems", list(invalid.problems), type(invalid.value), repr(invalid.value))
    return ("read", type(got), repr(got))


def by_the_rules(validator: FieldValidator, value: Any) -> tuple[Any, ...]:
    """The general coercion of the field's type, then every check in turn."""
    try:
        got = coerce(validator.field, value)
    except FieldValueError as error:
        return ("refused", error.code, error.params)
    problems = [p for p in (c(got) for c in validator.checks) if p is not None] if (
        got is not None) else []
    if problems:
        return ("problems", problems, type(got), repr(got))
    return ("read", type(got), repr(got))


@pytest.mark.parametrize("validator", COMPILED, ids=[f.name for f in FIELDS])
def test_the_reader_answers_awkward_values_as_the_general_rules_do(validator):
    for value in AWKWARD:
        assert outcome(validator.read, value) == by_the_rules(validator, value), value


VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**17), 10**17),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(-1e7, 1e7).map(lambda f: round(f, 2)),
    st.floats(-1e13, 1e13).map(lambda f: round(f, 2)),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.floats(-1e6, 1e6).map(repr),
    st.dates().map(dt.date.isoformat), st.dates(),
    st.text(max_size=30), st.text(alphabet="0123456789 +-().x", max_size=20),
    st.from_regex(r"[a-zA-Z0-9.]{1,8}@[a-zA-Z0-9.\-]{1,10}\.[a-zA-Z]{1,4}", fullmatch=True),
    st.sampled_from(["web", "phone", "referral", " web", "fax"]),
)


@settings(max_examples=300, deadline=None)
@given(value=VALUES)
def test_every_reader_answers_any_value_as_the_general_rules_do(value):
    for validator in COMPILED:
        assert outcome(validator.read, value) == by_the_rules(validator, value), (
            validator.field.name, value)


def test_an_iso_week_date_is_not_a_date():
    close = compile_field(FieldSpec("close", "date", NOWHERE))
    with pytest.raises(Invalid) as refused:
        close.read("2026-W10-1")
    assert refused.value.problems[0][0] == "not_date"
    with pytest.raises(FieldValueError):
        close.coerce("2026-W10-1")


def test_repeated_dates_are_read_to_equal_values():
    close = compile_field(FieldSpec("close", "date", NOWHERE))
    assert close.read("2026-03-04") == close.read("2026-03-04") == dt.date(2026, 3, 4)


@pytest.mark.parametrize(("language", "message"), [
    ("en", "1e+24 is too large a number (at most 28 digits in all)"),
    ("zh", "1e+24 数值太大（总共最多 28 位数字）"),
])
def test_a_number_too_large_to_hold_is_refused_with_a_message(language, message):
    rate = compile_field(FieldSpec("rate", "decimal", NOWHERE, scale=4))
    with pytest.raises(Invalid) as refused:
        rate.read(1e24)
    (code, params), = refused.value.problems
    assert FieldValueError(code, **params).message(language) == message
