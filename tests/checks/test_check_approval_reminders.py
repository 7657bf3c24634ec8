"""`remind:` of an approval: a duration (one reminder) or `{after, every, times}`;
`guanxi check` points at the value that is wrong (GX837–GX839, the schema's GX201 for
an unknown key), and the spec carries what the worker needs."""

from __future__ import annotations

from guanxi.language.project import load_project

PROJECT = "project: p\nroles: {r: {}}\n"
THING = """thing:
  fields:
    name: {type: string}
  workflow: flow
  access: {r: {read: all, update: all}}
"""


def flow(remind: str) -> str:
    return f"""flow:
  initial: open
  states:
    open: {{}}
    done: {{final: true}}
  transitions:
    finish:
      from: open
      to: done
      approval:
        steps: [{{by: r}}]
        remind: {remind}
"""


def _load(write_project, remind: str):  # type: ignore[no-untyped-def]
    root = write_project({"guanxi.yaml": PROJECT, "entities/thing.yaml": THING,
                          "workflows/flow.yaml": flow(remind)}, name="p")
    return load_project(root)


def _found(loaded) -> list[tuple[str, int, int, str]]:  # type: ignore[no-untyped-def]
    return [(d.id, d.loc.line, d.loc.col, d.message) for d in loaded.diagnostics
            if d.severity == "error"]


def _approval(loaded):  # type: ignore[no-untyped-def]
    transition = loaded.spec.workflow("flow").transition("finish")
    return transition.approval


def test_the_short_form_reminds_once(write_project) -> None:  # type: ignore[no-untyped-def]
    loaded = _load(write_project, "1d")
    assert _found(loaded) == []
    approval = _approval(loaded)
    assert (approval.remind_seconds, approval.remind_every_seconds,
            approval.remind_times) == (86400, 0, 1)


def test_the_mapping_repeats_with_a_bound(write_project) -> None:  # type: ignore[no-untyped-def]
    loaded = _load(write_project, "{after: 4h, every: 1d, times: 5}")
    assert _found(loaded) == []
    approval = _approval(loaded)
    assert (approval.remind_seconds, approval.remind_every_seconds,
            approval.remind_times) == (4 * 3600, 86400, 5)


def test_times_defaults_to_three_and_after_to_every(  # type: ignore[no-untyped-def]
        write_project) -> None:
    approval = _approval(_load(write_project, "{every: 12h}"))
    assert (approval.remind_seconds, approval.remind_every_seconds,
            approval.remind_times) == (12 * 3600, 12 * 3600, 3)


def test_a_short_form_that_is_no_duration_is_located(  # type: ignore[no-untyped-def]
        write_project) -> None:
    assert _found(_load(write_project, "soon")) == [
        ("GX837", 12, 17, "approval of transition 'finish': remind 'soon' is not a "
                          "duration")]


def test_a_bad_every_is_located_at_its_value(write_project) -> None:  # type: ignore[no-untyped-def]
    assert _found(_load(write_project, "{every: daily, times: 2}")) == [
        ("GX837", 12, 25, "approval of transition 'finish': remind every 'daily' is not "
                          "a duration")]


def test_too_many_times_is_located_at_its_value(  # type: ignore[no-untyped-def]
        write_project) -> None:
    assert _found(_load(write_project, "{every: 1d, times: 0}")) == [
        ("GX838", 12, 36, "approval of transition 'finish': remind times '0' is not a "
                          "whole number from 1 to 20")]


def test_a_mapping_without_every_is_refused(write_project) -> None:  # type: ignore[no-untyped-def]
    found = _found(_load(write_project, "{after: 4h}"))
    assert [(i, line, col) for i, line, col, _ in found] == [("GX839", 12, 17)]


def test_an_unknown_key_gets_a_did_you_mean(write_project) -> None:  # type: ignore[no-untyped-def]
    loaded = _load(write_project, "{every: 1d, time: 2}")
    found = [d for d in loaded.diagnostics if d.severity == "error"]
    assert [(d.id, d.loc.line) for d in found] == [("GX201", 12)]
    assert "times" in str(found[0])
