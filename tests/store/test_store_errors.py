"""The Store's errors: one hierarchy, a stable code each, messages in the user's language."""

from __future__ import annotations

import pytest
from guanxi.errors import (
    AccessDenied,
    GuanxiError,
    NotFound,
    RequestInvalid,
    ValidationFailed,
    VersionConflict,
)
from guanxi.messages import CATALOG
from store_project import open_sales


@pytest.fixture
def sales(write_project, db_url):
    opened = open_sales(write_project, db_url)
    yield opened
    opened.store.dispose()


def test_every_store_error_is_a_guanxi_error_with_a_code() -> None:
    for cls in (AccessDenied, NotFound, RequestInvalid, ValidationFailed, VersionConflict):
        assert issubclass(cls, GuanxiError)
        assert cls.code != GuanxiError.code


def test_every_message_code_is_catalogued_in_english_and_chinese() -> None:
    assert set(CATALOG["en"]) == set(CATALOG["zh"])


def test_a_missing_record_is_not_found_in_the_user_s_language(sales):
    with pytest.raises(NotFound) as english:
        sales.store.get(sales.rep, "lead", 999)
    with pytest.raises(NotFound) as chinese:
        sales.store.get(sales.zh_rep, "lead", 999)
    assert str(english.value) == "lead 999 not found"
    assert str(chinese.value) == "找不到lead 999"
    assert english.value.code == chinese.value.code == "not_found"


def test_a_refused_change_says_why_in_chinese_with_a_stable_code(sales):
    lead = sales.store.create(sales.zh_rep, "lead", {"name": "王"})
    with pytest.raises(AccessDenied) as refused:
        sales.store.delete(sales.zh_rep, "lead", lead["id"])
    assert str(refused.value) == "您不能删除此lead"
    assert refused.value.code == "may_not_delete"


def test_a_stale_version_conflicts_in_the_user_s_language(sales):
    lead = sales.store.create(sales.zh_rep, "lead", {"name": "王"})
    with pytest.raises(VersionConflict) as conflict:
        sales.store.update(sales.zh_rep, "lead", lead["id"], {"name": "李"},
                           expected_version=7)
    assert "已被他人修改" in str(conflict.value)
    assert conflict.value.code == "version_conflict"


def test_a_request_the_store_cannot_answer_is_request_invalid(sales):
    with pytest.raises(RequestInvalid) as english:
        sales.store.list(sales.rep, "lead", limit=0)
    with pytest.raises(RequestInvalid) as chinese:
        sales.store.list(sales.zh_rep, "lead", after="not a cursor")
    assert english.value.code == "bad_limit"
    assert str(english.value) == "limit must be a whole number from 1 to 1000, not 0"
    assert chinese.value.code == "bad_cursor" and "无效的游标" in str(chinese.value)
