"""`guanxi check --language zh`: the checker's problems in Chinese, from the one catalog
of ids (`guanxi.diagnostics_zh`), English where no Chinese exists."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest
from guanxi import diagnostics_zh
from guanxi.cli.main import main
from guanxi.diagnostics import CATALOG, diag
from guanxi.language.project import load_project
from guanxi.spec import Loc
from test_error_catalog import write_case

PROJECT = """
project: shop
roles:
  clerk: {}
"""
ENTITY = """
order:
  fields:
    title: {type: strng}
    email: {type: email}
  access:
    clerk: {read: all, create: all}
"""
CJK = re.compile(r"[\u4e00-\u9fff]")


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def slots(phrase: str) -> set[str]:
    return set(re.findall(r"(?<!\{)\{(\d+)\}", phrase))


def shop(write_project, entity: str = ENTITY) -> Path:
    return write_project({"guanxi.yaml": PROJECT, "entities/order.yaml": entity})


def test_every_problem_of_the_catalog_has_a_chinese_template_with_its_placeholders() -> None:
    assert list(diagnostics_zh.TEMPLATES) == list(CATALOG)
    for problem in CATALOG.values():
        chinese = diagnostics_zh.TEMPLATES[problem.id]
        assert placeholders(chinese) == placeholders(problem.template), problem.id
        # A template that is only its values (`{detail}`) has no words to translate.
        words = re.sub(r"\{\w+\}", "", chinese)
        assert CJK.search(chinese) or not re.search("[A-Za-z]", words), problem.id


def test_every_phrase_keeps_the_slots_of_its_english() -> None:
    for english, chinese in {**diagnostics_zh.WORDS, **diagnostics_zh.PHRASES}.items():
        assert slots(chinese) == slots(english), english
        chinese.format(*["x"] * 10)


def test_a_message_is_said_in_chinese_with_its_values() -> None:
    d = diag("GX303", Loc("entities/order.yaml", 4, 19), "did you mean 'string'?",
             type="strng")
    zh = d.in_language("zh")
    assert zh.message == "未知的字段类型 'strng'"
    assert zh.hint == "是否想写 'string'？"
    assert (zh.id, zh.loc, zh.severity) == (d.id, d.loc, d.severity)


def test_english_is_the_default_and_unchanged() -> None:
    d = diag("GX303", Loc("f.yaml", 1, 1), "did you mean 'string'?", type="strng")
    assert d.in_language("en") is d
    assert d.message == "unknown field type 'strng'"


def test_words_the_schema_check_fills_in_are_said_in_chinese(write_project) -> None:
    root = write_project({"guanxi.yaml": "project: p\nroles: [a, b]\n"})
    (found,) = [d for d in load_project(root).diagnostics if d.id == "GX202"]
    assert found.in_language("zh").message == "roles 必须是 映射，而不是 列表"


def test_a_hint_with_values_is_said_in_chinese() -> None:
    assert diagnostics_zh.hint("did you mean 'email'?") == "是否想写 'email'？"
    assert diagnostics_zh.hint("the states are: new, won") == "可用的状态：new, won"


def test_text_with_no_chinese_stays_as_it_is() -> None:
    assert diagnostics_zh.hint("an unforeseen remark") == "an unforeseen remark"


def test_another_librarys_words_stay_english_inside_the_chinese() -> None:
    d = diag("GX101", Loc("f.yaml", 2, 1), None,
             detail="YAML syntax error: while parsing a flow sequence")
    assert d.in_language("zh").message == "YAML 语法错误：while parsing a flow sequence"


def test_a_short_phrase_is_not_used_to_half_translate_a_sentence() -> None:
    assert diagnostics_zh.hint("write sum(amount)") == "写成 sum(amount)"
    sentence = "write a duration such as 4h, 1d or 1w"
    assert diagnostics_zh.hint(sentence) == sentence


def test_check_in_chinese_prints_messages_hints_and_the_summary(
        write_project, capsys: pytest.CaptureFixture[str]) -> None:
    root = shop(write_project)
    assert main(["check", str(root), "--language", "zh"]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].endswith("[GX303] 未知的字段类型 'strng'（提示：是否想写 'string'？）")
    assert lines[-1] == f"{root} 中有 1 个错误、0 个警告"


def test_check_in_chinese_says_warning_in_chinese(
        write_project, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_project({"guanxi.yaml": PROJECT + "  visitor: {}\n",
                          "entities/order.yaml": ENTITY.replace("strng", "string")})
    assert main(["check", str(root), "--language", "zh"]) == 0
    out = capsys.readouterr().out
    assert "警告 [GX320]" in out
    assert out.strip().endswith("中有 0 个错误、1 个警告")


def test_check_json_in_chinese_gives_the_chinese_message(
        write_project, capsys: pytest.CaptureFixture[str]) -> None:
    root = shop(write_project)
    assert main(["check", str(root), "--json", "--language", "zh"]) == 1
    (d,) = json.loads(capsys.readouterr().out)["diagnostics"]
    assert (d["id"], d["message"], d["hint"]) == ("GX303", "未知的字段类型 'strng'",
                                                    "是否想写 'string'？")


@pytest.mark.parametrize("problem_id", sorted(CATALOG))
def test_each_problem_of_the_catalog_reads_in_chinese(
        problem_id: str, write_project, tmp_path: Path) -> None:
    root = write_case(problem_id, write_project, tmp_path)
    found = [d for d in load_project(root).diagnostics if d.id == problem_id]
    assert found
    for d in found:
        assert CJK.search(d.in_language("zh").message), d.message


def test_a_project_whose_first_language_is_chinese_is_checked_in_chinese(
        write_project, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_project({"guanxi.yaml": "languages: [zh, en]\n" + PROJECT,
                          "entities/order.yaml": ENTITY})
    assert main(["check", str(root)]) == 1
    assert "[GX303] 未知的字段类型 'strng'" in capsys.readouterr().out


def test_english_can_be_asked_for_in_a_chinese_project(
        write_project, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_project({"guanxi.yaml": "languages: [zh, en]\n" + PROJECT,
                          "entities/order.yaml": ENTITY})
    assert main(["check", str(root), "--language", "en"]) == 1
    assert "[GX303] unknown field type 'strng'" in capsys.readouterr().out
