"""`guanxi check` on expressions that meet YAML and workflows: an expression YAML cut at a
comma (GX403), state names compared with `state` (GX404), and a required field that no
role firing the transition can write (GX519)."""

from __future__ import annotations

from pathlib import Path

from guanxi.diagnostics import Diagnostic
from guanxi.language.project import load_project

PROJECT = """
    project: shop
    roles:
      clerk: {}
      boss: {}
"""
ENTITY = """
    deal:
      fields:
        opened: {type: date}
        reason: {type: text}
        note: {type: text}
      workflow: flow
      access:
        clerk: {create: all, read: all, update: all}
        boss: {read: all}
"""
FLOW = """
    flow:
      initial: open
      states:
        open: {}
        won: {final: true}
        lost: {final: true}
      transitions:
        win: {from: open, to: won}
        lose: {from: open, to: lost}
"""


def problems(write_project, entity: str = ENTITY, flow: str = FLOW) -> list[Diagnostic]:
    root: Path = write_project({"guanxi.yaml": PROJECT, "entities/deal.yaml": entity,
                                "workflows/flow.yaml": flow})
    return load_project(root).diagnostics


def with_field(declaration: str) -> str:
    return ENTITY.replace("        note: {type: text}\n",
                          f"        note: {{type: text}}\n        {declaration}\n")


# ------------------------------------------------------------ GX403


def test_an_expression_cut_at_a_comma_is_one_error_that_says_to_quote_it(
        write_project) -> None:
    found = problems(write_project,
                     with_field("age: {type: integer, compute: days_between(opened, today())}"))
    assert [(d.id, d.loc.line, d.loc.col) for d in found] == [("GX403", 6, 35)]
    assert found[0].message == ("the expression 'days_between(opened, today())' was cut at "
                                "a comma by YAML; quote it")
    assert found[0].hint == 'write compute: "days_between(opened, today())"'


def test_an_expression_cut_at_two_commas_is_one_error(write_project) -> None:
    found = problems(write_project,
                     with_field('label2: {type: text, compute: coalesce(note, reason, note)}'))
    assert [d.id for d in found] == ["GX403"]
    assert "'coalesce(note, reason, note)'" in found[0].message


def test_a_cut_expression_in_a_transitions_set_is_one_error(write_project) -> None:
    flow = FLOW.replace("to: lost}", "to: lost, set: {opened: coalesce(opened, today())}}")
    assert [d.id for d in problems(write_project, flow=flow)] == ["GX403"]


def test_a_quoted_expression_with_commas_is_not_cut(write_project) -> None:
    found = problems(write_project,
                     with_field('age: {type: integer, compute: "days_between(opened, today())"}'))
    assert found == []


# ------------------------------------------------------------ GX404


def test_a_state_name_in_another_case_is_an_error_with_the_right_name(write_project) -> None:
    entity = ENTITY + '      rules:\n        - check: state != "Won"\n'
    [found] = problems(write_project, entity)
    assert (found.id, found.message) == ("GX404", "'Won' is not a state of workflow 'flow'")
    assert found.hint == "did you mean 'won'? State names are case-sensitive"
    assert (found.loc.line, found.loc.col) == (11, 23)


def test_each_unknown_state_in_a_list_is_an_error_at_its_place(write_project) -> None:
    flow = FLOW.replace("to: lost}", """to: lost, when: 'state in ["won", "lsot"]'}""")
    [found] = problems(write_project, flow=flow)
    assert found.id == "GX404"
    assert found.message == "for entity 'deal': 'lsot' is not a state of workflow 'flow'"
    assert found.hint == "did you mean 'lost'?"


def test_known_states_compared_with_state_are_fine(write_project) -> None:
    entity = ENTITY + ('      rules:\n        - check: state == "open" or state in '
                       '["won", "lost"]\n')
    assert problems(write_project, entity) == []


def test_a_text_compared_with_another_field_is_not_a_state(write_project) -> None:
    entity = ENTITY + '      rules:\n        - check: note != "Won"\n'
    assert problems(write_project, entity) == []


# ------------------------------------------------------------ GX519


def test_a_required_field_no_firing_role_can_write_is_a_warning(write_project) -> None:
    entity = ENTITY.replace("update: all}", "update: all, readonly: [reason]}")
    flow = FLOW.replace("to: lost}", "to: lost, require: [reason]}")
    [found] = problems(write_project, entity, flow)
    assert (found.id, found.severity) == ("GX519", "warning")
    assert found.message == ("transition 'lose' requires 'reason' of entity 'deal', which "
                             "no role that may fire it can write")


def test_a_required_field_the_transition_sets_is_fine(write_project) -> None:
    entity = ENTITY.replace("update: all}", "update: all, readonly: [reason]}")
    flow = FLOW.replace("to: lost}", "to: lost, require: [reason], set: {reason: \"'late'\"}}")
    assert problems(write_project, entity, flow) == []


def test_a_role_that_may_write_but_not_fire_does_not_count(write_project) -> None:
    entity = ENTITY.replace("update: all}", "update: all, transitions: [win]}").replace(
        "boss: {read: all}", "boss: {read: all, update: all, readonly: [reason]}")
    flow = FLOW.replace("to: lost}", "to: lost, require: [reason]}")
    assert [d.id for d in problems(write_project, entity, flow)] == ["GX519"]


def test_a_required_field_some_firing_role_can_write_is_fine(write_project) -> None:
    entity = ENTITY.replace("update: all}", "update: all, readonly: [reason]}").replace(
        "boss: {read: all}", "boss: {read: all, update: all}")
    flow = FLOW.replace("to: lost}", "to: lost, require: [reason]}")
    assert problems(write_project, entity, flow) == []
