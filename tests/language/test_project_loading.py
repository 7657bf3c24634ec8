"""Loading a project directory into a ProjectSpec."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from guanxi.errors import ProjectInvalid
from guanxi.language.project import load_project, load_project_or_raise
from guanxi.spec import ALLOW, DENY, Loc

PROJECT = """
    project: acme
    languages: [en, zh]
    roles:
      sales_rep: {label: {en: Sales rep, zh: 销售代表}}
      sales_manager: {label: Sales manager, includes: [sales_rep]}
      admin: {includes: [sales_manager], admin: true}
"""

LEAD = """
    lead:
      label: {en: Lead, zh: 线索}
      fields:
        name: {type: string, required: true, max_length: 200}
        email: {type: email, unique: true, sensitive: true}
        source: {type: choice, options: [web, phone, referral], default: web}
        priority: {type: choice, options: {high: {en: High, zh: 高}, low: Low}}
        value: {type: money, min: 0, max: 1000000}
        rate: {type: decimal, scale: 4}
        expected: {type: money, compute: value * 2}
        loss_reason: {type: string}
        converted_on: {type: date, default: today}
        opened: {type: date, min: 2020-01-01}
        wait: {type: duration, default: 3d}
        topics: {type: tags, options: [a, b], default: [a]}
        assignee: {type: user, default: current_user}
        account: {type: reference, to: account}
      rules:
        - when: source == "referral"
          require: [name]
          message: {en: Referral leads need a name}
        - check: value >= 0
          fields: [value]
          message: Value must not be negative
      indexes:
        - [source, value]
        - {fields: [email], unique: true}
      workflow: lead_lifecycle
      access:
        sales_rep:
          create: all
          read: owner == current_user
          update: owner == current_user
          hide: [email]
          readonly: [source]
          transitions: [contact, lose]
        sales_manager: {create: all, read: all, update: all, delete: all, transitions: all}
      list: {columns: [name, source]}
"""

ACCOUNT = """
    account:
      fields:
        name: {type: string}
      access:
        sales_rep: {read: all}
