"""Parsing expressions: the tree for good text, a located, helpful error for bad text."""

from __future__ import annotations

from decimal import Decimal

import pytest
from guanxi.expr import Binary, Call, ExprSyntaxError, ListOf, Literal, Name, Unary, parse, to_text


def test_a_comparison_becomes_a_binary_node_at_its_operator() -> None:
    assert parse("value > 0") == Binary(6, ">", Name(0, ("value",)), Literal(8, 0, "number", "0"))


def test_and_binds_tighter_than_or() -> None:
    node = parse("a or b and c")
    assert isinstance(node, Binary) and node.op == "or"
    assert isinstance(node.right, Binary) and node.right.op == "and"


def test_not_applies_to_the_whole_comparison() -> None:
    node = parse("not a == 1")
    assert isinstance(node, Unary) and node.op == "not"
    assert isinstance(node.operand, Binary) and node.operand.op == "=="


def test_multiplication_binds_tighter_than_addition() -> None:
    assert to_text(parse("(a + b * c)")) == "a + b * c"
    assert to_text(parse("(a + b) * c")) == "(a + b) * c"


def test_subtraction_is_left_associative() -> None:
    node = parse("a - b - c")
    assert isinstance(node, Binary) and isinstance(node.left, Binary)
    assert to_text(node) == "a - b - c"
    assert to_text(parse("a - (b - c)")) == "a - (b - c)"


def test_a_path_through_references_is_one_name() -> None:
    assert parse("account.owner.region") == Name(0, ("account", "owner", "region"))


def test_a_call_holds_its_arguments() -> None:
    assert parse('coalesce(a, "x")') == Call(
        0, "coalesce", (Name(9, ("a",)), Literal(12, "x", "text", '"x"'))
    )


def test_not_in_is_one_operator() -> None:
    node = parse('source not in ["web", "expo"]')
    assert isinstance(node, Binary) and node.op == "not in"
    assert isinstance(node.right, ListOf) and len(node.right.items) == 2


@pytest.mark.parametrize(
    ("text", "seconds"), [("90m", 5400), ("12h", 43200), ("3d", 259200), ("2w", 1209600)]
)
def test_durations_are_seconds(text: str, seconds: int) -> None:
    assert parse(text) == Literal(0, seconds, "duration", text)


def test_a_decimal_literal_is_exact() -> None:
    assert parse("0.1") == Literal(0, Decimal("0.1"), "number", "0.1")


def test_strings_take_either_quote_and_escapes() -> None:
    assert parse("'it\\'s'").value == "it's"  # type: ignore[union-attr]
    assert parse('"关系\\n"').value == "关系\n"  # type: ignore[union-attr]


def test_true_false_and_null_are_literals() -> None:
    assert [parse(w).value for w in ("true", "false", "null")] == [True, False, None]  # type: ignore[union-attr]


def test_a_trailing_comma_is_allowed_in_lists() -> None:
    assert to_text(parse("x in [1, 2,]")) == "x in [1, 2]"


def test_to_text_round_trips() -> None:
    text = 'not (a == 1 or b != "x") and -c * (d + 2) >= now() - 3d'
    assert to_text(parse(text)) == text


@pytest.mark.parametrize(
    ("text", "message", "offset"),
    [
        ("a and", "expected a value after 'and'", 5),
        ("a or ) ", "expected a value after 'or'", 5),
        ('name == "abc', "unclosed string", 8),
        ("a = 1", "'=' is not an operator here — did you mean '=='?", 2),
        ("a && b", "unknown operator '&&' — use 'and'", 2),
        ("a || b", "unknown operator '||' — use 'or'", 2),
        ("!a", "unknown operator '!' — use 'not'", 0),
        ("a <> b", "unknown operator '<>' — use '!='", 2),
        ("", "the expression is empty", 0),
        ("a b", "unexpected 'b' — expected an operator or the end", 2),
        ("(a", "expected ')' to close the '(' at 0, found end of the expression", 2),
        ("a)", "unmatched ')'", 1),
        ("a < b < c", "comparisons cannot be chained", 6),
        ("1.5h", "'1.5h': a duration is a whole number followed by m, h, d or w", 0),
        ("3x", "unknown unit 'x' after 3", 1),
        ("f(a,", "expected a value after ','", 4),
        ("a.", "expected a field name after '.'", 2),
        ("a.b()", "'a.b' is not a function", 3),
        ("a == not b", "'not' must come before a whole condition", 5),
        ("a @ b", "unexpected character '@'", 2),
        ('"a\\q"', "unknown escape '\\q' in a string", 2),
    ],
)
def test_bad_text_is_refused_with_a_message_at_the_fault(
    text: str, message: str, offset: int
) -> None:
    with pytest.raises(ExprSyntaxError) as caught:
        parse(text)
    assert (caught.value.message, caught.value.offset) == (message, offset)


def test_a_syntax_error_may_carry_a_hint() -> None:
    with pytest.raises(ExprSyntaxError) as caught:
        parse("a = 1")
    assert caught.value.hint == "compare with '=='"


def test_a_string_does_not_run_past_the_end_of_the_line() -> None:
    with pytest.raises(ExprSyntaxError, match="unclosed string"):
        parse('a == "x\n"')


def test_non_ascii_outside_quotes_suggests_quoting() -> None:
    with pytest.raises(ExprSyntaxError) as caught:
        parse("name == 关系")
    assert caught.value.offset == 8
    assert caught.value.hint is not None and "quotes" in caught.value.hint


def test_deep_nesting_is_refused_cleanly() -> None:
    with pytest.raises(ExprSyntaxError, match="nested too deeply"):
        parse("(" * 500 + "1" + ")" * 500)


def test_a_long_chain_counts_as_deep_nesting() -> None:
    with pytest.raises(ExprSyntaxError, match="nested too deeply"):
        parse(" + ".join(["a"] * 2000))


def test_absurdly_long_text_is_refused() -> None:
    with pytest.raises(ExprSyntaxError, match="too long"):
        parse("a == 1 or " * 2000 + "true")
