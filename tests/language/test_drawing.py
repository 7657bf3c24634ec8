"""The workflow drawn as SVG for the record page."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from guanxi.language.drawing import text_width, workflow_svg
from guanxi.spec import NOWHERE, StateSpec, TransitionSpec, WorkflowSpec

SVG = "{http://www.w3.org/2000/svg}"


def pipeline() -> WorkflowSpec:
    return WorkflowSpec(
        name="pipeline", loc=NOWHERE, initial="new",
        states=(StateSpec("new", NOWHERE, label={"en": "New", "zh": "新建"}),
                StateSpec("contacted", NOWHERE, label={"en": "Contacted <b>", "zh": "已联系"}),
                StateSpec("won", NOWHERE, label={"en": "Won"}, final=True),
                StateSpec("lost", NOWHERE, label={"en": "Lost"}, final=True)),
        transitions=(TransitionSpec("contact", NOWHERE, ("new",), "contacted",
                                    label={"en": "Mark contacted"}),
                     TransitionSpec("reopen", NOWHERE, ("contacted",), "new"),
                     TransitionSpec("win", NOWHERE, ("contacted",), "won"),
                     TransitionSpec("lose", NOWHERE, ("*",), "lost", label={"en": "Lose"})))


def parsed(workflow: WorkflowSpec, **kwargs: object) -> ET.Element:
    return ET.fromstring(str(workflow_svg(workflow, **kwargs)))  # type: ignore[arg-type]


def states_of(svg: ET.Element) -> dict[str, ET.Element]:
    return {g.get("data-state", ""): g for g in svg.iter(f"{SVG}g") if g.get("data-state")}


def test_every_state_is_a_box_with_its_label():
    svg = parsed(pipeline())
    assert set(states_of(svg)) == {"new", "contacted", "won", "lost"}
    texts = {t.text for t in svg.iter(f"{SVG}text")}
    assert {"New", "Contacted <b>", "Won", "Lost"} <= texts


def test_the_current_state_is_marked():
    states = states_of(parsed(pipeline(), current="contacted"))
    assert "current" in states["contacted"].get("class", "")
    assert states["contacted"].get("aria-current") == "step"
    assert all("current" not in g.get("class", "") for n, g in states.items() if n != "contacted")


def test_labels_are_escaped_so_the_svg_stays_well_formed():
    raw = str(workflow_svg(pipeline()))
    assert "Contacted &lt;b&gt;" in raw and "<b>" not in raw


def test_labels_follow_the_language():
    texts = {t.text for t in parsed(pipeline(), language="zh").iter(f"{SVG}text")}
    assert {"新建", "已联系"} <= texts


def test_only_the_given_transitions_from_the_current_state_are_links():
    svg = parsed(pipeline(), current="contacted",
                 links={"win": "/e/lead/1/transition/win", "contact": "/x"})
    links = {a.get("href"): a for a in svg.iter(f"{SVG}a")}
    assert list(links) == ["/e/lead/1/transition/win"]  # `contact` starts elsewhere


def test_a_transition_from_any_state_is_listed_once_under_the_drawing():
    svg = parsed(pipeline(), current="new", links={"lose": "/e/lead/1/transition/lose"})
    listed = [t for t in svg.iter(f"{SVG}text") if t.get("data-transition") == "lose"]
    assert len(listed) == 1 and "Lose" in (listed[0].text or "")
    assert [a.get("href") for a in svg.iter(f"{SVG}a")] == ["/e/lead/1/transition/lose"]


def test_arrows_back_to_an_earlier_state_are_drawn_too():
    svg = parsed(pipeline())
    drawn = {g.get("data-transition") for g in svg.iter(f"{SVG}g") if g.get("data-transition")}
    assert drawn == {"contact", "reopen", "win"}


def test_the_picture_is_wide_enough_for_its_boxes():
    svg = parsed(pipeline())
    width = float(svg.get("width", "0"))
    right = max(float(r.get("x", "0")) + float(r.get("width", "0"))
                for r in svg.iter(f"{SVG}rect"))
    assert right <= width


def test_wide_characters_count_as_wider_text():
    assert text_width("已联系") > text_width("abc")
