"""Searching every entity at once: what each user finds, on SQLite and PostgreSQL."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from guanxi.compile.app import compile_app
from guanxi.language.project import load_project_or_raise
from guanxi.store.facade import Store
from guanxi.workspace import searchindex
from guanxi.workspace.search import find
from store_project import add_account
from workspace_project import PROJECT


@pytest.fixture
def crm(write_project, db_url):
    store = Store(compile_app(load_project_or_raise(write_project(PROJECT))), db_url)
    store.create_schema()
    world = SimpleNamespace(store=store, rita=add_account(store, "rita", ["rep"]),
                            mona=add_account(store, "mona", ["manager"]))
    yield world
    store.dispose()


def found(groups):
    return {(g.entity, h.title) for g in groups for h in g.hits}


def test_a_manager_finds_records_of_several_entities(crm):
    s, mona = crm.store, crm.mona
    account = s.create(mona, "account", {"name": "Hottechi"})
    s.create(mona, "deal", {"name": "Hottechi renewal", "account": account["id"]})
    s.create(mona, "activity", {"subject": "Call Hottechi", "deal": None,
                                "account": account["id"]})
    assert found(find(s, mona, "hottechi")) == {
        ("account", "Hottechi"), ("deal", "Hottechi renewal"), ("activity", "Call Hottechi")}


def test_a_deal_is_found_by_the_name_of_its_account(crm):
    s, mona = crm.store, crm.mona
    account = s.create(mona, "account", {"name": "Zumcomplex"})
    s.create(mona, "deal", {"name": "Big order", "account": account["id"]})
    [group] = find(s, mona, "zumcom", entities=["deal"])
    [hit] = group.hits
    assert (hit.title, hit.field, hit.text) == ("Big order", "account", "Zumcomplex")


def test_a_rep_finds_only_her_own_records(crm):
    s, rita, mona = crm.store, crm.rita, crm.mona
    s.create(rita, "account", {"name": "Acme East"})
    s.create(mona, "account", {"name": "Acme West"})
    assert found(find(s, rita, "acme")) == {("account", "Acme East")}
    assert found(find(s, mona, "acme")) == {("account", "Acme East"), ("account", "Acme West")}


def test_a_hidden_field_never_matches_for_a_role_that_cannot_see_it(crm):
    s, rita, mona = crm.store, crm.rita, crm.mona
    s.create(rita, "deal", {"name": "Quiet deal"})
    deal = s.list(rita, "deal").items[0]
    s.update(mona, "deal", deal["id"], {"secret": "kickback-7781"})
    assert find(s, rita, "kickback") == []
    assert found(find(s, mona, "kickback")) == {("deal", "Quiet deal")}


def test_a_deal_is_not_found_by_an_account_the_rep_may_not_read(crm):
    s, rita, mona = crm.store, crm.rita, crm.mona
    theirs = s.create(mona, "account", {"name": "Private Holdings"})
    s.create(mona, "deal", {"name": "Her deal", "account": theirs["id"], "owner": rita.id})
    assert found(find(s, rita, "her deal")) == {("deal", "Her deal")}
    assert find(s, rita, "private holdings") == []


def test_chinese_is_found_by_a_substring_of_two_or_more_characters(crm):
    s, mona = crm.store, crm.mona
    s.create(mona, "account", {"name": "上海华东电子有限公司"})
    assert found(find(s, mona, "华东电子")) == {("account", "上海华东电子有限公司")}
    assert found(find(s, mona, "华东")) == {("account", "上海华东电子有限公司")}


def test_renaming_an_account_moves_what_finds_its_deals(crm):
    s, mona = crm.store, crm.mona
    account = s.create(mona, "account", {"name": "Oldname"})
    s.create(mona, "deal", {"name": "Renewal", "account": account["id"]})
    find(s, mona, "oldname")
    s.update(mona, "account", account["id"], {"name": "Newname"})
    assert find(s, mona, "oldname") == []
    assert found(find(s, mona, "newname")) == {("account", "Newname"), ("deal", "Renewal")}


def test_a_deleted_record_is_not_found(crm):
    s, mona = crm.store, crm.mona
    account = s.create(mona, "account", {"name": "Gone Corp"})
    find(s, mona, "gone")
    s.delete(mona, "account", account["id"])
    assert find(s, mona, "gone corp") == []


def test_wildcards_are_literal(crm):
    s, mona = crm.store, crm.mona
    s.create(mona, "account", {"name": "Fifty Percent"})
    assert find(s, mona, "%") == []
    assert find(s, mona, "_") == []


def test_the_worker_follower_indexes_before_anyone_searches(crm):
    s, mona = crm.store, crm.mona
    searchindex.refresh(s.engine, s.app)
    s.create(mona, "account", {"name": "Worker Ltd"})
    assert searchindex.follow(s, s.clock()) == ["search: 1 event(s) indexed"]
    assert searchindex.follow(s, s.clock()) == []


def test_the_worker_leaves_an_index_nobody_built_alone(crm):
    s, mona = crm.store, crm.mona
    s.create(mona, "account", {"name": "Unsearched"})
    assert searchindex.follow(s, s.clock()) == []
    assert not searchindex.built(s.engine)


def test_a_rebuild_indexes_every_record_again(crm):
    s, mona = crm.store, crm.mona
    s.create(mona, "account", {"name": "Rebuilt", "city": "Xiamen"})
    find(s, mona, "rebuilt")
    assert searchindex.rebuild(s.engine, s.app) == 2
    assert found(find(s, mona, "xiamen")) == {("account", "Rebuilt")}


def test_a_few_per_entity_and_whether_there_are_more(crm):
    s, mona = crm.store, crm.mona
    for n in range(4):
        s.create(mona, "account", {"name": f"Many {n}"})
    [group] = find(s, mona, "many", per_entity=3)
    assert (len(group.hits), group.more) == (3, True)


def test_the_database_text_index_is_used(crm):
    assert searchindex.mode(crm.store.engine) in (searchindex.FTS5, searchindex.PG_TRGM)


def test_a_list_search_finds_deals_by_their_account_name(crm):
    s, mona = crm.store, crm.mona
    account = s.create(mona, "account", {"name": "Hottechi"})
    s.create(mona, "deal", {"name": "Renewal", "account": account["id"]})
    s.create(mona, "deal", {"name": "Other"})
    assert [d["name"] for d in s.list(mona, "deal", search="hottechi").items] == ["Renewal"]


def test_a_list_search_ignores_accounts_the_rep_may_not_read(crm):
    s, rita, mona = crm.store, crm.rita, crm.mona
    theirs = s.create(mona, "account", {"name": "Private Holdings"})
    s.create(mona, "deal", {"name": "Her deal", "account": theirs["id"], "owner": rita.id})
    assert s.list(rita, "deal", search="private").items == []
