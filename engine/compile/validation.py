"""Compiled validators: one per entity, built once, run on every save.

Each field becomes a small chain of closures (read the value, then each bound it
declares), so that checking a record costs a few dictionary lookups and comparisons per
field; this is the hot path of imports. Cross-field rules, state requirements and
computed fields use expressions compiled once to Python by `guanxi.expr`.

Errors are collected per field (`""` for the record as a whole) as codes with
parameters and rendered at the end in the user's language.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import partial
from typing import Any

from guanxi import expr
from guanxi.expr.types import CURRENT_USER
from guanxi.fields.readers import Invalid, NoValue
from guanxi.fields.registry import coerce as coerce_value
from guanxi.fields.registry import field_type
from guanxi.fields.values import FieldValueError, is_empty, option_values
from guanxi.messages import render, show
from guanxi.spec import EntitySpec, FieldSpec, ProjectSpec, RuleSpec, Text, text_in

# An error before rendering: (code, parameters) or, for a rule, its message (Text).
Problem = tuple[str, dict[str, Any]] | Text
Check = Callable[[Any], Problem | None]
Errors = dict[str, list[str]]


# ---------------------------------------------------------------- per-field checks


def _plain(bound: Any) -> str:
    """A declared bound as written: 100, not 100.00."""
    if isinstance(bound, Decimal | float) and bound == int(bound):
        return str(int(bound))
    return format(bound, "f") if isinstance(bound, Decimal) else str(bound)


def _bounds(field: FieldSpec, coerce: Callable[[Any], Any]) -> list[Check]:
    checks: list[Check] = []
    if field.min is not None:
        low = coerce(field.min)

        def at_least(value: Any, low: Any = low, shown: str = _plain(field.min)) -> Problem | None:
            if value < low:
                return ("below_min", {"value": show(value), "min": shown})
            return None

        checks.append(at_least)
    if field.max is not None:
        high = coerce(field.max)

        def at_most(value: Any, high: Any = high, shown: str = _plain(field.max)) -> Problem | None:
            if value > high:
                return ("above_max", {"value": show(value), "max": shown})
            return None

        checks.append(at_most)
    return checks


def _lengths(field: FieldSpec, longest: int | None) -> list[Check]:
    checks: list[Check] = []
    if longest is not None:

        def not_too_long(value: str, n: int = longest) -> Problem | None:
            if len(value) > n:
                return ("too_long", {"value": show(value), "length": len(value), "max_length": n})
            return None

        checks.append(not_too_long)
    if field.min_length is not None:

        def not_too_short(value: str, n: int = field.min_length) -> Problem | None:
            if len(value) < n:
                return ("too_short",
                        {"value": show(value), "length": len(value), "min_length": n})
            return None

        checks.append(not_too_short)
    if field.pattern:
        regex = re.compile(field.pattern)

        def matches(value: str, regex: re.Pattern[str] = regex) -> Problem | None:
            if regex.fullmatch(value) is None:
                return ("no_match", {"value": show(value), "pattern": regex.pattern})
            return None

        checks.append(matches)
    return checks


@dataclass(frozen=True, slots=True)
class FieldValidator:
    """How one field's value is read (`coerce`) and checked (`checks`, on non-empty
    values); `read` does both in one call, raising `Invalid` with the problems."""

    field: FieldSpec
    coerce: Callable[[Any], Any]
    checks: tuple[Check, ...]
    read: Callable[[Any], Any]


def _careful(coerce: Callable[[Any], Any], checks: tuple[Check, ...]) -> Callable[[Any], Any]:
    """Read a value and run every check on it; `Invalid` carries what failed."""

    def careful(raw: Any) -> Any:
        try:
            value = coerce(raw)
        except FieldValueError as error:
            raise Invalid(((error.code, error.params),)) from None
        if checks and value is not None:
            problems = tuple(p for p in (check(value) for check in checks) if p is not None)
            if problems:
                raise Invalid(problems, value)  # type: ignore[arg-type]
        return value

    return careful


def compile_field(field: FieldSpec) -> FieldValidator:
    """The reading function and the bound checks of one field."""
    # The general reading; common inputs never reach it (see FieldType.fast_reader).
    coerce = partial(coerce_value, field)
    kind = field_type(field)
    checks: list[Check] = []
    low = high = None
    if kind.bounded:
        minimum, maximum = kind.bounds(field)
        checks.extend(_bounds(replace(field, min=minimum, max=maximum), coerce))
        low = coerce(minimum) if minimum is not None else None
        high = coerce(maximum) if maximum is not None else None
    if kind.textual:
        checks.extend(_lengths(field, kind.text_limit(field)))
    careful = _careful(coerce, tuple(checks))
    return FieldValidator(field, coerce, tuple(checks),
                          kind.fast_reader(field, careful, low, high))


# ---------------------------------------------------------------- rules and computed fields

Predicate = Callable[..., Any]


@dataclass(frozen=True, slots=True)
class CompiledRule:
    spec: RuleSpec
    when: Predicate | None
    check: Predicate | None


# Node types whose value depends only on the fields they name (no user, time, function).
_PURE_NODES = (expr.Literal, expr.Name, expr.Binary, expr.Unary, expr.ListOf)


def _pure_nodes(node: Any) -> bool:
    todo = [node]
    while todo:
        current = todo.pop()
        if not isinstance(current, _PURE_NODES):
            return False
        if isinstance(current, expr.Name) and (
                len(current.parts) != 1 or current.parts[0] == CURRENT_USER):
            return False
        if isinstance(current, expr.Binary):
            todo += [current.left, current.right]
        elif isinstance(current, expr.Unary):
            todo.append(current.operand)
        elif isinstance(current, expr.ListOf):
            todo += current.items
    return True


def _condition(text: str, entity: EntitySpec, scope: Any) -> Predicate:
    """A rule condition as `fn(record, ctx, resolver) -> bool` (False when it cannot be
    evaluated). A condition on one choice field alone, such as `source == "referral"`,
    is evaluated once per option here and looked up per record."""
    checked = scope.checked(text)
    node = checked.tree()
    predicate = expr.to_python(checked, scope)

    def holds(record: Mapping[str, Any], ctx: Any, resolver: Any) -> bool:
        return _holds(predicate, record, ctx, resolver)

    used = expr.fields_used(node)
    field = entity.field(next(iter(used))) if len(used) == 1 else None
    if field is None or field.type != "choice" or not _pure_nodes(node):
        return holds
    name = field.name
    nobody = expr.Context(user_id=None)
    table = {value: holds({name: value}, nobody, None)
             for value in (*option_values(field), None)}

    def looked_up(record: Mapping[str, Any], ctx: Any, resolver: Any) -> bool:
        try:
            return table[record.get(name)]
        except (KeyError, TypeError):  # a stored value that is no longer an option
            return holds(record, ctx, resolver)

    return looked_up


@dataclass(frozen=True, slots=True)
class ComputedField:
    field: FieldSpec
    compute: Predicate


def _computed_in_order(entity: EntitySpec, scope: Any) -> tuple[ComputedField, ...]:
    """Computed fields ordered so that each comes after the computed fields it reads."""
    computed = {f.name: f for f in entity.fields if f.compute}
    checks = {name: scope.checked(f.compute or "") for name, f in computed.items()}
    nodes = {name: checked.tree() for name, checked in checks.items()}
    ordered: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in ordered or name in visiting:
            return
        visiting.add(name)
        for used in expr.fields_used(nodes[name]):
            head = str(used).split(".")[0]
            if head in computed:
                visit(head)
        ordered.append(name)

    for name in computed:
        visit(name)
    return tuple(ComputedField(computed[n], expr.to_python(checks[n], scope)) for n in ordered)


# ---------------------------------------------------------------- the entity validator


class EntityValidator:
    """Checks records of one entity. Immutable and shared by every thread."""

    def __init__(self, project: ProjectSpec, entity: EntitySpec, scope: Any = None) -> None:
        self.entity = entity
        self.fields: dict[str, FieldValidator] = {f.name: compile_field(f) for f in entity.fields}
        # The one system field a caller may give: who owns the record.
        self.fields["owner"] = compile_field(FieldSpec("owner", "user", entity.loc))
        self._read = {name: v.read for name, v in self.fields.items()}
        self.required = tuple(f.name for f in entity.fields if f.required)
        needs_expressions = any(f.compute for f in entity.fields) or bool(entity.rules)
        if needs_expressions and scope is None:
            scope = expr.Scope.for_entity(project, entity)
        self.computed = _computed_in_order(entity, scope) if needs_expressions else ()
        self.rules = tuple(
            CompiledRule(
                rule,
                _condition(rule.when, entity, scope) if rule.when else None,
                _condition(rule.check, entity, scope) if rule.check else None,
            )
            for rule in entity.rules
        )
        # The fields each rule reads (its conditions, requirements and targets).
        self.rule_reads = tuple(_rule_reads(rule, scope) for rule in entity.rules)
        workflow = project.workflow(entity.workflow) if entity.workflow else None
        self.state_requires: dict[str, tuple[str, ...]] = (
            {s.name: s.require for s in workflow.states if s.require} if workflow else {}
        )

    def coerce(self, values: Mapping[str, Any],
               language: str = "en") -> tuple[dict[str, Any], Errors]:
        """Read each given value into its canonical form and check its bounds.

        Names must be declared fields (the caller refuses others first). Returns the clean
        values and the errors, per field, in `language`."""
        read = self._read
        clean: dict[str, Any] = {}
        try:
            for name, raw in values.items():
                clean[name] = read[name](raw)
        except Invalid:
            pass
        else:
            return clean, {}
        clean = {}
        errors: Errors = {}
        for name, raw in values.items():
            try:
                clean[name] = read[name](raw)
            except Invalid as invalid:
                errors[name] = [_render(p, language) for p in invalid.problems]
                if invalid.value is not NoValue:
                    clean[name] = invalid.value
        return clean, errors

    def compute(self, record: dict[str, Any], ctx: Any, resolver: Any = None,
                language: str = "en") -> Errors:
        """Fill the computed fields of `record` in place; errors for those that fail."""
        if not self.computed:
            return {}
        errors: Errors = {}
        for computed in self.computed:
            field = computed.field
            try:
                value = self.coerce_computed(field.name, computed.compute(record, ctx, resolver))
            except (ArithmeticError, ValueError, TypeError) as error:
                record[field.name] = None
                errors[field.name] = [render("computed", {"reason": str(error)}, language)]
                continue
            record[field.name] = value
        return errors

    def coerce_computed(self, name: str, value: Any) -> Any:
        """A value an expression produced for field `name` (computed, or a transition's
        `set`), in the field's canonical form: numbers rounded to the field's scale."""
        field = self.fields[name].field
        if value is None:
            return None
        return field_type(field).computed(field, value)

    def check(self, record: Mapping[str, Any], ctx: Any, language: str = "en",
              resolver: Any = None, state: str | None = None) -> Errors:
        """Record-level checks on a complete record: required fields, rules, and the
        requirements of `state` (default: the record's own state)."""
        errors: Errors = {}
        for name in self.required:
            value = record.get(name)
            if type(value) is str:
                if value.strip():
                    continue
            elif value is not None and (type(value) in _NEVER_EMPTY or not is_empty(value)):
                continue
            errors.setdefault(name, []).append(render("required", {}, language))
        if self.state_requires:
            self._check_state(record, state, language, errors)
        for rule in self.rules:
            if rule.when is None or rule.when(record, ctx, resolver):
                self._apply_rule(rule, record, ctx, resolver, language, errors)
        return errors

    def check_rules(self, record: Mapping[str, Any], reading: frozenset[str], ctx: Any,
                    language: str = "en", resolver: Any = None) -> Errors:
        """Only the rules that read one of the fields `reading` (a record whose roll-ups
        just moved is held to the rules about them, not re-checked whole)."""
        errors: Errors = {}
        for rule, reads in zip(self.rules, self.rule_reads):
            if reads & reading and (rule.when is None or rule.when(record, ctx, resolver)):
                self._apply_rule(rule, record, ctx, resolver, language, errors)
        return errors

    def _check_state(self, record: Mapping[str, Any], state: str | None, language: str,
                     errors: Errors) -> None:
        state = state if state is not None else record.get("state")
        for name in self.state_requires.get(state, ()) if state else ():
            if is_empty(record.get(name)) and name not in errors:
                errors.setdefault(name, []).append(
                    render("required_in_state", {"state": state}, language))

    def _apply_rule(self, rule: CompiledRule, record: Mapping[str, Any], ctx: Any,
                    resolver: Any, language: str, errors: Errors) -> None:
        """A rule whose `when` holds (or that has none): its requirements and check."""
        spec = rule.spec
        missing = [name for name in spec.require if is_empty(record.get(name))]
        failed = rule.check is not None and not rule.check(record, ctx, resolver)
        if not missing and not failed:
            return
        if spec.message:
            message = text_in(spec.message, language)
        elif failed:
            message = render("rule_failed", {"condition": spec.check}, language)
        else:
            message = render("required", {}, language)
        targets = spec.fields or tuple(missing) or spec.require or ("",)
        for target in targets:
            bucket = errors.setdefault(target, [])
            if message not in bucket:
                bucket.append(message)


def _rule_reads(rule: RuleSpec, scope: Any) -> frozenset[str]:
    reads = set(rule.require) | set(rule.fields)
    for text in (rule.when, rule.check):
        if text is not None:
            reads |= expr.fields_used(scope.checked(text).tree())
    return frozenset(reads)


# Types of canonical values that are never "empty".
_NEVER_EMPTY = frozenset({int, bool, Decimal, dt.date, dt.datetime})


def _holds(predicate: Predicate, record: Mapping[str, Any], ctx: Any, resolver: Any) -> bool:
    try:
        return bool(predicate(record, ctx, resolver))
    except (ArithmeticError, ValueError, TypeError):
        return False


def _render(problem: Problem, language: str) -> str:
    if isinstance(problem, tuple):
        code, params = problem
        return render(code, params, language)
    return text_in(problem, language)


def merge_errors(*many: Errors) -> Errors:
    """Errors of several stages, per field, in order, without repeats."""
    merged: Errors = {}
    for errors in many:
        for name, messages in errors.items():
            bucket = merged.setdefault(name, [])
            bucket.extend(m for m in messages if m not in bucket)
    return merged
