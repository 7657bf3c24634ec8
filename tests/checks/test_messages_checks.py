"""`guanxi check` on messages/*.yaml: structure against the messages schema, then
entities, roles, transitions and conditions, each problem located with a hint."""

from __future__ import annotations

from pathlib import Path

from guanxi.language.project import load_project

PROJECT = "project: p\nroles: {agent: {}}\n"
TICKET = """
ticket:
  fields:
    subject: {type: string}
    channel: {type: choice, options: {email: E-mail, web: Web}}
  access: {agent: {read: all, update: all}}
"""


def problems(write_project, messages: str) -> list[tuple[str, int, str]]:
    root: Path = write_project({"guanxi.yaml": PROJECT, "entities/ticket.yaml": TICKET,
                                "messages/m.yaml": messages})
    return [(d.id, d.loc.line, d.message) for d in load_project(root).diagnostics
            if d.loc.file.endswith("m.yaml")]


def test_good_reply_templates_and_webhooks_have_no_problem(write_project) -> None:
    assert problems(write_project, """
        replies:
          repair: {keywords: [维修, repair], when: 'channel == "email"', body: {en: Hi, zh: 您好}}
        webhooks:
          out: {url: 'https://x.example/h', secret_env: X_SECRET, entity: ticket, as: agent,
                kinds: [created]}
        """) == []


def test_a_condition_naming_an_unknown_field_is_located_on_its_line(write_project) -> None:
    found = problems(write_project, """
        replies:
          repair:
            keywords: [repair]
            when: 'chanel == "email"'
            body: Hi
        """)
    assert [(i, line) for i, line, _ in found] == [("GX402", 4)]
    assert "chanel" in found[0][2]


def test_a_condition_that_does_not_parse_is_reported(write_project) -> None:
    found = problems(write_project, "replies: {r: {keywords: [x], when: 'channel ==', body: b}}\n")
    assert [i for i, _, _ in found] == ["GX401"]


def test_a_reply_template_without_keywords_is_a_structure_error(write_project) -> None:
    found = problems(write_project, "replies: {r: {body: b}}\n")
    assert [i for i, _, _ in found] == ["GX203"]
    assert "keywords" in found[0][2]


def test_an_unknown_event_kind_is_refused(write_project) -> None:
    found = problems(write_project, """
        webhooks:
          out: {url: 'https://x.example/h', secret_env: X, entity: ticket, as: agent,
                kinds: [won]}
        """)
    assert [i for i, _, _ in found] == ["GX204"]
    assert "must be one of created, updated, transitioned" in found[0][2]
