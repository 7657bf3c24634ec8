"""Overlays: a project that `extends` a base adds, overrides and removes things."""

from __future__ import annotations

from pathlib import Path

import pytest
from guanxi.language.project import load_project, load_project_or_raise

BASE = {
    "guanxi.yaml": """
        project: base
        languages: [en, zh]
        roles:
          rep: {label: {en: Rep, zh: 代表}}
          manager: {includes: [rep]}
          agent: {}
    """,
    "entities/lead.yaml": """
        lead:
          label: {en: Lead, zh: 线索}
          fields:
            name: {type: string, required: true, max_length: 100}
            referrer: {type: string}
            notes: {type: text}
          rules:
            - when: name == "x"
              require: [referrer]
          access:
            rep: {create: all, read: all, update: all}
            manager: {read: all, hide: [notes]}
            agent: {read: all}
    """,
    "entities/quote.yaml": """
        quote:
          fields:
            amount: {type: money}
          access:
            manager: {read: all}
    """,
    "workflows/flow.yaml": """
        flow:
          initial: open
          states: [open, done, lost]
          transitions:
            finish: {from: open, to: done}
            lose: {from: open, to: lost}
    """,
}


@pytest.fixture
def base(write_project) -> Path:
    return write_project(BASE, name="base")


def overlay(write_project, files: dict[str, str]) -> Path:
    files = {"guanxi.yaml": "project: company\nextends: ../base\n", **files}
    return write_project(files, name="company")


def errors(root: Path) -> list:
    return [d for d in load_project(root).diagnostics if d.is_error]


def test_an_overlay_without_changes_is_the_base(base: Path, write_project) -> None:
    spec = load_project_or_raise(overlay(write_project, {}))
    assert spec.name == "company"
    assert [e.name for e in spec.entities] == ["lead", "quote"]
    assert spec.languages == ("en", "zh")
    assert spec.extends == (str(base.resolve()),)


def test_an_overlay_adds_entities_fields_and_roles(base: Path, write_project) -> None:
    root = overlay(write_project, {
        "guanxi.yaml": "project: company\nextends: ../base\nroles: {auditor: {}}\n",
        "entities/extra.yaml": """
            lead:
              fields:
                budget: {type: money}
            invoice:
              fields:
                number: {type: string}
              access:
                auditor: {read: all}
        """,
    })
    spec = load_project_or_raise(root)
    assert [f.name for f in spec.entity("lead").fields] == ["name", "referrer", "notes",
                                                            "budget"]
    assert spec.entity("invoice") is not None
    assert [r.name for r in spec.roles] == ["rep", "manager", "agent", "auditor"]


def test_an_overlay_overrides_keys_and_keeps_the_rest(base: Path, write_project) -> None:
    root = overlay(write_project, {
        "guanxi.yaml": """
            project: company
            extends: ../base
            roles:
              rep: {label: {en: Account executive}}
        """,
        "entities/lead.yaml": """
            lead:
              fields:
                name: {max_length: 50}
              access:
                manager: {update: all}
        """,
    })
    spec = load_project_or_raise(root)
    name = spec.entity("lead").field("name")
    assert (name.type, name.required, name.max_length) == ("string", True, 50)
    manager = spec.entity("lead").access_for("manager")
    assert (manager.read.kind, manager.update.kind, manager.hide) == ("all", "all", ("notes",))
    assert spec.role("rep").label == {"en": "Account executive", "zh": "代表"}


def test_overridden_keys_are_located_in_the_overlay(base: Path, write_project) -> None:
    root = overlay(write_project, {
        "entities/lead.yaml": "lead:\n  fields:\n    name: {max_length: 0}\n",
    })
    (d,) = errors(root)
    assert (d.id, d.loc.file, d.loc.line) == ("GX205", str(root / "entities" / "lead.yaml"), 3)


