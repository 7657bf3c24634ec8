"""Change events: every committed write appends its events in the same transaction;
each named consumer takes them in order, exactly once, from several processes."""

from __future__ import annotations

import multiprocessing

import pytest
import sqlalchemy as sa
from guanxi.errors import ValidationFailed
from guanxi.store import events
from store_project import open_sales


@pytest.fixture
def sales(write_project, db_url):
    opened = open_sales(write_project, db_url)
    yield opened
    opened.store.dispose()


def taken(store, consumer="test"):
    with events.claim(store.engine, consumer, limit=1000) as batch:
        return batch


def test_each_kind_of_write_appends_one_event(sales):
    store, rep, manager = sales.store, sales.rep, sales.manager
    lead = store.create(rep, "lead", {"name": "Ann", "value": 5})
    store.update(rep, "lead", lead["id"], {"name": "Anna"})
    store.transition(rep, "lead", lead["id"], "contact")
    store.delete(manager, "lead", lead["id"])
    store.restore(manager, "lead", lead["id"])
    store.bulk_insert(rep, "lead", [{"name": "Bo"}, {"name": "Cy"}])
    kinds = [(e.kind, e.transition) for e in taken(store)]
    assert kinds == [("created", None), ("updated", None), ("transitioned", "contact"),
                     ("deleted", None), ("restored", None), ("created", None),
                     ("created", None)]


def test_an_event_carries_the_changed_fields_old_and_new_and_the_actor(sales):
    lead = sales.store.create(sales.rep, "lead", {"name": "Ann"})
    sales.store.update(sales.rep, "lead", lead["id"], {"name": "Anna"})
    update = taken(sales.store)[-1]
    assert (update.entity, update.record_id, update.user_id) == ("lead", lead["id"],
                                                                 sales.rep.id)
    assert update.changes == {"name": ["Ann", "Anna"]}


def test_a_refused_write_appends_no_event(sales):
    with pytest.raises(ValidationFailed):
        sales.store.create(sales.rep, "lead", {"name": ""})
    assert taken(sales.store) == []


def test_a_consumer_does_not_take_an_event_twice(sales):
    sales.store.create(sales.rep, "lead", {"name": "Ann"})
    assert len(taken(sales.store)) == 1
    assert taken(sales.store) == []


def test_each_consumer_takes_every_event(sales):
    sales.store.create(sales.rep, "lead", {"name": "Ann"})
    assert len(taken(sales.store, "mail")) == len(taken(sales.store, "search")) == 1


def test_events_of_a_failing_block_are_claimed_again(sales):
    sales.store.create(sales.rep, "lead", {"name": "Ann"})
    with pytest.raises(RuntimeError), events.claim(sales.store.engine, "mail"):
        raise RuntimeError("the mail server is down")
    assert len(taken(sales.store, "mail")) == 1


def _consume(url: str, consumer: str, out: multiprocessing.Queue) -> None:
    engine = sa.create_engine(url)
    got: list[int] = []
    while True:
        with events.claim(engine, consumer, limit=7) as batch:
            got.extend(e.id for e in batch)
        if not batch:
            break
    engine.dispose()
    out.put((consumer, got))


def test_several_processes_deliver_each_event_exactly_once_per_consumer(sales, db_url):
    sales.store.bulk_insert(sales.rep, "lead", [{"name": f"n{i}"} for i in range(150)])
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    workers = [context.Process(target=_consume, args=(db_url, consumer, out))
               for consumer in ("mail", "search") for _ in range(3)]
    for worker in workers:
        worker.start()
    results = [out.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    for consumer in ("mail", "search"):
        ids = [i for name, got in results if name == consumer for i in got]
        assert sorted(ids) == list(range(ids and min(ids), (ids and min(ids)) + 150))
        for name, got in results:
            assert name != consumer or got == sorted(got)
