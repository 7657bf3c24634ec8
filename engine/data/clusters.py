"""The duplicates report: every record of an entity the user may read, grouped into
clusters of likely duplicates by the entity's `duplicates:` rules (each record compared
through `Store.likely_duplicates`, the clusters joined transitively)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from guanxi.identity import User
from guanxi.store.facade import Store

PAGE = 500


@dataclass(frozen=True, slots=True)
class Cluster:
    """Records that look like one: their ids (oldest first) and titles."""

    ids: tuple[int, ...]
    titles: tuple[str, ...]


class Groups:
    """Records joined into groups, transitively (a union-find over record ids)."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def root(self, node: int) -> int:
        parent = self.parent
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def join(self, one: int, other: int) -> None:
        self.parent[self.root(one)] = self.root(other)

    def groups(self) -> list[list[int]]:
        """The groups of more than one record, each sorted, in order."""
        found: dict[int, list[int]] = {}
        for node in self.parent:
            found.setdefault(self.root(node), []).append(node)
        return sorted(sorted(ids) for ids in found.values() if len(ids) > 1)


def clusters(store: Store, user: User, entity: str,
             progress: Callable[[int], None] | None = None) -> list[Cluster]:
    """The clusters of likely duplicates among `entity`'s records that `user` reads."""
    joined = Groups()
    titles: dict[int, str] = {}

    after: str | None = None
    while True:
        page = store.list(user, entity, sort=("id",), limit=PAGE, after=after,
                          with_total=False)
        for record in page.items:
            for found in store.likely_duplicates(user, entity, record, exclude=record["id"]):
                titles[found.record_id] = found.title
                titles.setdefault(record["id"], str(record["id"]))
                joined.join(found.record_id, record["id"])
        if progress is not None:
            progress(len(page.items))
        if page.next_cursor is None:
            break
        after = page.next_cursor
    return [Cluster(tuple(ids), tuple(titles.get(i, str(i)) for i in ids))
            for ids in joined.groups()]
