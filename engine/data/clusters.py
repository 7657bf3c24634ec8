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


def clusters(store: Store, user: User, entity: str,
             progress: Callable[[int], None] | None = None) -> list[Cluster]:
    """The clusters of likely duplicates among `entity`'s records that `user` reads."""
    parent: dict[int, int] = {}
    titles: dict[int, str] = {}

    def root(node: int) -> int:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    after: str | None = None
    while True:
        page = store.list(user, entity, sort=("id",), limit=PAGE, after=after,
                          with_total=False)
        for record in page.items:
            for found in store.likely_duplicates(user, entity, record, exclude=record["id"]):
                titles[found.record_id] = found.title
                titles.setdefault(record["id"], str(record["id"]))
                parent[root(found.record_id)] = root(record["id"])
        if progress is not None:
            progress(len(page.items))
        if page.next_cursor is None:
            break
        after = page.next_cursor
    groups: dict[int, list[int]] = {}
    for node in parent:
        groups.setdefault(root(node), []).append(node)
    found_clusters = [sorted(ids) for ids in groups.values() if len(ids) > 1]
    return [Cluster(tuple(ids), tuple(titles.get(i, str(i)) for i in ids))
            for ids in sorted(found_clusters)]
