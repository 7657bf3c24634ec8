"""`guanxi serve` and `guanxi demo`: run the web application (see guanxi.server)."""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import uvicorn
from guanxi.accounts import users
from guanxi.cli.data import default_database_url, fail
from guanxi.compile.app import compile_app
from guanxi.data.demo import DEMO_USERS, PASSWORD, seed
from guanxi.errors import GuanxiError, ProjectInvalid
from guanxi.language.project import load_project_or_raise
from guanxi.migrate import plan as migrate
from guanxi.server import processes, serving
from guanxi.server.app import create_app
from guanxi.server.limits import DEFAULT_MAX_BODY, parse_size
from guanxi.server.serving import DEFAULT_MAX_CONNECTIONS
from guanxi.store.database import create_engine
from guanxi.store.facade import Store

DEMO_DATABASE = "demo.sqlite"


def _secret() -> str | None:
    secret = os.environ.get("GUANXI_SECRET", "")
    if secret:
        return secret
    print("guanxi: GUANXI_SECRET is not set; using a random secret (everyone is signed out "
          "when the server restarts)", file=sys.stderr)
    return None


def proxy_options(args: argparse.Namespace) -> dict[str, Any]:
    """uvicorn's options for trusting X-Forwarded-For/-Proto: only from the addresses
    given with --forwarded-allow-ips (by default no one's headers are trusted)."""
    allowed = getattr(args, "forwarded_allow_ips", None)
    if not allowed:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": allowed}


def _run(app: Any, host: str, port: int, max_connections: int,
         **options: Any) -> None:
    uvicorn.Server(serving.config(app, host, port, max_connections=max_connections,
                                  **options)).run()


def _pending_migration(compiled: Any, url: str) -> list[str]:
    engine = create_engine(url)
    try:
        plan = migrate.plan(compiled, engine)
    finally:
        engine.dispose()
    return [] if plan.empty else plan.describe()


def _several(args: argparse.Namespace, compiled: Any, url: str) -> int:
    """`--workers N`: N processes on PostgreSQL (guanxi.server.processes)."""
    if args.reload:
        return fail("--reload runs one process; leave out --workers or --reload")
    # One secret for every process, so a session signed by one is valid in the others.
    secret = _secret() or secrets.token_urlsafe(32)

    # The application makes the tables it keeps for itself (sessions' brake, tokens)
    # when it is created: once here, before the processes would race to make them.
    first = create_app(compiled, url, secret, max_body=args.max_body)
    first.state.holder.current().store.dispose()

    def build() -> uvicorn.Config:
        app = create_app(compiled, url, secret, max_body=args.max_body,
                         https_only=args.https_only, worker=not args.no_worker)
        return serving.config(app, args.host, args.port,
                              max_connections=args.max_connections,
                              log_config=processes.logging_config(), **proxy_options(args))

    print(f"Guanxi serving {Path(args.path).resolve()} at http://{args.host}:{args.port}/ "
          f"with {args.workers} processes", flush=True)
    try:
        return processes.run(build, args.host, args.port, args.workers)
    except OSError as error:
        return fail(f"cannot listen on {args.host}:{args.port}: {error.strerror}")


def _serve(args: argparse.Namespace) -> int:
    project = args.path
    url = args.db or default_database_url(project)
    if args.workers < 1:
        return fail("--workers must be at least 1")
    if args.workers > 1 and sa.make_url(url).get_backend_name() != "postgresql":
        return fail(f"--workers {args.workers} needs PostgreSQL (--db postgresql+psycopg://…): "
                    "SQLite takes one writer at a time, so several server processes would "
                    "only wait for each other; serve SQLite with one process")
    try:
        compiled = compile_app(load_project_or_raise(project))
        pending = _pending_migration(compiled, url)
        if pending:
            print("guanxi: the database does not match the project; review and apply with "
                  f"`guanxi migrate {project}`:", file=sys.stderr)
            for line in pending:
                print("  " + line, file=sys.stderr)
            return 1
        if args.workers > 1:
            return _several(args, compiled, url)
        # With --reload the server watches the directory, so it needs the path.
        app = create_app(project if args.reload else compiled, url, _secret(),
                         reload=args.reload, max_body=args.max_body,
                         https_only=args.https_only, worker=not args.no_worker)
    except ProjectInvalid as error:
        return fail(str(error))
    except GuanxiError as error:
        return fail(str(error))
    print(f"Guanxi serving {Path(project).resolve()} at http://{args.host}:{args.port}/")
    _run(app, args.host, args.port, args.max_connections, **proxy_options(args))
    return 0


def _default_demo_project() -> Path | None:
    candidate = Path(__file__).resolve().parent.parent.parent / "examples" / "acme"
    return candidate if (candidate / "guanxi.yaml").is_file() else None


