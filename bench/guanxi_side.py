"""Guanxi's side of the cases, through its public API only.

Every function raises `Unavailable` (with the reason) when the part of Guanxi it needs
cannot be imported or does not offer the API yet, so a case can report
"not available: …" and still show its baselines.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from bench.harness import Unavailable
from bench.projects import MANAGER_ROLE, REP_ROLE, write_lead_project

PASSWORD = "bench-password-1"


def need(module: str, *names: str) -> Any:
    """Import `module` (e.g. "guanxi.store") and check it has `names`; Unavailable if not."""
    try:
        loaded = importlib.import_module(module)
    except Exception as error:  # any import-time failure means "not ready yet"
        raise Unavailable(f"{module} cannot be imported ({type(error).__name__}: {error})"
                          ) from error
    for name in names:
        if not hasattr(loaded, name):
            raise Unavailable(f"{module} has no {name} yet")
    return loaded


def compile_project(root: Path) -> Any:
    """load_project_or_raise + compile_app on the project at `root`."""
    project = need("guanxi.language.project", "load_project_or_raise")
    compiler = need("guanxi.compile.app", "compile_app")
    try:
        return compiler.compile_app(project.load_project_or_raise(root))
    except ImportError as error:  # a module the loader needs has not landed yet
        raise Unavailable(f"loading a project fails: {error}") from error


def lead_app(workdir: Path) -> Any:
    """The compiled lead project (written under `workdir`)."""
    root = workdir / "lead-project"
    if not (root / "guanxi.yaml").exists():
        write_lead_project(root)
    return compile_project(root)


def open_store(app: Any, url: str) -> Any:
    """A Store on an empty database at `url`, its schema created."""
    store_module = need("guanxi.store.facade", "Store")
    store = store_module.Store(app, url)
    store.create_schema()
    return store


def store_engine(store: Any) -> Any:
    """The SQLAlchemy engine a Store writes through."""
    engine = getattr(store, "engine", None)
    if engine is None:
        raise Unavailable("Store has no `engine` attribute to add users through")
    return engine


def add_users(store: Any, count: int, role: str = REP_ROLE, prefix: str = "rep") -> list[Any]:
    """`count` users with `role`, added through guanxi.users.add_user."""
    users_module = need("guanxi.accounts.users", "add_user")
    engine = store_engine(store)
    return [users_module.add_user(engine, f"{prefix}{i}", PASSWORD, [role])
            for i in range(count)]


def add_manager(store: Any) -> Any:
    return add_users(store, 1, MANAGER_ROLE, "manager")[0]


def method(obj: Any, name: str) -> Any:
    """`obj.name`, or Unavailable when the API does not offer it yet."""
    found = getattr(obj, name, None)
    if found is None:
        raise Unavailable(f"{type(obj).__name__}.{name} does not exist yet")
    return found


def record_validator(workdir: Path) -> Any:
    """A function validating one lead record the way Store.create does before touching
    the database: read and bound-check each value (coerce), computed fields, then the
    record checks (required fields, rules). Returns the errors ({} when valid)."""
    app = lead_app(workdir)
    expr = need("guanxi.expr", "Context")
    validator = app.entity("lead").validator
    ctx = expr.Context(user_id=1, roles=frozenset({REP_ROLE}))
    coerce, compute, check = validator.coerce, validator.compute, validator.check

    def validate(row: dict[str, Any]) -> dict[str, list[str]]:
        clean, errors = coerce(row)
        compute(clean, ctx)
        problems = check(clean, ctx)
        return errors or problems

    return validate


def prepare_server_database(workdir: Path, url: str, records: int = 0) -> tuple[Path, str]:
    """Bring the database at `url` to the lead project's schema the way `guanxi migrate`
    does, add a sales rep with an API token, and (optionally) `records` leads imported by
    that rep. Returns (the project directory, the rep's token)."""
    app = lead_app(workdir)
    migrate = need("guanxi.migrate.plan", "plan", "apply")
    tokens = need("guanxi.server.auth.tokens", "create_table", "issue")
    store_module = need("guanxi.store.facade", "Store")
    store = store_module.Store(app, url)
    try:
        migrate.apply(migrate.plan(app, store.engine), store.engine)
        rep = add_users(store, 1)[0]
        tokens.create_table(store.engine)
        token = tokens.issue(store.engine, rep.id, "bench")
        if records:
            from bench.projects import lead_rows

            done = 0
            while done < records:
                count = min(50_000, records - done)
                report = store.bulk_insert(rep, "lead", lead_rows(count, seed=done,
                                                                  tag=f"s{done}"),
                                           batch_size=5000)
                if report.inserted != count:
                    raise AssertionError(f"populating the server database failed: {report!r}")
                done += count
    finally:
        store.dispose()
    return workdir / "lead-project", token


def serve_command(project: Path, url: str, port: int) -> list[str]:
    """`guanxi serve PROJECT --db URL --port N` on 127.0.0.1, as an operator runs it."""
    import sys

    need("guanxi.server.app", "create_app")
    return [sys.executable, "-m", "guanxi.cli", "serve", str(project), "--db", url,
            "--host", "127.0.0.1", "--port", str(port)]
