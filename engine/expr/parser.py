"""Recursive-descent parser: expression text to a tree of `nodes`.

The grammar (lowest precedence first) is documented in docs/language.md, "Expressions".
"""

from __future__ import annotations

from collections.abc import Callable

from guanxi.expr.lexer import ExprSyntaxError, Token, tokenize
from guanxi.expr.nodes import Binary, Call, ListOf, Literal, Name, Node, Unary

MAX_DEPTH = 50

_COMPARE = ("==", "!=", "<", "<=", ">", ">=")


def parse(text: str) -> Node:
    """The tree of `text`; raises ExprSyntaxError with a message, offset and hint."""
    parser = _Parser(text, tokenize(text))
    if parser.peek.kind == "end":
        raise ExprSyntaxError("the expression is empty", 0, "write a condition such as value > 0")
    node = parser.expression()
    token = parser.peek
    if token.kind != "end":
        if token.text == ")":
            raise ExprSyntaxError("unmatched ')'", token.offset, "remove it or add a '(' before")
        raise ExprSyntaxError(
            f"unexpected {_describe(token)} — expected an operator or the end",
            token.offset,
            "join conditions with 'and' or 'or'",
        )
    _check_depth(node)
    return node


def _check_depth(root: Node) -> None:
    """Refuse trees deeper than MAX_DEPTH (long chains like a+a+a+… count too)."""
    todo: list[tuple[Node, int]] = [(root, 1)]
    while todo:
        node, depth = todo.pop()
        if depth > MAX_DEPTH:
            raise ExprSyntaxError(
                f"the expression is nested too deeply (more than {MAX_DEPTH} levels)",
                node.offset,
                "split it into simpler parts",
            )
        if isinstance(node, Binary):
            todo += [(node.left, depth + 1), (node.right, depth + 1)]
        elif isinstance(node, Unary):
            todo.append((node.operand, depth + 1))
        elif isinstance(node, ListOf | Call):
            todo += [(child, depth + 1) for child in (node.items if isinstance(node, ListOf)
                                                       else node.args)]


def _describe(token: Token) -> str:
    if token.kind == "end":
        return "end of the expression"
    return f"'{token.text}'"


