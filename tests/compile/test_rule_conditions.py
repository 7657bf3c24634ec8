"""Rule conditions on one choice field are decided per option when the project is
compiled; the answers are the same as evaluating the condition on every record."""

from __future__ import annotations

import datetime as dt

import pytest
from guanxi.compile.app import compile_app
from guanxi.expr import Context
from guanxi.language.project import load_project_or_raise

PROJECT = {
    "guanxi.yaml": """\
        project: rules
        roles: {rep: {}}
    """,
    "entities/lead.yaml": """\
        lead:
          fields:
            name: {type: string, required: true}
            source: {type: choice, options: [web, phone, referral, expo]}
            referrer: {type: string}
            notes: {type: string}
          rules:
            - when: source in ["referral", "expo"]
              require: [referrer]
              message: {en: Say who referred them, zh: 请填写推荐人}
            - when: source == "web" and current_user == 7
              require: [notes]
              message: Web leads of user 7 need notes
          access:
            rep: {create: all, read: all, update: all}
    """,
}


@pytest.fixture(scope="module")
def lead(tmp_path_factory):
    import textwrap

    root = tmp_path_factory.mktemp("rules")
    for relative, text in PROJECT.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return compile_app(load_project_or_raise(root)).entity("lead").validator


def ctx(user_id: int) -> Context:
    return Context(user_id=user_id, roles=frozenset({"rep"}),
                   now=dt.datetime(2026, 11, 22, tzinfo=dt.UTC))


def errors(validator, language="en", user_id=1, **values):
    record = {"name": "Ann", "source": None, "referrer": None, "notes": None, **values}
    return validator.check(record, ctx(user_id), language)


@pytest.mark.parametrize(("source", "needs_referrer"), [
    ("referral", True), ("expo", True), ("web", False), ("phone", False), (None, False)])
def test_a_condition_on_a_choice_applies_to_exactly_the_options_it_names(
        lead, source, needs_referrer):
    found = errors(lead, source=source)
    assert found == ({"referrer": ["Say who referred them"]} if needs_referrer else {})


def test_the_rule_message_is_in_the_users_language(lead):
    assert errors(lead, "zh", source="expo") == {"referrer": ["请填写推荐人"]}


def test_a_stored_value_that_is_no_longer_an_option_is_judged_by_the_condition(lead):
    assert errors(lead, source="fax") == {}
    assert errors(lead, source=["referral"]) == {}  # not even text: the condition is false


def test_a_condition_naming_the_current_user_is_decided_per_user(lead):
    assert errors(lead, user_id=7, source="web") == {
        "notes": ["Web leads of user 7 need notes"]}
    assert errors(lead, user_id=8, source="web") == {}
