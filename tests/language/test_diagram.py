"""Workflow diagrams: Mermaid and Graphviz text that stays valid whatever the labels say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from guanxi.cli.main import main
from guanxi.language.diagram import graphviz, mermaid
from guanxi.spec import NOWHERE, StateSpec, TimerSpec, TransitionSpec, WorkflowSpec

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"

IDENT = r"[A-Za-z][A-Za-z0-9_]*"
STATE_LINE = re.compile(rf'^    state "([^"\n]*)" as ({IDENT})$')
EDGE_LINE = re.compile(rf"^    (\[\*\]|{IDENT}) --> (\[\*\]|{IDENT})(?: : ([^\n]+))?$")
NOTE_LINE = re.compile(rf"^    note right of ({IDENT}) : ([^\n]+)$")
CLASSDEF_LINE = re.compile(r"^    classDef current [a-z-]+:[^\s;]+(,[a-z-]+:[^\s;]+)*$")
CLASS_LINE = re.compile(rf"^    class ({IDENT}) current$")
# Mermaid's escapes inside labels: #quot; #58; …
ENTITY_CODE = re.compile(r"#\w+;")


def parse_mermaid(text: str) -> dict:
    """Check every line of a stateDiagram-v2 against the statements it may hold; return
    the declared states (id -> label), edges (source, target, label) and highlighted ids.
    Fails the test on any line that is not one of them."""
    lines = text.splitlines()
    assert lines[0] == "stateDiagram-v2"
    states: dict[str, str] = {}
    edges: list[tuple[str, str, str | None]] = []
    notes: list[tuple[str, str]] = []
    highlighted: list[str] = []
    for line in lines[1:]:
        if match := STATE_LINE.match(line):
            states[match[2]] = match[1]
        elif match := EDGE_LINE.match(line):
            edges.append((match[1], match[2], match[3]))
        elif match := NOTE_LINE.match(line):
            notes.append((match[1], match[2]))
        elif CLASSDEF_LINE.match(line):
            pass
        elif match := CLASS_LINE.match(line):
            highlighted.append(match[1])
        else:
            pytest.fail(f"not a stateDiagram-v2 statement: {line!r}")
    declared = set(states) | {"[*]"}
    for source, target, _ in edges:
        assert source in declared and target in declared, (source, target)
    for state_id, _ in notes:
        assert state_id in states
    texts = [*states.values(), *(e[2] for e in edges if e[2]), *(n[1] for n in notes)]
    for text in texts:
        assert not set(ENTITY_CODE.sub("", text)) & set('":;%'), text
    assert set(highlighted) <= set(states)
    return {"states": states, "edges": edges, "notes": notes, "highlighted": highlighted}


def state(name: str, en: str | None = None, zh: str | None = None, **kw) -> StateSpec:
    label = {k: v for k, v in (("en", en), ("zh", zh)) if v is not None}
    return StateSpec(name=name, loc=NOWHERE, label=label, **kw)


def transition(name: str, sources: tuple[str, ...], target: str, en: str | None = None,
               zh: str | None = None) -> TransitionSpec:
    label = {k: v for k, v in (("en", en), ("zh", zh)) if v is not None}
    return TransitionSpec(name=name, loc=NOWHERE, sources=sources, target=target, label=label)


@pytest.fixture
def lead_workflow() -> WorkflowSpec:
    return WorkflowSpec(
        name="lead_lifecycle",
        loc=NOWHERE,
        initial="new",
        label={"en": "Lead lifecycle", "zh": "线索生命周期"},
        states=(
            state("new", "New", "新建"),
            state("contacted", "Contacted", "已联系"),
            state("qualified", "Qualified", "已确认"),
            state("converted", "Converted", "已转化", final=True),
            state("lost", "Lost", "已丢失", final=True),
        ),
        transitions=(
            transition("contact", ("new",), "contacted", "Mark contacted", "标记为已联系"),
            transition("qualify", ("contacted",), "qualified", "Qualify", "确认线索"),
            transition("convert", ("qualified",), "converted", "Convert", "转化"),
            transition("lose", ("new", "contacted", "qualified"), "lost", "Mark lost",
                       "标记为丢失"),
        ),
        timers=(
            TimerSpec(name="follow_up", loc=NOWHERE, state="contacted", after_seconds=259200,
                      after_text="3d", action="notify", target="owner"),
        ),
    )


# ---------------------------------------------------------------- Mermaid structure


def test_mermaid_starts_with_the_state_diagram_header(lead_workflow):
    assert mermaid(lead_workflow).splitlines()[0] == "stateDiagram-v2"


def test_mermaid_declares_every_state_with_its_english_label(lead_workflow):
    parsed = parse_mermaid(mermaid(lead_workflow))
    assert parsed["states"] == {
        "new": "New", "contacted": "Contacted", "qualified": "Qualified",
        "converted": "Converted", "lost": "Lost",
    }


def test_mermaid_enters_the_initial_state_from_the_start_mark(lead_workflow):
    edges = parse_mermaid(mermaid(lead_workflow))["edges"]
    assert [e for e in edges if e[0] == "[*]"] == [("[*]", "new", None)]


def test_mermaid_leads_every_final_state_to_the_end_mark(lead_workflow):
    edges = parse_mermaid(mermaid(lead_workflow))["edges"]
    assert sorted(e[0] for e in edges if e[1] == "[*]") == ["converted", "lost"]


def test_mermaid_draws_one_labelled_edge_per_source_of_each_transition(lead_workflow):
    edges = parse_mermaid(mermaid(lead_workflow))["edges"]
    labelled = [e for e in edges if "[*]" not in (e[0], e[1])]
    assert labelled == [
        ("new", "contacted", "Mark contacted"),
        ("contacted", "qualified", "Qualify"),
        ("qualified", "converted", "Convert"),
        ("new", "lost", "Mark lost"),
        ("contacted", "lost", "Mark lost"),
        ("qualified", "lost", "Mark lost"),
    ]


def test_mermaid_draws_timers_as_notes_on_their_state(lead_workflow):
    notes = parse_mermaid(mermaid(lead_workflow))["notes"]
    assert notes == [("contacted", "after 3d#58; notify owner")]


def test_mermaid_star_source_means_every_non_final_state():
    workflow = WorkflowSpec(
        name="w", loc=NOWHERE, initial="a",
        states=(state("a"), state("b"), state("done", final=True), state("gone", final=True)),
        transitions=(transition("drop", ("*",), "gone"), transition("finish", ("b",), "done")),
    )
    edges = parse_mermaid(mermaid(workflow))["edges"]
    assert [(s, t) for s, t, _ in edges if t == "gone"] == [("a", "gone"), ("b", "gone")]


# ---------------------------------------------------------------- languages


def test_mermaid_shows_chinese_labels_when_asked(lead_workflow):
    parsed = parse_mermaid(mermaid(lead_workflow, "zh"))
    assert parsed["states"]["converted"] == "已转化"
    assert ("new", "lost", "标记为丢失") in parsed["edges"]


def test_mermaid_falls_back_to_english_then_to_the_name():
    workflow = WorkflowSpec(
        name="w", loc=NOWHERE, initial="waiting_customer",
        states=(state("waiting_customer"), state("closed", en="Closed", final=True)),
        transitions=(transition("close_now", ("waiting_customer",), "closed"),),
    )
    parsed = parse_mermaid(mermaid(workflow, "zh"))
    assert parsed["states"] == {"waiting_customer": "Waiting customer", "closed": "Closed"}
    assert ("waiting_customer", "closed", "Close now") in parsed["edges"]


# ---------------------------------------------------------------- quoting


def awkward_workflow() -> WorkflowSpec:
    return WorkflowSpec(
        name="w", loc=NOWHERE, initial="draft",
        states=(
            state("draft", en='Draft "v1": not sent; 50% #1 &amp;', zh="草稿：“未发送”"),
            state("end", en="End [final] {x} <b>", final=True),
        ),
        transitions=(transition("send", ("draft",), "end", en='Send: "now"\nplease'),),
    )


def test_mermaid_escapes_quotes_colons_and_semicolons_in_labels():
    parsed = parse_mermaid(mermaid(awkward_workflow()))
    assert parsed["states"]["draft"] == (
        "Draft #quot;v1#quot;#58; not sent#59; 50#37; #35;1 #38;amp#59;")


def test_mermaid_escapes_brackets_and_writes_labels_on_one_line():
    parsed = parse_mermaid(mermaid(awkward_workflow()))
    end_id = next(i for i, label in parsed["states"].items() if label.startswith("End"))
    assert parsed["states"][end_id] == "End #91;final#93; #123;x#125; #lt;b#gt;"
    assert parsed["edges"][1][2] == "Send#58; #quot;now#quot; please"


def test_mermaid_keeps_chinese_punctuation_as_written():
    parsed = parse_mermaid(mermaid(awkward_workflow(), "zh"))
    assert parsed["states"]["draft"] == "草稿：“未发送”"


def test_mermaid_renames_states_that_are_keywords_but_keeps_their_edges():
    parsed = parse_mermaid(mermaid(awkward_workflow()))
    assert "end" not in parsed["states"]
    end_id = next(iter(set(parsed["states"]) - {"draft"}))
    assert ("draft", end_id, "Send#58; #quot;now#quot; please") in parsed["edges"]
    assert (end_id, "[*]", None) in parsed["edges"]


# ---------------------------------------------------------------- highlighting


def test_mermaid_highlights_the_current_state(lead_workflow):
    text = mermaid(lead_workflow, current="qualified")
    assert parse_mermaid(text)["highlighted"] == ["qualified"]
    assert "\n    classDef current " in text


def test_mermaid_highlights_nothing_without_a_current_state(lead_workflow):
    text = mermaid(lead_workflow)
    assert parse_mermaid(text)["highlighted"] == []
    assert "classDef" not in text


# ---------------------------------------------------------------- Graphviz

DOT_STRING = r'"(?:[^"\\\n]|\\.)*"'
DOT_NODE = re.compile(rf"^  ({DOT_STRING}) \[(.*)\];$")
DOT_EDGE = re.compile(rf"^  ({DOT_STRING}) -> ({DOT_STRING})(?: \[label=({DOT_STRING})\])?;$")


def parse_dot(text: str) -> dict:
    lines = text.splitlines()
    assert re.fullmatch(rf"digraph {DOT_STRING} \{{", lines[0])
    assert lines[-1] == "}"
    nodes: dict[str, str] = {}
    edges: list[tuple[str, str, str | None]] = []
    for line in lines[1:-1]:
        if match := DOT_EDGE.match(line):
            edges.append((match[1], match[2], match[3]))
        elif match := DOT_NODE.match(line):
            nodes[match[1]] = match[2]
        else:
            assert re.fullmatch(r"  (\w+=(\w+|" + DOT_STRING + r")|\w+ \[.*\]);", line), line
    for source, target, _ in edges:
        assert source in nodes and target in nodes, (source, target)
    return {"nodes": nodes, "edges": edges}


def test_dot_declares_states_and_labelled_edges(lead_workflow):
    parsed = parse_dot(graphviz(lead_workflow, "zh"))
    assert 'label="已转化"' in parsed["nodes"]['"converted"']
    assert ('"new"', '"lost"', '"标记为丢失"') in parsed["edges"]
    assert ('"__start"', '"new"', None) in parsed["edges"]
    assert ('"lost"', '"__end"', None) in parsed["edges"]


def test_dot_escapes_quotes_and_ampersands():
    workflow = awkward_workflow()
    parsed = parse_dot(graphviz(workflow))
    assert 'label="Draft \\"v1\\": not sent; 50% #1 &amp;amp;"' in parsed["nodes"]['"draft"']


def test_dot_fills_the_current_state(lead_workflow):
    parsed = parse_dot(graphviz(lead_workflow, current="contacted"))
    assert "fillcolor" in parsed["nodes"]['"contacted"']
    assert "fillcolor" not in parsed["nodes"]['"new"']


# ---------------------------------------------------------------- the command


def test_cli_draws_the_workflow_of_an_entity(capsys):
    assert main(["diagram", str(EXAMPLES / "acme"), "lead"]) == 0
    parsed = parse_mermaid(capsys.readouterr().out)
    assert parsed["states"]["converted"] == "Converted"
    assert ("[*]", "new", None) in parsed["edges"]


def test_cli_draws_a_workflow_by_name_in_chinese_as_dot(capsys):
    code = main(["diagram", str(EXAMPLES / "acme"), "quote_approval", "--format", "dot",
                 "--language", "zh", "--current", "submitted"])
    assert code == 0
    parsed = parse_dot(capsys.readouterr().out)
    assert 'label="待审批"' in parsed["nodes"]['"submitted"']
    assert "fillcolor" in parsed["nodes"]['"submitted"']


def test_cli_lists_workflows_and_their_entities_without_a_name(capsys):
    assert main(["diagram", str(EXAMPLES / "acme")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("lead_lifecycle ") and "lead" in line for line in lines)
    assert any(line.startswith("service_ticket ") and "ticket" in line for line in lines)


def test_cli_refuses_an_unknown_workflow_and_names_the_known_ones(capsys):
    assert main(["diagram", str(EXAMPLES / "acme"), "invoice"]) == 1
    error = capsys.readouterr().err
    assert "invoice" in error and "quote_approval" in error


def test_cli_refuses_an_entity_without_a_workflow(capsys):
    assert main(["diagram", str(EXAMPLES / "acme"), "account"]) == 1
    assert "entity 'account' has no workflow" in capsys.readouterr().err


def test_cli_refuses_an_unknown_current_state(capsys):
    assert main(["diagram", str(EXAMPLES / "acme"), "lead", "--current", "won"]) == 1
    assert "has no state 'won'" in capsys.readouterr().err


def test_cli_prints_diagnostics_of_an_invalid_project(write_project, capsys):
    root = write_project({
        "guanxi.yaml": "project: broken\n",
        "entities/lead.yaml": """
            lead:
              fields:
                name: {type: string}
                name: {type: text}
        """,
    })
    assert main(["diagram", str(root), "lead"]) == 1
    error = capsys.readouterr().err
    assert "lead.yaml:3:" in error and "the project has errors" in error