def prepare_demo(project: Path, url: str) -> tuple[Any, Any]:
    """Migrate the demo database and, when it has no users yet, seed it.
    Returns (the Store, the seed report or None when it was seeded before)."""
    app = compile_app(load_project_or_raise(project))
    store = Store(app, url)
    migrate.apply(migrate.plan(app, store.engine), store.engine)
    if users.list_users(store.engine, include_inactive=True):
        return store, None
    return store, seed(store)


def reset_sqlite(url: str) -> str | None:
    """Delete the SQLite database file at `url` (with its WAL files); a message when the
    URL names no SQLite file (other databases are never dropped from here)."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database \
            or parsed.database == ":memory:":
        return "--reset deletes a SQLite demo file only; drop other databases yourself"
    for suffix in ("", "-wal", "-shm"):
        Path(parsed.database + suffix).unlink(missing_ok=True)
    return None


def _demo(args: argparse.Namespace) -> int:
    project = Path(args.path) if args.path else _default_demo_project()
    if project is None:
        return fail("give the project directory: guanxi demo PATH (e.g. examples/acme)")
    url = args.db or f"sqlite:///{project.resolve() / DEMO_DATABASE}"
    if args.reset:
        problem = reset_sqlite(url)
        if problem:
            return fail(problem)
    try:
        store, report = prepare_demo(project, url)
    except GuanxiError as error:
        return fail(str(error))
    if report is not None:
        made = ", ".join(f"{n} {e}" for e, n in sorted(report.created.items()))
        print(f"Seeded the demo database: {made}.")
    print("Sign in as one of (password for all: " + PASSWORD + "):")
    for username, name, roles, _ in DEMO_USERS:
        print(f"  {username:8} {name:14} {', '.join(roles)}")
    store.dispose()
    app = create_app(project, url, _secret(), reload=args.reload, max_body=args.max_body,
                     https_only=args.https_only, worker=not args.no_worker)
    print(f"Open http://{args.host}:{args.port}/")
    _run(app, args.host, args.port, args.max_connections, **proxy_options(args))
    return 0


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on")
    parser.add_argument("--reload", action="store_true",
                        help="re-load the project after each YAML edit (errors are shown to "
                             "administrators while the last good version keeps running)")
    parser.add_argument("--db", metavar="URL", help="database URL")
    parser.add_argument("--https-only", action="store_true",
                        help="mark the session cookie Secure, so browsers send it over "
                             "HTTPS only (use when the site is served over HTTPS)")
    parser.add_argument("--forwarded-allow-ips", metavar="IPS",
                        help="trust X-Forwarded-For and X-Forwarded-Proto from these "
                             "comma-separated proxy addresses (e.g. 127.0.0.1); by default "
                             "they are ignored")
    parser.add_argument("--no-worker", action="store_true",
                        help="do not run the automation worker in this process (run "
                             "`guanxi worker` separately)")
    _limits(parser)


def _size(text: str) -> int:
    try:
        return parse_size(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _limits(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--max-body", metavar="SIZE", type=_size, default=DEFAULT_MAX_BODY,
                        help="largest request body taken, e.g. 1MiB (the default) or 512KiB; "
                             "larger ones are refused with 413")
    parser.add_argument("--max-connections", metavar="N", type=int,
                        default=DEFAULT_MAX_CONNECTIONS,
                        help="open connections (or running requests) beyond which the server "
                             f"answers 503 (default {DEFAULT_MAX_CONNECTIONS})")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `serve` and `demo`."""
    serve = subparsers.add_parser(
        "serve", help="serve a project's web pages and JSON API",
        description="Serve the staff pages and the JSON API (/api/, /openapi.json). The "
                    "session secret comes from GUANXI_SECRET.")
    serve.add_argument("path", metavar="PATH", help="the project directory")
    _common(serve)
    serve.add_argument("--workers", type=int, default=1, metavar="N",
                       help="serve with N processes sharing the port (PostgreSQL only; "
                            "each runs its own automation worker unless --no-worker)")
    serve.set_defaults(handler=_serve)
    demo = subparsers.add_parser(
        "demo", help="run the example CRM with sample data",
        description="Create examples/acme/demo.sqlite, fill it with sample data and demo "
                    "users (one per role), print their logins and serve it.")
    demo.add_argument("path", nargs="?", metavar="PATH",
                      help="the project (default: the examples/acme shipped with Guanxi)")
    _common(demo)
    demo.add_argument("--no-reload", dest="reload", action="store_false",
                      help="do not pick up YAML edits (the demo picks them up by default)")
    demo.add_argument("--reset", action="store_true",
                      help="delete the demo's SQLite database first and seed a fresh one")
    demo.set_defaults(handler=_demo, reload=True)