class _Parser:
    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.position = 0
        self.depth = 0

    @property
    def peek(self) -> Token:
        return self.tokens[self.position]

    def next(self) -> Token:
        token = self.tokens[self.position]
        if token.kind != "end":
            self.position += 1
        return token

    def at(self, *texts: str) -> bool:
        token = self.peek
        return token.kind in ("op", "keyword") and token.text in texts

    def nest(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprSyntaxError(
                f"the expression is nested too deeply (more than {MAX_DEPTH} levels)",
                token.offset,
                "split it into simpler parts",
            )

    def operand(self, after: Token, parse: Callable[[], Node]) -> Node:
        """The operand after an operator, or a message naming that operator."""
        if self.peek.kind == "end" or self.at(")", "]", ",", "and", "or", "==", "!=", "<",
                                              "<=", ">", ">=", "*", "/", "%", "in", "."):
            raise ExprSyntaxError(
                f"expected a value after '{after.text}'", self.peek.offset,
                None if self.peek.kind == "end" else f"found {_describe(self.peek)}",
            )
        return parse()

    def expression(self) -> Node:
        return self.disjunction()

    def disjunction(self) -> Node:
        node = self.conjunction()
        while self.at("or"):
            op = self.next()
            node = Binary(op.offset, "or", node, self.operand(op, self.conjunction))
        return node

    def conjunction(self) -> Node:
        node = self.negation()
        while self.at("and"):
            op = self.next()
            node = Binary(op.offset, "and", node, self.operand(op, self.negation))
        return node

    def negation(self) -> Node:
        if self.at("not"):
            op = self.next()
            self.nest(op)
            operand = self.operand(op, self.negation)
            self.depth -= 1
            return Unary(op.offset, "not", operand)
        return self.comparison()

    def comparison(self) -> Node:
        node = self.sum()
        op = self.comparison_operator()
        if op is None:
            return node
        token = self.next()
        if op == "not in":
            self.next()
        operand = self.operand(Token("op", op, token.offset), self.sum)
        if self.comparison_operator() is not None:
            raise ExprSyntaxError(
                "comparisons cannot be chained", self.peek.offset,
                "join two comparisons with 'and': a < b and b < c",
            )
        return Binary(token.offset, op, node, operand)

    def comparison_operator(self) -> str | None:
        """The comparison operator at the cursor, if any (not consumed)."""
        if self.at(*_COMPARE, "in"):
            return self.peek.text
        if self.at("not"):
            following = self.tokens[self.position + 1]
            if following.kind == "keyword" and following.text == "in":
                return "not in"
        return None

    def sum(self) -> Node:
        node = self.product()
        while self.at("+", "-"):
            op = self.next()
            node = Binary(op.offset, op.text, node, self.operand(op, self.product))
        return node

    def product(self) -> Node:
        node = self.unary()
        while self.at("*", "/", "%"):
            op = self.next()
            node = Binary(op.offset, op.text, node, self.operand(op, self.unary))
        return node

    def unary(self) -> Node:
        if self.at("-"):
            op = self.next()
            self.nest(op)
            operand = self.operand(op, self.unary)
            self.depth -= 1
            return Unary(op.offset, "-", operand)
        if self.at("not"):
            token = self.peek
            raise ExprSyntaxError(
                "'not' must come before a whole condition", token.offset,
                "put the condition in parentheses: not (a == b)",
            )
        return self.atom()

    def atom(self) -> Node:
        token = self.next()
        if token.kind in ("number", "duration", "string"):
            kind = {"number": "number", "duration": "duration", "string": "text"}[token.kind]
            return Literal(token.offset, token.value, kind, token.text)  # type: ignore[arg-type]
        if token.kind == "keyword" and token.text in ("true", "false", "null"):
            value = {"true": True, "false": False, "null": None}[token.text]
            return Literal(token.offset, value, "null" if value is None else "boolean",
                           token.text)
        if token.kind == "name":
            return self.name_or_call(token)
        if token.text == "(" and token.kind == "op":
            self.nest(token)
            node = self.operand(token, self.expression)
            self.close(token, ")")
            self.depth -= 1
            return node
        if token.text == "[" and token.kind == "op":
            self.nest(token)
            items = self.items(token, "]")
            self.depth -= 1
            return ListOf(token.offset, items)
        if token.kind == "end":
            raise ExprSyntaxError("expected a value", token.offset)
        raise ExprSyntaxError(f"expected a value, found {_describe(token)}", token.offset)

    def name_or_call(self, token: Token) -> Node:
        if self.at("("):
            paren = self.next()
            self.nest(paren)
            args = self.items(paren, ")")
            self.depth -= 1
            return Call(token.offset, token.text, args)
        parts = [token.text]
        while self.at("."):
            dot = self.next()
            part = self.next()
            if part.kind != "name":
                raise ExprSyntaxError(
                    "expected a field name after '.'", part.offset if part.kind != "end"
                    else dot.offset + 1,
                )
            parts.append(part.text)
        if self.at("("):
            raise ExprSyntaxError(
                f"'{'.'.join(parts)}' is not a function", self.peek.offset,
                "only named functions such as len(x) can be called",
            )
        return Name(token.offset, tuple(parts))

    def items(self, opener: Token, closer: str) -> tuple[Node, ...]:
        items: list[Node] = []
        if self.at(closer):
            self.next()
            return ()
        while True:
            after = opener if not items else self.tokens[self.position - 1]
            items.append(self.operand(after, self.expression))
            if self.at(","):
                self.next()
                if self.at(closer):  # a trailing comma is allowed
                    self.next()
                    return tuple(items)
                continue
            self.close(opener, closer)
            return tuple(items)

    def close(self, opener: Token, closer: str) -> None:
        if self.at(closer):
            self.next()
            return
        token = self.peek
        raise ExprSyntaxError(
            f"expected '{closer}' to close the '{opener.text}' at {opener.offset}, "
            f"found {_describe(token)}",
            token.offset,
            None,
        )