def test_an_overlay_removes_entities_fields_roles_and_states(base: Path, write_project) -> None:
    root = overlay(write_project, {
        "guanxi.yaml": """
            project: company
            extends: ../base
            remove:
              entities: [quote]
              fields: {lead: [notes]}
              roles: [agent]
              access: {lead: [agent]}
              states: {flow: [lost]}
              transitions: {flow: [lose]}
        """,
        "entities/lead.yaml": """
            lead:
              workflow: flow
              access:
                manager: {hide: []}
        """,
    })
    spec = load_project_or_raise(root)
    assert [e.name for e in spec.entities] == ["lead"]
    assert spec.entity("lead").field("notes") is None
    assert spec.role("agent") is None and spec.entity("lead").access_for("agent") is None
    assert [s.name for s in spec.workflow("flow").states] == ["open", "done"]
    assert [t.name for t in spec.workflow("flow").transitions] == ["finish"]


def test_removing_an_unknown_name_is_an_error(base: Path, write_project) -> None:
    root = overlay(write_project, {
        "guanxi.yaml": """
            project: company
            extends: ../base
            remove:
              entities: [qoute]
              fields: {lead: [nots]}
        """,
    })
    found = [(d.id, d.message, d.loc.line) for d in errors(root)]
    assert found == [
        ("GX703", "cannot remove entity 'qoute': the base has no such entity", 4),
        ("GX703", "cannot remove field 'nots': the base has no such field", 5),
    ]


def test_removing_something_still_used_is_reported_at_both_places(
        base: Path, write_project) -> None:
    root = overlay(write_project, {
        "guanxi.yaml": """
            project: company
            extends: ../base
            remove:
              fields: {lead: [referrer]}
        """,
    })
    found = errors(root)
    assert {d.id for d in found} == {"GX704"}
    places = {(Path(d.loc.file).name, d.loc.line) for d in found}
    assert places == {("guanxi.yaml", 4), ("lead.yaml", 9)}
    assert all("field 'lead.referrer' is removed at" in d.message for d in found)


def test_the_same_entity_in_two_files_of_one_project_is_reported_at_both(
        write_project) -> None:
    root = write_project({
        "guanxi.yaml": "project: p\nroles: {r: {}}\n",
        "entities/a.yaml": "thing:\n  fields: {name: {type: string}}\n"
                           "  access: {r: {read: all}}\n",
        "entities/b.yaml": "# again\nthing:\n  fields: {title: {type: string}}\n",
    })
    found = [(d.id, Path(d.loc.file).name, d.loc.line) for d in errors(root)]
    assert found == [("GX309", "a.yaml", 1), ("GX309", "b.yaml", 2)]


def test_an_overlay_may_itself_be_extended(base: Path, write_project) -> None:
    overlay(write_project, {"entities/lead.yaml": "lead:\n  fields: {budget: {type: money}}\n"})
    top = write_project({
        "guanxi.yaml": "project: branch\nextends: ../company\n",
        "entities/lead.yaml": "lead:\n  fields: {region: {type: string}}\n",
    }, name="branch")
    spec = load_project_or_raise(top)
    assert [f.name for f in spec.entity("lead").fields][-2:] == ["budget", "region"]
    assert len(spec.extends) == 2


def test_extending_a_directory_without_a_project_is_an_error(write_project) -> None:
    root = write_project({"guanxi.yaml": "project: p\nextends: ../missing\n"})
    (d,) = errors(root)
    assert d.id == "GX701"
    assert d.loc.line == 2


def test_projects_extending_each_other_are_an_error(write_project) -> None:
    write_project({"guanxi.yaml": "project: a\nextends: ../b\n"}, name="a")
    root = write_project({"guanxi.yaml": "project: b\nextends: ../a\n"}, name="b")
    assert "GX702" in {d.id for d in errors(root)}


def test_remove_without_extends_is_an_error(write_project) -> None:
    root = write_project({"guanxi.yaml": "project: p\nremove: {entities: [x]}\n"})
    assert [d.id for d in errors(root)] == ["GX705"]


