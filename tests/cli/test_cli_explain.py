"""`guanxi explain PATH USER ENTITY [ID]`: what a user may do and why, rule by rule with
file:line, in English or Chinese; also for a record the user cannot see."""

from __future__ import annotations

import pytest
from guanxi.cli.main import main
from store_project import open_sales


@pytest.fixture
def sales_db(write_project, db_url: str):
    sales = open_sales(write_project, db_url)
    lead = sales.store.create(sales.manager, "lead", {"name": "Not rita's", "income": 5})
    yield sales, lead["id"], db_url
    sales.store.dispose()


def root_of(sales) -> str:
    return sales.app.spec.root


def test_a_record_the_user_cannot_see_is_explained_rule_by_rule(sales_db, capsys) -> None:
    sales, lead_id, url = sales_db
    assert main(["explain", root_of(sales), "rita", "lead", str(lead_id), "--db", url]) == 0
    out = capsys.readouterr().out
    assert "role rep may read lead where owner == current_user: does not hold for this " \
           "record (lead.access.rep.read, entities/lead.yaml:" in out
    assert "so rita cannot see this lead" in out


def test_the_explanation_speaks_chinese_when_asked(sales_db, capsys) -> None:
    sales, _, url = sales_db
    assert main(["explain", root_of(sales), "rita", "lead", "--db", url,
                 "--language", "zh"]) == 0
    assert "因此字段 income 对 rita 隐藏" in capsys.readouterr().out


def test_an_unknown_user_is_an_error(sales_db, capsys) -> None:
    sales, _, url = sales_db
    assert main(["explain", root_of(sales), "nobody", "lead", "--db", url]) == 1
    assert "no active user named 'nobody'" in capsys.readouterr().err


def test_a_record_explained_says_which_transitions_the_user_may_fire(sales_db,
                                                                     capsys) -> None:
    sales, lead_id, url = sales_db
    assert main(["explain", root_of(sales), "mona", "lead", str(lead_id), "--db", url]) == 0
    assert "so mona may fire now: contact (Contact), lose (Lose)" in capsys.readouterr().out


def test_a_user_who_cannot_see_the_record_may_fire_nothing(sales_db, capsys) -> None:
    sales, lead_id, url = sales_db
    assert main(["explain", root_of(sales), "rita", "lead", str(lead_id), "--db", url,
                 "--language", "zh"]) == 0
    assert "因此 rita 现在不能对这条 lead 执行任何流转" in capsys.readouterr().out
