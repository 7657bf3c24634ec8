"""`guanxi mail-gateway` (receive e-mail into tickets), `guanxi mail-prefs` (a user's
address and notification channels) and `guanxi webhooks list|log|enable`."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from guanxi.accounts import users
from guanxi.cli.data import fail, open_store
from guanxi.errors import GuanxiError, ProjectInvalid
from guanxi.mail import gateway, plug, preferences
from guanxi.mail.definitions import messages_of
from guanxi.webhooks import delivery

plug.install()


def _gateway(args: argparse.Namespace) -> int:
    try:
        store = open_store(args)
    except (ProjectInvalid, GuanxiError) as error:
        return fail(str(error))
    server = gateway.Gateway(lambda: store, args.host, args.port, max_size=args.max_size)
    stop = threading.Event()

    def halt(signum: int, frame: FrameType | None) -> None:
        del signum, frame
        stop.set()

    signal.signal(signal.SIGTERM, halt)
    signal.signal(signal.SIGINT, halt)
    server.start()
    print(f"Guanxi mail gateway on {args.host}:{server.port}; stop with Ctrl-C",
          file=sys.stderr, flush=True)
    try:
        stop.wait()
    finally:
        server.stop()
        store.dispose()
    return 0


def _prefs(args: argparse.Namespace) -> int:
    try:
        store = open_store(args)
    except (ProjectInvalid, GuanxiError) as error:
        return fail(str(error))
    try:
        user = users.find_user(store.engine, args.username)
        if user is None:
            return fail(f"no user {args.username!r}")
        if args.address is None and args.channel is None:
            print(preferences.preference(store.engine, user.id) or "no preferences")
            return 0
        saved = preferences.set_preference(store.engine, user.id, address=args.address,
                                           channel=args.channel, kind=args.kind)
        print(f"{args.username}: {saved['address'] or '(no address)'} {saved['channels']}")
        return 0
    finally:
        store.dispose()


def _webhooks(args: argparse.Namespace) -> int:
    try:
        store = open_store(args)
    except (ProjectInvalid, GuanxiError) as error:
        return fail(str(error))
    try:
        if args.action == "list":
            for hook in messages_of(store.app.spec).webhooks:
                print(f"{hook.name:20} {hook.entity}.{hook.transition or '*'} -> {hook.url}"
                      f"  (as {hook.role})")
        elif args.action == "log":
            for row in delivery.log(store.engine, args.name, args.limit):
                print(f"{row['at'].isoformat()}  {row['subscription']:20} event "
                      f"{row['event_id']} attempt {row['attempt']}  "
                      f"{row['status'] or '-'}  {row['elapsed_ms']} ms  {row['error'] or ''}")
        else:
            if not args.name:
                return fail("give the subscription: guanxi webhooks enable PATH NAME")
            if not delivery.enable(store.engine, args.name):
                return fail(f"webhook {args.name!r} was never disabled")
            print(f"webhook {args.name} enabled")
        return 0
    finally:
        store.dispose()


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `mail-gateway`, `mail-prefs` and `webhooks`."""
    gate = subparsers.add_parser(
        "mail-gateway", help="receive e-mail over SMTP and file it as tickets",
        description="An SMTP server: each message becomes a ticket (channel email) or "
                    "joins the ticket it answers.")
    gate.add_argument("path", metavar="PATH", help="the project directory")
    gate.add_argument("--db", metavar="URL", help="database URL")
    gate.add_argument("--host", default="127.0.0.1", help="address to listen on")
    gate.add_argument("--port", type=int, default=2525, help="port (default 2525)")
    gate.add_argument("--max-size", type=int, default=gateway.MAX_SIZE, metavar="BYTES",
                      help="the largest message taken (default 10 MiB)")
    gate.set_defaults(handler=_gateway)
    prefs = subparsers.add_parser(
        "mail-prefs", help="a user's e-mail address and notification channels",
        description="Show or set where a user's notifications go: app, email or both, "
                    "per kind (the notification's source, or * for all).")
    prefs.add_argument("path", metavar="PATH", help="the project directory")
    prefs.add_argument("username")
    prefs.add_argument("--db", metavar="URL", help="database URL")
    prefs.add_argument("--address", help="the user's e-mail address")
    prefs.add_argument("--channel", choices=preferences.CHANNELS)
    prefs.add_argument("--kind", default="*", help="the kind of notification (default *)")
    prefs.set_defaults(handler=_prefs)
    hooks = subparsers.add_parser(
        "webhooks", help="list webhook subscriptions, show deliveries, enable one again",
        description="List the subscriptions, show the latest delivery attempts, or "
                    "enable a subscription disabled after repeated failures.")
    hooks.add_argument("action", choices=("list", "log", "enable"))
    hooks.add_argument("path", metavar="PATH", help="the project directory")
    hooks.add_argument("name", nargs="?", help="the subscription")
    hooks.add_argument("--db", metavar="URL", help="database URL")
    hooks.add_argument("--limit", type=int, default=50)
    hooks.set_defaults(handler=_webhooks)
