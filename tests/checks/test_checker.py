"""`guanxi check`: every problem at once, each located, with a hint."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
from conftest import EXAMPLES
from guanxi.cli.main import main
from guanxi.language.project import load_project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

GOOD_PROJECT = """
    project: shop
    languages: [en, zh]
    roles:
      clerk: {label: {en: Clerk, zh: 店员}}
      boss: {includes: [clerk]}
"""

GOOD_ENTITIES = """
    customer:
      fields:
        name: {type: string, required: true}
        email: {type: email, sensitive: true}
        tier: {type: choice, options: [gold, silver], default: silver}
      access:
        clerk: {create: all, read: all, update: owner == current_user}
    order:
      fields:
        customer: {type: reference, to: customer}
        total: {type: money, min: 0}
        reason: {type: text}
        closed_on: {type: date}
      rules:
        - check: total >= 0
          message: The total cannot be negative
      workflow: order_flow
      access:
        clerk: {create: all, read: all, update: all, transitions: [submit]}
        boss: {read: all, update: all}
"""

GOOD_WORKFLOW = """
    order_flow:
      initial: draft
      states:
        draft: {}
        submitted: {require: [total]}
        done: {final: true}
        cancelled: {final: true}
      transitions:
        submit: {from: draft, to: submitted, when: total > 0}
        finish: {from: submitted, to: done, roles: [boss], set: {closed_on: today()}}
        cancel: {from: "*", to: cancelled, require: [reason]}
      timers:
        - {name: nudge, in: submitted, after: 2d, do: notify, to: boss}
