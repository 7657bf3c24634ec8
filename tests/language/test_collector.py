"""Full garbage collections wait while a project is loaded and compiled."""

from __future__ import annotations

import gc
import threading

from guanxi.language.collector import collector_paused, sweep


def test_a_pause_leaves_the_thresholds_as_it_found_them() -> None:
    before = gc.get_threshold()
    with collector_paused():
        assert gc.get_threshold()[:2] == before[:2]
        assert gc.get_threshold()[2] > before[2]
    assert gc.get_threshold() == before


def test_nested_pauses_end_with_the_outermost() -> None:
    before = gc.get_threshold()
    with collector_paused():
        with collector_paused():
            pass
        assert gc.get_threshold() != before
    assert gc.get_threshold() == before


def test_a_pause_ends_when_its_block_fails() -> None:
    before = gc.get_threshold()
    try:
        with collector_paused():
            raise ValueError("boom")
    except ValueError:
        pass
    assert gc.get_threshold() == before


def test_pauses_in_several_threads_end_with_the_last() -> None:
    before = gc.get_threshold()
    entered, release = threading.Barrier(3), threading.Event()

    def pause() -> None:
        with collector_paused():
            entered.wait()
            release.wait()

    threads = [threading.Thread(target=pause) for _ in range(2)]
    for thread in threads:
        thread.start()
    entered.wait()
    assert gc.get_threshold() != before
    release.set()
    for thread in threads:
        thread.join()
    assert gc.get_threshold() == before


def test_an_explicit_collection_still_runs_during_a_pause() -> None:
    class Node:
        other: object = None

    with collector_paused():
        a, b = Node(), Node()
        a.other, b.other = b, a
        del a, b
        assert gc.collect() >= 2


def test_a_quiet_pause_stops_automatic_collection_until_it_ends() -> None:
    before = gc.get_threshold()
    with collector_paused(young=False):
        assert gc.get_threshold()[0] == 0
    assert gc.get_threshold() == before


def test_a_quiet_pause_inside_a_plain_one_gives_back_the_plain_pause() -> None:
    before = gc.get_threshold()
    with collector_paused():
        plain = gc.get_threshold()
        with collector_paused(young=False):
            assert gc.get_threshold()[0] == 0
        assert gc.get_threshold() == plain
    assert gc.get_threshold() == before


def test_a_sweep_collects_a_batchs_cycles_during_a_quiet_pause() -> None:
    class Node:
        other: object = None

    with collector_paused(young=False):
        gc.collect()
        a, b = Node(), Node()
        a.other, b.other = b, a
        del a, b
        sweep()
        assert not [o for o in gc.get_objects() if isinstance(o, Node)]
