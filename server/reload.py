"""The project being served, and `serve --reload`: re-load it after a YAML edit.

With reload on, each request first looks whether any file of the project (YAML or
template) changed. If so the project is loaded and checked again; when `check` passes
the new project replaces the old one (its database changes applied when they lose no
data), and when it fails the last good project keeps being served while administrators
see the located errors on every page.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import sqlalchemy as sa
from guanxi.compile.app import App, compile_app
from guanxi.errors import ProjectInvalid
from guanxi.language.project import load_project
from guanxi.migrate import plan as migrate
from guanxi.server.auth import tokens
from guanxi.server.templating import environment
from guanxi.spec import ProjectSpec
from guanxi.store.facade import Store

log = logging.getLogger("guanxi.server")


@dataclass(frozen=True)
class Loaded:
    """One good version of the project, ready to serve."""

    spec: ProjectSpec
    app: App
    store: Store
    engine: sa.Engine
    templates: jinja2.Environment


def _snapshot(roots: list[Path]) -> dict[str, float]:
    stamps: dict[str, float] = {}
    for root in roots:
        if not root.is_dir():
            continue
        for path in root.rglob("*"):
            if path.suffix in (".yaml", ".yml", ".html") and path.is_file():
                try:
                    stamps[str(path)] = path.stat().st_mtime_ns
                except OSError:
                    continue
    return stamps


def load_spec(path: Path) -> tuple[ProjectSpec | None, list[Any]]:
    """The checked project at `path`, or None and the errors that stop it."""
    result = load_project(path)
    if result.spec is None and not result.errors:
        return None, [f"{path}: not a Guanxi project (no guanxi.yaml)"]
    return (result.spec if result.ok else None), list(result.errors)


def compile_spec(spec: ProjectSpec) -> Any:
    return compile_app(spec)


class ProjectHolder:
    """Holds the project being served; with `reload`, swaps in a newer good one."""

    def __init__(self, source: str | Path | Any, db: str | sa.Engine, *,
                 reload: bool = False, create_schema: bool = False) -> None:
        self._lock = threading.Lock()
        self.errors: list[Any] = []
        self.reload = reload and isinstance(source, str | Path)
        if isinstance(source, str | Path):
            self.path: Path | None = Path(source).resolve()
            spec, errors = load_spec(self.path)
            if spec is None:
                raise ProjectInvalid(errors)
            app = compile_spec(spec)
        else:
            self.path = None
            app = source
        store = Store(app, db)
        engine = getattr(store, "engine", None)
        if engine is None:
            engine = db if isinstance(db, sa.Engine) else sa.create_engine(db)
        if create_schema:
            store.create_schema()
        tokens.create_table(engine)
        self._loaded = self._make(app, store, engine)
        self._stamps = _snapshot(self._roots()) if self.reload else {}

    def _make(self, app: Any, store: Any, engine: sa.Engine) -> Loaded:
        spec = app.spec
        return Loaded(spec, app, store, engine, environment(spec.root or self.path))

    def _roots(self) -> list[Path]:
        spec = self._loaded.spec
        roots = [Path(spec.root)] if spec.root else []
        roots += [Path(p) for p in spec.extends]
        if self.path is not None and self.path not in roots:
            roots.append(self.path)
        return roots

    def current(self) -> Loaded:
        """The project to serve this request with (re-loaded first if files changed)."""
        if not self.reload:
            return self._loaded
        with self._lock:
            stamps = _snapshot(self._roots())
            if stamps != self._stamps:
                self._stamps = stamps
                self._try_reload()
            return self._loaded

    def _try_reload(self) -> None:
        assert self.path is not None
        try:
            spec, errors = load_spec(self.path)
        except Exception as error:  # a broken project must not take the server down
            log.exception("reloading %s failed", self.path)
            self.errors = [f"{self.path}: {error}"]
            return
        if spec is None:
            self.errors = errors
            log.warning("project has %d error(s); serving the last good version", len(errors))
            return
        app = compile_spec(spec)
        problems = apply_safe_migrations(app, self._loaded.engine)
        if problems:
            self.errors = problems
            return
        self.errors = []
        self._loaded = self._make(app, Store(app, self._loaded.engine), self._loaded.engine)
        log.info("reloaded project %s", spec.name)


def apply_safe_migrations(app: Any, engine: sa.Engine) -> list[str]:
    """Bring the database up to the project when no data would be lost; otherwise the
    reasons to run `guanxi migrate` by hand (an empty list means done)."""
    plan = migrate.plan(app, engine)
    refusal = plan.refusal()
    if refusal:
        return ["the database needs changes that `guanxi migrate` must make by hand:",
                *refusal.splitlines()]
    migrate.apply(plan, engine)
    return []