"""


def shop(write_project, entities: str = GOOD_ENTITIES, workflow: str = GOOD_WORKFLOW,
         project: str = GOOD_PROJECT) -> Path:
    return write_project({
        "guanxi.yaml": project,
        "entities/shop.yaml": entities,
        "workflows/order_flow.yaml": workflow,
    })


def errors_of(root: Path) -> list:
    return [d for d in load_project(root).diagnostics if d.is_error]


def test_a_correct_project_has_no_problems(write_project) -> None:
    assert load_project(shop(write_project)).diagnostics == []


def test_ten_mistakes_are_all_reported_each_located_with_a_hint(write_project) -> None:
    entities = GOOD_ENTITIES
    for old, new in [
        ("name: {type: string, required: true}", "name: {type: strng, required: true}"),
        ("tier: {type: choice, options: [gold, silver], default: silver}",
         "tier: {type: choice, options: [gold, silver], default: bronze}"),
        ("customer: {type: reference, to: customer}", "customer: {type: reference, to: custmer}"),
        ("total: {type: money, min: 0}", "total: {type: money, min: 0, requird: true}"),
        ("check: total >= 0", "check: totl >= 0"),
        ("boss: {read: all, update: all}", "bos: {read: all, update: all}"),
        ("transitions: [submit]", "transitions: [sumbit]"),
    ]:
        assert old in entities
        entities = entities.replace(old, new)
    workflow = GOOD_WORKFLOW
    for old, new in [
        ("initial: draft", "initial: drafted"),
        ("to: submitted, when", "to: submited, when"),
        ("after: 2d", "after: 2 days"),
    ]:
        assert old in workflow
        workflow = workflow.replace(old, new)
    root = shop(write_project, entities=entities, workflow=workflow)
    found = {d.id: d for d in errors_of(root)}
    shop_file = str(root / "entities" / "shop.yaml")
    flow_file = str(root / "workflows" / "order_flow.yaml")
    expected = {
        "GX303": (shop_file, 3, 18, "did you mean 'string'?"),
        "GX311": (shop_file, 5, 60, "the options are: gold, silver"),
        "GX305": (shop_file, 10, 37, "did you mean 'customer'?"),
        "GX201": (shop_file, 11, 34, "did you mean 'required'?"),
        "GX402": (shop_file, 15, 14, "did you mean 'total'?"),
        "GX601": (shop_file, 20, 5, "did you mean 'boss'?"),
        "GX603": (shop_file, 19, 64, "did you mean 'submit'?"),
        "GX501": (flow_file, 2, 12, "did you mean 'draft'?"),
        "GX503": (flow_file, 9, 31, "did you mean 'submitted'?"),
        "GX509": (flow_file, 13, 43, "write a duration such as 90m, 12h, 3d, 1w or a "
                                     "number of seconds"),
    }
    assert set(found) == set(expected), [str(d) for d in found.values()]
    for problem_id, (file, line, col, hint) in expected.items():
        d = found[problem_id]
        assert (d.loc.file, d.loc.line, d.loc.col) == (file, line, col), str(d)
        if hint:
            assert d.hint == hint, str(d)
        else:
            assert d.hint, str(d)


def test_ten_mistakes_seeded_into_acme_are_all_reported(acme_copy: Path) -> None:
    def edit(relative: str, old: str, new: str) -> None:
        path = acme_copy / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, (relative, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    edit("guanxi.yaml", "includes: [sales_rep]", "includes: [sales_reps]")
    edit("entities/lead.yaml", "type: email", "type: e-mail")
    edit("entities/lead.yaml", "max_length: 200", "max_length: 200\n      min_length: 300")
    edit("entities/lead.yaml", 'when: source == "referral"', 'when: source == referral')
    edit("entities/lead.yaml", "require: [referrer]", "require: [referer]")
    edit("entities/lead.yaml", "hide: [income, address]", "hide: [incme, address]")
    edit("entities/lead.yaml", "workflow: lead_lifecycle", "workflow: lead_lifecycel")
    edit("entities/lead.yaml", "    sales_manager: {create: all",
         "    sales_mgr: {create: all")
    edit("entities/lead.yaml", "  title: name", "  title: nam")
    edit("entities/lead.yaml", "  list:", "  colour: blue\n  list:")
    errors = errors_of(acme_copy)
    ids = sorted(d.id for d in errors)
    assert ids == sorted(["GX307", "GX303", "GX312", "GX402", "GX306", "GX602", "GX308",
                          "GX601", "GX306", "GX201"]), [str(d) for d in errors]
    for d in errors:
        assert d.loc.line > 0 and d.loc.col > 0 and d.hint, str(d)


def test_examples_are_clean(capsys: pytest.CaptureFixture[str]) -> None:
    examples = sorted(p for p in EXAMPLES.iterdir() if (p / "guanxi.yaml").is_file())
    assert examples
    for example in examples:
        code = main(["check", str(example)])
        out = capsys.readouterr().out
        assert code == 0, out
        assert out.splitlines()[-1].startswith("0 errors, "), out


def test_acme_checks_clean_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(EXAMPLES / "acme")]) == 0
    assert capsys.readouterr().out.strip().endswith(f"0 errors, 0 warnings in {EXAMPLES / 'acme'}")


def test_check_prints_problems_sorted_with_a_summary_and_exits_1(
        write_project, capsys: pytest.CaptureFixture[str]) -> None:
    workflow = GOOD_WORKFLOW.replace("after: 2d", "after: 2 days").replace(
        "        done: {final: true}\n", "        done: {final: true}\n        limbo: {}\n")
    entities = GOOD_ENTITIES.replace("type: email", "type: mail")
    project = GOOD_PROJECT + "      visitor: {}\n"
    root = shop(write_project, entities=entities, workflow=workflow, project=project)
    assert main(["check", str(root)]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1] == f"2 errors, 2 warnings in {root}"
    places = [re.match(r"(.*):(\d+):(\d+): ", line).groups() for line in lines[:-1]]
    assert places == sorted(places, key=lambda p: (p[0], int(p[1]), int(p[2])))
    assert any("warning [GX510]" in line for line in lines)


def test_warnings_alone_do_not_fail_check(write_project,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    project = GOOD_PROJECT + "      visitor: {}\n"
    root = shop(write_project, project=project)
    assert main(["check", str(root)]) == 0
    out = capsys.readouterr().out
    assert "warning [GX320] role 'visitor' is not used" in out
    assert out.strip().endswith(f"0 errors, 1 warning in {root}")


def test_check_json_lists_every_diagnostic(write_project,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    root = shop(write_project, entities=GOOD_ENTITIES.replace("type: email", "type: mail"))
    assert main(["check", str(root), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["errors"], report["warnings"]) == (1, 0)
    (d,) = report["diagnostics"]
    assert (d["id"], d["line"], d["col"], d["severity"]) == ("GX303", 4, 19, "error")
    assert d["hint"] == "did you mean 'email'?"


def test_check_pii_lists_sensitive_fields(write_project,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    root = shop(write_project)
    assert main(["check", str(root), "--pii"]) == 0
    out = capsys.readouterr().out
    assert "sensitive fields (1):" in out
    assert f"{root / 'entities' / 'shop.yaml'}:4:5: customer.email (email)" in out


def test_check_pii_json(write_project, capsys: pytest.CaptureFixture[str]) -> None:
    root = shop(write_project)
    assert main(["check", str(root), "--pii", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [(r["entity"], r["field"]) for r in report["sensitive_fields"]] == [
        ("customer", "email")]


def test_a_missing_project_directory_fails_check(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(tmp_path / "nowhere")]) == 1
    assert "[GX110]" in capsys.readouterr().out


def test_a_yaml_bomb_in_a_project_is_a_located_error(write_project) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 10):
        lines.append(f"a{level}: &a{level} [" + ",".join([f"*a{level - 1}"] * 9) + "]")
    root = shop(write_project)
    (root / "entities" / "bomb.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (d,) = errors_of(root)
    assert (d.id, d.loc.file, d.loc.line, d.loc.col) == (
        "GX105", str(root / "entities" / "bomb.yaml"), 2, 10)


def test_a_duplicate_key_is_reported_at_both_places(write_project) -> None:
    entities = GOOD_ENTITIES.replace(
        "        reason: {type: text}\n", "        reason: {type: text}\n        total: {}\n")
    root = shop(write_project, entities=entities)
    found = [(d.id, d.loc.line, d.loc.col) for d in errors_of(root)]
    assert found == [("GX103", 11, 5), ("GX103", 13, 5)]


def test_a_python_tag_is_a_located_error(write_project) -> None:
    entities = GOOD_ENTITIES.replace("{type: string, required: true}",
                                     "!!python/object:os.system {type: string}")
    (d,) = errors_of(shop(write_project, entities=entities))
    assert (d.id, d.loc.line, d.loc.col) == ("GX102", 3, 11)


def test_an_expression_error_points_at_the_column_inside_the_expression(write_project) -> None:
    workflow = GOOD_WORKFLOW.replace("when: total > 0", 'when: "totl > 0"')
    (d,) = errors_of(shop(write_project, workflow=workflow))
    assert (d.id, d.loc.line, d.loc.col) == ("GX402", 9, 49)
    assert d.message == "for entity 'order': unknown field 'totl'"
    assert d.hint == "did you mean 'total'?"


def test_a_workflow_field_missing_on_one_of_its_entities_is_reported(write_project) -> None:
    entities = GOOD_ENTITIES + """
    refund:
      fields:
        total: {type: money}
        reason: {type: text}
      workflow: order_flow
      access:
        boss: {read: all}
    """
    (d,) = errors_of(shop(write_project, entities=entities))
    assert d.id == "GX505"
    assert d.message == ("entity 'refund' has no field 'closed_on', which workflow "
                         "'order_flow' uses in set of transition 'finish'")


def test_a_standard_workflow_needs_the_roles_it_names(write_project) -> None:
    root = write_project({
        "guanxi.yaml": "project: p\nroles: {rep: {}}\n",
        "entities/lead.yaml": """
            lead:
              fields:
                value: {type: money}
                loss_reason: {type: string}
                converted_on: {type: date}
              workflow: lead_lifecycle
              access: {rep: {read: all}}
        """,
    })
    (d,) = errors_of(root)
    assert (d.id, d.message) == (
        "GX307", "unknown role 'sales_manager' in roles of transition 'convert'")
    assert d.loc.file.endswith("lead_lifecycle.yaml")


def test_state_is_unknown_on_an_entity_without_a_workflow(write_project) -> None:
    entities = GOOD_ENTITIES.replace(
        "update: owner == current_user}", "update: state == 'open'}").replace(
        "        tier: {type: choice", "        tier: {type: choice, index: true")
    entities = entities.replace("      access:\n        clerk: {create: all, read: all, update: s",
                                "      list: {columns: [name, state]}\n"
                                "      access:\n        clerk: {create: all, read: all, update: s")
    found = {(d.id, d.message) for d in errors_of(shop(write_project, entities=entities))}
    assert found == {
        ("GX402", "entity 'customer' has no workflow, so it has no 'state'"),
        ("GX306", "unknown field 'state' in customer.list.columns"),
    }


def test_a_bare_option_name_in_an_expression_is_hinted_to_be_quoted(write_project) -> None:
    entities = GOOD_ENTITIES.replace("update: owner == current_user}", "update: tier == gold}")
    (d,) = errors_of(shop(write_project, entities=entities))
    assert (d.id, d.message) == ("GX402", "unknown field 'gold'")
    assert d.hint == 'an option is text: write it in quotes, "gold"'


def test_has_role_must_name_a_role_of_the_project(write_project) -> None:
    entities = GOOD_ENTITIES.replace("update: owner == current_user}",
                                     "update: has_role('bos')}")
    (d,) = errors_of(shop(write_project, entities=entities))
    assert (d.id, d.message, d.hint) == ("GX402", "unknown role 'bos' in has_role",
                                         "did you mean 'boss'?")
    assert d.loc.col == 54


# ---------------------------------------------------------------- any input, no crash

_scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5),
                     st.sampled_from(["", "x", "all", "*", "3d", "today", "open", "total",
                                      "draft", "string", "choice", "boss", "a == 1", "[a]"]))
_values = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3),
    st.dictionaries(st.sampled_from(["type", "from", "to", "options", "fields", "states",
                                     "min", "max", "default", "when", "set", "require",
                                     "read", "hide", "in", "after", "do", "name", "x"]),
                    inner, max_size=3)), max_leaves=8)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=st.sampled_from([
    ("entities", ("customer", "fields", "tier")),
    ("entities", ("order", "fields")),
    ("entities", ("order", "rules")),
    ("entities", ("order", "access", "clerk")),
    ("entities", ("order", "workflow")),
    ("workflows", ("order_flow", "states")),
    ("workflows", ("order_flow", "transitions", "submit")),
    ("workflows", ("order_flow", "timers")),
    ("workflows", ("order_flow", "initial")),
]), value=_values)
def test_any_value_anywhere_gives_diagnostics_and_a_clean_project_compiles(
        write_project, target: tuple[str, tuple[str, ...]], value: object) -> None:
    import yaml
    from guanxi.compile.app import compile_app

    kind, path = target
    data = {"entities": yaml.safe_load(textwrap.dedent(GOOD_ENTITIES)),
            "workflows": yaml.safe_load(textwrap.dedent(GOOD_WORKFLOW))}
    node = data[kind]
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    root = write_project({
        "guanxi.yaml": GOOD_PROJECT,
        "entities/shop.yaml": yaml.safe_dump(data["entities"]),
        "workflows/order_flow.yaml": yaml.safe_dump(data["workflows"]),
    })
    result = load_project(root)
    assert result.spec is not None
    if not result.errors:
        compile_app(result.spec)


@pytest.mark.parametrize(("declaration", "reason"), [
    ("{type: integer, min: 1, default: 0}", "it is less than min 1"),
    ("{type: money, max: 10, default: 11}", "it is more than max 10.00"),
    ("{type: string, max_length: 2, default: abc}", "it is longer than max_length 2"),
    ("{type: string, pattern: '[A-Z]+', default: abc}", "it does not match the pattern"),
    ("{type: date, default: 2026-13-01}", None),
    ("{type: boolean, default: maybe}", None),
    ("{type: user, default: 1}", "a user field can only default to current_user"),
    ("{type: reference, to: customer, default: 1}",
     "a reference cannot have a default (the record it names may not exist)"),
])
def test_a_default_must_fit_its_field(write_project, declaration: str,
                                      reason: str | None) -> None:
    entities = GOOD_ENTITIES.replace(
        "        reason: {type: text}\n",
        f"        reason: {{type: text}}\n        extra: {declaration}\n")
    (d,) = errors_of(shop(write_project, entities=entities))
    assert d.id == "GX311"
    assert d.message.startswith("default ")
    if reason:
        assert d.message.endswith(reason)


def test_an_unknown_field_type_is_reported_once_not_again_at_each_use(write_project):
    root = write_project({
        "guanxi.yaml": "project: shop\nroles: {clerk: {}}\n",
        "entities/deal.yaml": """
            deal:
              fields:
                value: {type: mony}
              rules:
                - check: value > 0
                  message: The value must be positive
        """,
    })

    result = load_project(root)

    assert [d.id for d in result.errors] == ["GX303"]


def test_related_label_on_a_field_that_is_not_a_reference_is_a_located_error(
        write_project) -> None:
    entities = GOOD_ENTITIES.replace(
        "total: {type: money, min: 0}", "total: {type: money, min: 0, related_label: Totals}")
    assert entities != GOOD_ENTITIES
    errors = errors_of(shop(write_project, entities))
    assert [(e.id, "reference" in (e.hint or "")) for e in errors] == [("GX304", True)]
