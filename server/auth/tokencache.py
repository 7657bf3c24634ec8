"""The users of recently seen API tokens, so that a request need not look them up.

One small LRU per database engine maps a token's hash to its user for at most `SECONDS`.
It is cleared at once when this process changes a table it depends on (users, their
roles, tokens: any INSERT, UPDATE or DELETE through that engine, noticed by an SQLAlchemy
event when the statement runs and again when its transaction commits), and entries of a
user are dropped when one of their tokens is revoked. A change made by another process
is seen when the entry expires. Unknown tokens are never remembered, so guessing cannot
fill the cache.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from typing import Any

import sqlalchemy as sa
from guanxi.identity import User

SIZE = 1024
SECONDS = 5.0
_TOUCHED = "guanxi_token_users_touched"
# An execution option for statements that change nothing remembered (a token's last use).
KEEP = "guanxi_token_users_kept"


class TokenCache:
    """Token hash -> user, least recently used first out, each entry for `SECONDS`."""

    def __init__(self, size: int = SIZE, seconds: float = SECONDS) -> None:
        self.size = size
        self.seconds = seconds
        # Bumped by every invalidation: a user read before it is not remembered after it.
        self.generation = 0
        self._entries: OrderedDict[str, tuple[User, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, token_hash: str) -> User | None:
        with self._lock:
            entry = self._entries.get(token_hash)
            if entry is None:
                return None
            user, expires = entry
            if time.monotonic() >= expires:
                del self._entries[token_hash]
                return None
            self._entries.move_to_end(token_hash)
            return user

    def put(self, token_hash: str, user: User, generation: int) -> None:
        """Remember `user` unless the cache was invalidated since `generation` was read."""
        with self._lock:
            if generation != self.generation:
                return
            self._entries[token_hash] = (user, time.monotonic() + self.seconds)
            self._entries.move_to_end(token_hash)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self.generation += 1
            self._entries.clear()

    def forget_user(self, user_id: int) -> None:
        with self._lock:
            self.generation += 1
            for key in [k for k, (u, _) in self._entries.items() if u.id == user_id]:
                del self._entries[key]

    def __len__(self) -> int:
        return len(self._entries)


_caches: weakref.WeakKeyDictionary[sa.Engine, TokenCache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def for_engine(engine: sa.Engine, watched: frozenset[str]) -> TokenCache:
    """The cache of `engine`, made (and hooked to changes of the `watched` tables) on
    first use."""
    cache = _caches.get(engine)
    if cache is not None:
        return cache
    with _caches_lock:
        cache = _caches.get(engine)
        if cache is None:
            cache = TokenCache()
            _watch(engine, cache, watched)
            _caches[engine] = cache
    return cache


def forget_user(user_id: int) -> None:
    """Drop the remembered tokens of `user_id`, whichever engine they came through."""
    with _caches_lock:
        caches = list(_caches.values())
    for cache in caches:
        cache.forget_user(user_id)




def _watch(engine: sa.Engine, cache: TokenCache, watched: frozenset[str]) -> None:
    def after_execute(conn: sa.Connection, clauseelement: Any, multiparams: Any,
                      params: Any, execution_options: Any, result: Any) -> None:
        if getattr(clauseelement, "is_dml", False) and not execution_options.get(KEEP):
            table = getattr(clauseelement, "table", None)
            if getattr(table, "name", None) in watched:
                conn.info[_TOUCHED] = True
                cache.clear()

    def after_commit(conn: sa.Connection) -> None:
        if conn.info.pop(_TOUCHED, False):
            cache.clear()

    def after_rollback(conn: sa.Connection) -> None:
        conn.info.pop(_TOUCHED, None)

    sa.event.listen(engine, "after_execute", after_execute)
    sa.event.listen(engine, "commit", after_commit)
    sa.event.listen(engine, "rollback", after_rollback)