def test_a_workflow_extends_a_standard_one(write_project) -> None:
    root = write_project({
        "guanxi.yaml": "project: p\nroles: {service_manager: {}}\n",
        "entities/ticket.yaml": """
            ticket:
              fields:
                assignee: {type: user}
                resolution: {type: text}
              workflow: my_tickets
              access: {service_manager: {read: all, update: all}}
        """,
        "workflows/my_tickets.yaml": """
            my_tickets:
              extends: ticket_lifecycle
              states:
                on_hold: {label: On hold}
              transitions:
                hold: {from: in_progress, to: on_hold}
                resume: {from: on_hold, to: in_progress}
                close: {from: [resolved, on_hold]}
              timers:
                - {name: auto_close, in: resolved, after: 3d, do: fire, transition: close}
        """,
    })
    spec = load_project_or_raise(root)
    assert [w.name for w in spec.workflows] == ["my_tickets"]
    workflow = spec.workflow("my_tickets")
    assert workflow.initial == "open"
    assert workflow.state("on_hold") is not None and workflow.state("closed").final
    assert workflow.transition("close").sources == ("resolved", "on_hold")
    assert workflow.transition("close").target == "closed"
    auto_close = next(t for t in workflow.timers if t.name == "auto_close")
    assert auto_close.after_seconds == 3 * 86400
    assert len([t for t in workflow.timers if t.name == "auto_close"]) == 1


def test_a_workflow_extending_an_unknown_one_is_an_error(write_project) -> None:
    root = write_project({
        "guanxi.yaml": "project: p\n",
        "workflows/w.yaml": "w:\n  extends: ticket_lifecyle\n  states: [a]\n",
    })
    (d,) = errors(root)
    assert (d.id, d.hint) == ("GX512", "did you mean 'ticket_lifecycle'?")


def test_an_overlay_removes_a_state_of_a_standard_workflow_the_base_uses(
        write_project) -> None:
    write_project({
        "guanxi.yaml": "project: base\nroles: {sales_manager: {}}\n",
        "entities/lead.yaml": """
            lead:
              fields:
                value: {type: money}
                loss_reason: {type: string}
                converted_on: {type: date}
              workflow: lead_lifecycle
              access: {sales_manager: {read: all, update: all}}
        """,
    }, name="base")
    root = overlay(write_project, {
        "guanxi.yaml": """
            project: company
            extends: ../base
            remove:
              states: {lead_lifecycle: [nurturing]}
              transitions: {lead_lifecycle: [nurture, revive]}
              timers: {lead_lifecycle: [nurture_check]}
        """,
        "workflows/lead_lifecycle.yaml": """
            lead_lifecycle:
              transitions:
                lose: {from: [new, contacted, qualified]}
        """,
    })
    workflow = load_project_or_raise(root).workflow("lead_lifecycle")
    assert workflow.state("nurturing") is None
    assert {t.name for t in workflow.transitions} == {"contact", "qualify", "convert", "lose"}
    assert [t.name for t in workflow.timers] == ["follow_up"]
    assert workflow.transition("lose").sources == ("new", "contacted", "qualified")


def test_a_removed_state_still_used_by_the_base_is_reported(write_project) -> None:
    write_project({
        "guanxi.yaml": "project: base\nroles: {r: {}}\n",
        "entities/thing.yaml": """
            thing:
              fields: {name: {type: string}}
              workflow: flow
              access: {r: {read: all, update: all}}
        """,
        "workflows/flow.yaml": """
            flow:
              states: [open, done]
              transitions:
                finish: {from: open, to: done}
        """,
    }, name="base")
    root = overlay(write_project, {
        "guanxi.yaml": """
            project: company
            extends: ../base
            remove:
              states: {flow: [done]}
        """,
    })
    found = sorted((Path(d.loc.file).name, d.loc.line, d.id) for d in errors(root))
    assert found == [("flow.yaml", 4, "GX704"), ("guanxi.yaml", 4, "GX704")]


def test_examples_globex_extends_acme() -> None:
    from conftest import EXAMPLES

    spec = load_project_or_raise(EXAMPLES / "globex")
    assert spec.name == "globex"
    assert spec.entity("quote") is None


def test_a_removed_field_still_read_by_an_expression_is_reported_at_both_places(
        base: Path, write_project) -> None:
    root = overlay(write_project, {
        "guanxi.yaml": """
            project: company
            extends: ../base
            remove:
              fields: {lead: [name]}
        """,
    })
    found = sorted((Path(d.loc.file).name, d.loc.line, d.loc.col, d.id) for d in errors(root))
    assert found == [("guanxi.yaml", 4, 19, "GX704"), ("lead.yaml", 8, 13, "GX704")]
