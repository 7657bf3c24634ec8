"""A project's `time_zone:` moves the Store's `today`: the `today` default and `today()`
in rules and lists are the date there, not in UTC."""

from __future__ import annotations

import datetime as dt

from guanxi.compile.app import compile_app
from guanxi.language.project import load_project_or_raise
from guanxi.store.facade import Store
from store_project import add_account

# 2026-11-29 23:30 UTC: already 2026-11-30 in Shanghai.
MOMENT = dt.datetime(2026, 11, 29, 23, 30, tzinfo=dt.UTC)
PROJECT = {
    "guanxi.yaml": """
        project: visits
        time_zone: Asia/Shanghai
        roles: {clerk: {}}
    """,
    "entities/visit.yaml": """
        visit:
          fields:
            on: {type: date, default: today}
            at: {type: datetime}
          access:
            clerk: {create: all, read: all}
    """,
}


def _store(write_project, db_url: str, files: dict[str, str] | None = None) -> Store:
    app = compile_app(load_project_or_raise(write_project({**PROJECT, **(files or {})})))
    store = Store(app, db_url, clock=lambda: MOMENT)
    store.create_schema()
    return store


def test_the_today_default_is_the_date_in_the_projects_zone(write_project, db_url):
    store = _store(write_project, db_url)
    clerk = add_account(store, "clara", ["clerk"])
    assert store.create(clerk, "visit", {})["on"] == dt.date(2026, 11, 30)
    store.dispose()


def test_a_list_filter_takes_moments_by_their_date_in_the_zone(write_project, db_url):
    store = _store(write_project, db_url)
    clerk = add_account(store, "clara", ["clerk"])
    store.create(clerk, "visit", {"at": MOMENT.isoformat()})
    assert store.count(clerk, "visit", where="weekday(at) == 1 and day(at) == 30") == 1
    store.dispose()


def test_without_a_zone_the_today_default_is_the_utc_date(write_project, db_url):
    store = _store(write_project, db_url, {"guanxi.yaml": """
        project: visits
        roles: {clerk: {}}
    """})
    clerk = add_account(store, "clara", ["clerk"])
    assert store.create(clerk, "visit", {})["on"] == dt.date(2026, 11, 29)
    store.dispose()
