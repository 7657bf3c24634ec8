"""The UI's own words and the choice of language."""

from __future__ import annotations

from guanxi.server.i18n import STRINGS, choose_language, from_accept_language, translator


def test_every_english_string_has_a_chinese_one():
    assert set(STRINGS["zh"]) == set(STRINGS["en"])


def test_accept_language_is_ranked_by_quality():
    assert from_accept_language("en;q=0.5, zh-CN;q=0.9") == "zh"
    assert from_accept_language("fr, en;q=0.8") == "en"
    assert from_accept_language("fr, de") is None
    assert from_accept_language("zh;q=0, en;q=0.1") == "en"


def test_session_choice_beats_the_users_language_which_beats_the_browser():
    assert choose_language(session_choice="zh", user_language="en",
                           accept_language="en") == "zh"
    assert choose_language(session_choice=None, user_language="zh",
                           accept_language="en") == "zh"
    assert choose_language(session_choice=None, user_language=None,
                           accept_language="zh-TW") == "zh"
    assert choose_language(session_choice=None, user_language=None,
                           accept_language="", default="zh") == "zh"


def test_translator_fills_values_and_falls_back_to_english():
    t = translator("zh")
    assert t("records", count=3) == "3 条记录"
    assert translator("fr")("save") == "Save"
    assert t("no_such_key") == "no_such_key"
