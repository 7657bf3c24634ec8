"""Each expression of a project is parsed once and type-checked once per entity: the
checker leaves it on the entity's scope, and the compiled app compiles it from there."""

from __future__ import annotations

import gc
import weakref
from decimal import Decimal
from typing import Any

import pytest
from conftest import EXAMPLES
from guanxi.compile.app import compile_app
from guanxi.expr import (
    Checked,
    Context,
    ExprInvalid,
    ExprSyntaxError,
    Scope,
    check,
    parse,
    to_python,
)
from guanxi.language.project import load_project_or_raise
from guanxi.spec import EntitySpec, FieldSpec, Loc, ProjectSpec

LOC = Loc("entities/deal.yaml", 1, 1)


def _field(name: str, type_: str, **keys: Any) -> FieldSpec:
    return FieldSpec(name=name, type=type_, loc=LOC, **keys)


DEAL = EntitySpec("deal", LOC, fields=(
    _field("amount", "money"), _field("stage", "choice"), _field("account", "reference",
                                                                 ref="account"),
))
ACCOUNT = EntitySpec("account", LOC, fields=(_field("amount", "money"),))


def project() -> ProjectSpec:
    return ProjectSpec("shop", ".", LOC, entities=(ACCOUNT, DEAL))


def test_an_entity_of_a_project_has_one_scope() -> None:
    spec = project()
    assert Scope.for_entity(spec, DEAL) is Scope.for_entity(spec, spec.entities[1])


def test_an_entity_outside_the_project_gets_a_scope_of_its_own() -> None:
    spec = project()
    stranger = EntitySpec("deal", LOC, fields=(_field("size", "integer"),))
    scope = Scope.for_entity(spec, stranger)
    assert scope is not Scope.for_entity(spec, DEAL)
    assert "size" in scope.fields and "account" in scope.entities


def test_a_text_is_checked_once_per_scope() -> None:
    scope = Scope.for_entity(project(), DEAL)
    assert scope.checked("amount > 10") is scope.checked("amount > 10")


def test_a_text_is_parsed_once_per_project() -> None:
    spec = project()
    deal, account = Scope.for_entity(spec, DEAL), Scope.for_entity(spec, ACCOUNT)
    assert deal.checked("amount > 10").node is account.checked("amount > 10").node


def test_a_checked_text_reports_what_check_reports() -> None:
    scope = Scope.for_entity(project(), DEAL)
    for text, expect in (("amount + 1", "boolean"), ("amount + 1", "number"),
                         ("amount > nope", "boolean"), ("stage", None)):
        assert scope.checked(text).problems_for(expect) == check(parse(text), scope, expect)


def test_a_text_that_does_not_parse_keeps_its_syntax_error() -> None:
    checked = Scope.for_entity(project(), DEAL).checked("amount >")
    assert checked.node is None and isinstance(checked.syntax, ExprSyntaxError)
    with pytest.raises(ExprSyntaxError):
        checked.tree()


def test_a_text_with_type_problems_is_not_compiled() -> None:
    scope = Scope.for_entity(project(), DEAL)
    with pytest.raises(ExprInvalid):
        to_python(scope.checked("amount > \"x\""), scope)


def test_a_checked_text_compiles_to_what_its_tree_compiles_to() -> None:
    scope = Scope.for_entity(project(), DEAL)
    checked = scope.checked("amount * 2 >= 10")
    ctx = Context(user_id=1)
    for record in ({"amount": Decimal(5)}, {"amount": Decimal(4)}, {"amount": None}):
        assert to_python(checked, scope)(record, ctx, None) == \
            to_python(parse(checked.text), scope)(record, ctx, None)


def test_a_projects_scopes_go_with_the_project() -> None:
    spec = project()
    scope = weakref.ref(Scope.for_entity(spec, DEAL))
    del spec
    gc.collect()
    assert scope() is None


def test_the_compiled_app_compiles_what_the_checker_checked() -> None:
    spec = load_project_or_raise(EXAMPLES / "acme")
    checked_by_checker = {
        entity.name: dict(Scope.for_entity(spec, entity).checks) for entity in spec.entities
    }
    app = compile_app(spec)
    compiled_conditions = 0
    for name, compiled in app.entities.items():
        assert compiled.scope is Scope.for_entity(spec, compiled.spec)
        for grant in compiled.policy.grants.values():
            for permission in grant.operations.values():
                if permission.condition is not None:
                    assert isinstance(permission.condition, Checked)
                    text = permission.condition.text
                    assert permission.condition is checked_by_checker[name][text]
                    compiled_conditions += 1
        assert set(compiled.scope.checks) == set(checked_by_checker[name])
    assert compiled_conditions > 0