"""


@pytest.fixture
def acme(write_project) -> Path:
    return write_project({
        "guanxi.yaml": PROJECT,
        "entities/lead.yaml": LEAD,
        "entities/account.yaml": ACCOUNT,
    })


def test_a_valid_project_loads_without_errors(acme: Path) -> None:
    result = load_project(acme)
    assert [d for d in result.diagnostics if d.is_error] == []
    assert result.spec is not None
    assert result.spec.name == "acme"
    assert result.spec.languages == ("en", "zh")


def test_entities_are_read_from_files_in_name_order(acme: Path) -> None:
    spec = load_project_or_raise(acme)
    assert [e.name for e in spec.entities] == ["account", "lead"]


def test_roles_keep_labels_includes_and_admin(acme: Path) -> None:
    spec = load_project_or_raise(acme)
    manager = spec.role("sales_manager")
    assert manager is not None and manager.includes == ("sales_rep",)
    assert manager.label == {"en": "Sales manager"}
    assert spec.role("admin").admin is True
    assert spec.expand_roles(("admin",)) == {"admin", "sales_manager", "sales_rep"}


def test_locations_are_one_based_and_point_at_the_name(acme: Path) -> None:
    spec = load_project_or_raise(acme)
    lead = spec.entity("lead")
    assert lead.loc == Loc(str(acme / "entities" / "lead.yaml"), 1, 1)
    assert lead.field("name").loc == Loc(str(acme / "entities" / "lead.yaml"), 4, 5)


def test_labels_are_normalized_to_the_first_language(acme: Path) -> None:
    spec = load_project_or_raise(acme)
    lead = spec.entity("lead")
    assert lead.label == {"en": "Lead", "zh": "线索"}
    assert lead.rules[1].message == {"en": "Value must not be negative"}


def test_missing_labels_are_derived_from_names(acme: Path) -> None:
    spec = load_project_or_raise(acme)
    assert spec.entity("lead").field("loss_reason").label == {"en": "Loss reason"}
    assert spec.entity("account").label == {"en": "Account"}
    assert spec.entity("account").plural == {"en": "Accounts"}


def test_field_keys_become_typed_values(acme: Path) -> None:
    lead = load_project_or_raise(acme).entity("lead")
    value = lead.field("value")
    assert (value.type, value.min, value.max, value.scale) == (
        "money", Decimal("0"), Decimal("1000000"), 2)
    assert lead.field("rate").scale == 4
    assert lead.field("opened").min == dt.date(2020, 1, 1)
    assert lead.field("wait").default == 3 * 86400
    assert lead.field("topics").default == ("a",)
    assert lead.field("name").required and lead.field("name").max_length == 200
    assert lead.field("email").unique and lead.field("email").sensitive
    assert lead.field("account").ref == "account"


def test_dynamic_defaults_stay_names(acme: Path) -> None:
    lead = load_project_or_raise(acme).entity("lead")
    assert lead.field("converted_on").default == "today"
    assert lead.field("assignee").default == "current_user"


def test_options_from_a_list_or_a_mapping_of_labels(acme: Path) -> None:
    lead = load_project_or_raise(acme).entity("lead")
    assert [o.value for o in lead.field("source").options] == ["web", "phone", "referral"]
    assert lead.field("source").options[0].label == {"en": "Web"}
    assert lead.field("source").default == "web"
    priority = lead.field("priority").options
    assert [(o.value, o.label) for o in priority] == [
        ("high", {"en": "High", "zh": "高"}), ("low", {"en": "Low"})]


def test_computed_fields_keep_their_expression_and_place(acme: Path) -> None:
    expected = load_project_or_raise(acme).entity("lead").field("expected")
    assert expected.compute == "value * 2"
    assert expected.compute_loc is not None and expected.compute_loc.col > expected.loc.col


def test_rules_indexes_and_list_columns(acme: Path) -> None:
    lead = load_project_or_raise(acme).entity("lead")
    first, second = lead.rules
    assert (first.when, first.require, first.check) == ('source == "referral"', ("name",), None)
    assert (second.check, second.fields) == ("value >= 0", ("value",))
    assert [(i.fields, i.unique) for i in lead.indexes] == [
        (("source", "value"), False), (("email",), True)]
    assert lead.list_columns == ("name", "source")
    assert lead.title == "name"


def test_access_grants(acme: Path) -> None:
    lead = load_project_or_raise(acme).entity("lead")
    rep = lead.access_for("sales_rep")
    assert rep.create.kind == ALLOW.kind
    assert (rep.read.kind, rep.read.condition) == ("where", "owner == current_user")
    assert rep.delete == DENY
    assert rep.hide == ("email",) and rep.readonly == ("source",)
    assert rep.transitions == ("contact", "lose")


def test_transitions_all_lists_every_transition_of_the_workflow(acme: Path) -> None:
    spec = load_project_or_raise(acme)
    manager = spec.entity("lead").access_for("sales_manager")
    workflow = spec.workflow("lead_lifecycle")
    assert manager.transitions == tuple(t.name for t in workflow.transitions)


def test_an_entity_without_an_access_entry_for_a_role_grants_it_nothing(acme: Path) -> None:
    assert load_project_or_raise(acme).entity("account").access_for("sales_manager") is None


def test_a_standard_workflow_is_used_when_the_project_does_not_declare_it(acme: Path) -> None:
    spec = load_project_or_raise(acme)
    assert [w.name for w in spec.workflows] == ["lead_lifecycle"]
    workflow = spec.workflow("lead_lifecycle")
    assert workflow.initial == "new"
    assert workflow.state("converted").final


def test_only_used_standard_workflows_are_included(acme: Path) -> None:
    names = [w.name for w in load_project_or_raise(acme).workflows]
    assert "ticket_lifecycle" not in names and "opportunity_pipeline" not in names


WORKFLOW = """
    deal_flow:
      label: Deal flow
      initial: open
      states:
        open: {label: {en: Open, zh: 打开}}
        review: {require: [amount], editable: [amount]}
        won: {final: true}
        lost: {final: true}
      transitions:
        submit: {from: open, to: review, when: amount > 0, roles: [boss]}
        win: {from: review, to: won, set: {closed_on: today(), amount: 5}}
        lose: {from: "*", to: lost, require: [reason]}
      timers:
        - {name: nudge, in: review, after: 12h, do: notify, to: owner}
        - {in: open, after: 1w, do: fire, transition: lose}
