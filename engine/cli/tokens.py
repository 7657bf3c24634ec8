"""`guanxi tokens`: API tokens for integrations and scripts, without the web page.

    guanxi tokens add USERNAME [--expires 30d] [--name NAME] [--db URL] [--project PATH]
    guanxi tokens list [USERNAME] [--db URL] [--project PATH]
    guanxi tokens revoke ID [--db URL] [--project PATH]

`add` prints the new token on standard output, once: only its SHA-256 is stored.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

import sqlalchemy as sa
from guanxi.accounts import users
from guanxi.cli.data import (
    _IntermixedParser,
    _project_option,
    _users_engine,
    _users_project,
    db_option,
    guarded,
)
from guanxi.errors import GuanxiError
from guanxi.language.build import parse_duration
from guanxi.server.auth import tokens


def _tokens_engine(args: argparse.Namespace) -> sa.Engine:
    path, _ = _users_project(args)
    engine = _users_engine(args, path)
    tokens.create_table(engine)
    return engine


def _lifetime(text: str | None) -> dt.timedelta | None:
    if text is None:
        return None
    seconds = parse_duration(text)
    if not seconds:
        raise GuanxiError(f"--expires {text!r} is not a duration; use e.g. 12h, 30d or 1w")
    return dt.timedelta(seconds=seconds)


def _when(moment: dt.datetime | None, empty: str) -> str:
    if moment is None:
        return empty
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _add(args: argparse.Namespace) -> int:
    lifetime = _lifetime(args.expires)
    engine = _tokens_engine(args)
    try:
        user = users.find_user(engine, args.username)
        if user is None:
            raise GuanxiError(f"no active user named '{args.username}'; "
                              "`guanxi users list` shows them")
        token = tokens.issue(engine, user.id, args.name, lifetime)
    finally:
        engine.dispose()
    until = "until revoked" if lifetime is None else (
        "until " + _when(dt.datetime.now(dt.UTC) + lifetime, ""))
    print(f"new API token for {user.username}, valid {until}; it is shown only now, "
          "so store it safely:", file=sys.stderr)
    print(token)
    return 0


def _list(args: argparse.Namespace) -> int:
    engine = _tokens_engine(args)
    try:
        names = {u.id: u.username for u in users.list_users(engine, include_inactive=True)}
        if args.username:
            user = users.find_user(engine, args.username)
            if user is None:
                raise GuanxiError(f"no active user named '{args.username}'")
            listed = tokens.list_for(engine, user.id)
        else:
            listed = tokens.list_all(engine)
    finally:
        engine.dispose()
    if not listed:
        print("no API tokens; add one with `guanxi tokens add USERNAME`")
        return 0
    rows = [("ID", "USER", "NAME", "CREATED", "EXPIRES", "LAST USED")]
    for info in listed:
        expires = _when(info.expires_at, "never") + (" (expired)" if info.expired else "")
        rows.append((str(info.id), str(names.get(info.user_id, info.user_id)),
                     info.label or "-", _when(info.created_at, "-"), expires,
                     _when(info.last_used_at, "never")))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    return 0


def _revoke(args: argparse.Namespace) -> int:
    engine = _tokens_engine(args)
    try:
        revoked = tokens.revoke_any(engine, args.id)
    finally:
        engine.dispose()
    if revoked is None:
        raise GuanxiError(f"no API token with id {args.id}; `guanxi tokens list` shows them")
    print(f"revoked API token {revoked.id} ({revoked.label or 'no name'}); it stops working "
          "at once")
    return 0


def _token_id(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise argparse.ArgumentTypeError(f"{text!r} is not a token id (see `guanxi tokens list`)")
    return int(text)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `tokens`."""
    group = subparsers.add_parser(
        "tokens", help="manage API tokens (for integrations and scripts)",
        description="API tokens authenticate JSON API calls (Authorization: Bearer TOKEN) "
                    "as their user.")
    commands = group.add_subparsers(dest="tokens_command", metavar="COMMAND", required=True,
                                    parser_class=_IntermixedParser)
    add = commands.add_parser("add", help="give a user a new token (printed once)")
    add.add_argument("username", metavar="USERNAME")
    add.add_argument("--expires", metavar="DURATION",
                     help="lifetime, e.g. 12h, 30d, 1w (default: until revoked)")
    add.add_argument("--name", default="", metavar="NAME", help="what the token is for")
    db_option(add)
    _project_option(add, positional=False)
    add.set_defaults(handler=guarded(_add))

    listing = commands.add_parser("list", help="list tokens (not their secret text)")
    listing.add_argument("username", nargs="?", metavar="USERNAME",
                         help="only this user's tokens")
    db_option(listing)
    _project_option(listing, positional=False)
    listing.set_defaults(handler=guarded(_list))

    revoke = commands.add_parser("revoke", help="revoke a token by its id")
    revoke.add_argument("id", type=_token_id, metavar="ID")
    db_option(revoke)
    _project_option(revoke, positional=False)
    revoke.set_defaults(handler=guarded(_revoke))
