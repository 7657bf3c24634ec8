"""`guanxi reindex`: the search index built again from the records."""

from __future__ import annotations

from guanxi.cli.main import main
from guanxi.compile.app import compile_app
from guanxi.language.project import load_project_or_raise
from guanxi.store.facade import Store
from guanxi.workspace.search import find
from store_project import add_account
from workspace_project import PROJECT


def test_reindex_builds_the_index_that_finds_every_record(write_project, sqlite_url,
                                                         capsys) -> None:
    root = write_project(PROJECT)
    store = Store(compile_app(load_project_or_raise(root)), sqlite_url)
    store.create_schema()
    mona = add_account(store, "mona", ["manager"])
    store.create(mona, "account", {"name": "Indexed Ltd", "city": "Suzhou"})
    assert main(["reindex", str(root), "--db", sqlite_url]) == 0
    assert "search index rebuilt: 2 rows (fts5)" in capsys.readouterr().out
    assert [h.title for g in find(store, mona, "suzhou") for h in g.hits] == ["Indexed Ltd"]
    store.dispose()
