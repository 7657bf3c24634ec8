"""`guanxi new PATH`: a starting project that checks clean, migrates, and passes its own
acceptance scenarios."""

from __future__ import annotations

from pathlib import Path

from guanxi.cli.main import main
from guanxi.compile.app import compile_app
from guanxi.language.project import load_project, load_project_or_raise
from guanxi.migrate import plan as migrate
from guanxi.store.database import create_engine


def test_a_new_project_checks_clean(tmp_path: Path) -> None:
    assert main(["new", str(tmp_path / "crm")]) == 0
    result = load_project(tmp_path / "crm")
    assert result.diagnostics == []
    assert result.spec is not None and result.spec.name == "crm"


def test_a_new_project_passes_its_scenarios(tmp_path: Path, capsys) -> None:
    main(["new", str(tmp_path / "crm")])
    assert main(["test", str(tmp_path / "crm")]) == 0
    assert "2 passed, 0 failed" in capsys.readouterr().out


def test_a_new_project_migrates(tmp_path: Path, db_url: str) -> None:
    main(["new", str(tmp_path / "crm"), "--name", "shop"])
    app = compile_app(load_project_or_raise(tmp_path / "crm"))
    engine = create_engine(db_url)
    try:
        migrate.apply(migrate.plan(app, engine), engine)
        assert migrate.plan(app, engine).empty
    finally:
        engine.dispose()


def test_new_refuses_a_folder_that_is_not_empty(tmp_path: Path, capsys) -> None:
    (tmp_path / "crm").mkdir()
    (tmp_path / "crm" / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["new", str(tmp_path / "crm")]) == 1
    assert "exists and is not empty" in capsys.readouterr().err