"""

DEAL = """
    deal:
      fields:
        amount: {type: money}
        reason: {type: text}
        closed_on: {type: date}
      workflow: deal_flow
      access:
        boss: {create: all, read: all, update: all}
"""


@pytest.fixture
def deals(write_project) -> Path:
    return write_project({
        "guanxi.yaml": "project: deals\nroles: {boss: {}}\n",
        "entities/deal.yaml": DEAL,
        "workflows/deal_flow.yaml": WORKFLOW,
    })


def test_a_project_workflow_keeps_states_in_order(deals: Path) -> None:
    workflow = load_project_or_raise(deals).workflow("deal_flow")
    assert [s.name for s in workflow.states] == ["open", "review", "won", "lost"]
    review = workflow.state("review")
    assert (review.require, review.editable) == (("amount",), ("amount",))
    assert workflow.state("open").editable is None
    assert workflow.state("review").label == {"en": "Review"}


def test_transitions_from_one_or_several_or_every_open_state(deals: Path) -> None:
    workflow = load_project_or_raise(deals).workflow("deal_flow")
    assert workflow.transition("submit").sources == ("open",)
    assert workflow.transition("lose").sources == ("open", "review")
    submit = workflow.transition("submit")
    assert (submit.target, submit.when, submit.roles) == ("review", "amount > 0", ("boss",))


def test_transition_set_values_are_expressions(deals: Path) -> None:
    win = load_project_or_raise(deals).workflow("deal_flow").transition("win")
    assert win.set == (("closed_on", "today()"), ("amount", "5"))


def test_timers_parse_durations_to_seconds(deals: Path) -> None:
    nudge, auto = load_project_or_raise(deals).workflow("deal_flow").timers
    assert (nudge.name, nudge.state, nudge.after_seconds, nudge.after_text) == (
        "nudge", "review", 12 * 3600, "12h")
    assert (nudge.action, nudge.target) == ("notify", "owner")
    assert (auto.action, auto.target, auto.after_seconds) == ("fire", "lose", 7 * 86400)
    assert auto.name == "open_after_1w"


def test_states_may_be_a_plain_list(write_project) -> None:
    root = write_project({
        "guanxi.yaml": "project: p\nroles: {r: {}}\n",
        "entities/thing.yaml": """
            thing:
              fields: {name: {type: string}}
              workflow: simple
              access: {r: {read: all, update: all}}
        """,
        "workflows/simple.yaml": """
            simple:
              initial: a
              states: [a, b]
              transitions:
                go: {from: a, to: b}
                back: {from: b, to: a}
        """,
    })
    workflow = load_project_or_raise(root).workflow("simple")
    assert [s.name for s in workflow.states] == ["a", "b"]
    assert workflow.state("b").label == {"en": "B"}


def test_a_project_with_errors_raises_project_invalid_listing_them(write_project) -> None:
    root = write_project({"guanxi.yaml": "project: p\nroles: {a: {}, a: {}}\n"})
    with pytest.raises(ProjectInvalid) as raised:
        load_project_or_raise(root)
    assert raised.value.diagnostics
    assert "guanxi.yaml:2:16: [GX103]" in str(raised.value)
    assert "guanxi.yaml:2:9: [GX103]" in str(raised.value)


def test_a_directory_without_a_project_file_is_reported(tmp_path: Path) -> None:
    result = load_project(tmp_path)
    assert result.spec is None
    assert [d.id for d in result.diagnostics] == ["GX108"]
