"""Keywords found in a message: Chinese without word boundaries, case-insensitively,
every occurrence counted; reply templates ranked by their hits."""

from __future__ import annotations

from pathlib import Path

from guanxi.compile.app import compile_app
from guanxi.language.project import load_project_or_raise
from guanxi.mail.keywords import KeywordMatcher
from guanxi.mail.replies import rank

ACME = Path(__file__).resolve().parents[2] / "examples" / "acme"


def test_chinese_keywords_are_found_inside_a_sentence() -> None:
    found = KeywordMatcher(["维修", "退款"]).count("我们的打印机需要维修，请尽快维修。")
    assert found == {"维修": 2}


def test_english_keywords_are_found_whatever_their_case() -> None:
    assert KeywordMatcher(["Refund"]).count("REFUND please, a refund") == {"refund": 2}


def test_overlapping_keywords_are_each_counted() -> None:
    assert KeywordMatcher(["he", "she", "hers"]).count("ushers") == {
        "she": 1, "he": 1, "hers": 1}


def test_templates_are_ranked_by_their_hits() -> None:
    spec = compile_app(load_project_or_raise(ACME)).spec
    ranked = rank(spec, "ticket", "发票 invoice, an invoice; and 退款")
    assert [(r.name, hits) for r, hits in ranked] == [("invoice", 3), ("refund", 1)]


def test_templates_with_as_many_hits_keep_the_order_they_are_written_in() -> None:
    spec = compile_app(load_project_or_raise(ACME)).spec
    ranked = rank(spec, "ticket", "发票 and 退款")
    assert [r.name for r, _ in ranked] == ["refund", "invoice"]


def test_a_message_without_keywords_gets_no_suggestion() -> None:
    spec = compile_app(load_project_or_raise(ACME)).spec
    assert rank(spec, "ticket", "hello there") == []
