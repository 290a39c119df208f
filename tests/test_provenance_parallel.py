"""Linking work spread over forked processes gives exactly the one-process result."""

from __future__ import annotations

import os

import pytest

from archive import parallel
from archive.parallel import WorkerError, map_forked, map_shares_forked, worker_count

from archive.provenance import build

from test_provenance import _as_json, _docs


def test_map_forked_equals_a_plain_map_in_input_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_ITEMS_PER_WORKER", 3)
    table = {k: k * k for k in range(40)}  # read from the parent's memory, never pickled in
    seen_pids: set[int] = set()

    def square(k: int) -> tuple[int, int]:
        return table[k], os.getpid()

    out = map_forked(square, list(range(40)), workers=3)
    assert [v for v, _ in out] == [k * k for k in range(40)]
    seen_pids.update(pid for _, pid in out)
    assert os.getpid() in seen_pids and len(seen_pids) == 3  # really ran in three processes


def test_map_shares_forked_joins_each_share_in_input_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_ITEMS_PER_WORKER", 3)

    def tagged(share: list[int]) -> list[tuple[int, int, int]]:
        return [(k * k, share[0], os.getpid()) for k in share]  # one call per share, in one process

    out = map_shares_forked(tagged, list(range(40)), workers=3)
    assert [v for v, _, _ in out] == [k * k for k in range(40)]
    assert sorted({first for _, first, _ in out}) == [0, 13, 26]  # contiguous shares
    assert len({pid for _, _, pid in out}) == 3


def test_meanwhile_runs_once_in_this_process_beside_the_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_ITEMS_PER_WORKER", 3)
    done: list[int] = []

    def record(k: int) -> tuple[int, int, bool]:
        return k, os.getpid(), bool(done)

    out = map_forked(record, list(range(40)), workers=2, meanwhile=lambda: done.append(os.getpid()))
    assert done == [os.getpid()]  # once, here
    assert [k for k, _, _ in out] == list(range(40))
    # This process computes only after it; the worker, forked before, never sees its effect.
    assert all(seen for _, pid, seen in out if pid == os.getpid())
    assert not any(seen for _, pid, seen in out if pid != os.getpid())
    assert {pid for _, pid, _ in out} - {os.getpid()}  # the worker computed its first chunk at least
    # One process (few items): still done, before the items.
    done.clear()
    out = map_forked(record, list(range(4)), workers=2, meanwhile=lambda: done.append(os.getpid()))
    assert done == [os.getpid()] and all(seen for _, _, seen in out)


def test_a_worker_takes_every_chunk_while_this_process_is_busy(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """No chunk waits for this process's meanwhile: a worker done with its own takes the rest."""
    import time

    monkeypatch.setattr(parallel, "MIN_ITEMS_PER_WORKER", 3)
    log = tmp_path / "computed"

    def record(k: int) -> int:
        with open(log, "a") as fh:
            fh.write(f"{k}\n")
        return os.getpid()

    def busy() -> None:  # until the worker has computed every item (or 20 s)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (not log.exists() or len(log.read_text().split()) < 400):
            time.sleep(0.01)

    pids = map_forked(record, list(range(400)), workers=2, meanwhile=busy)
    assert len(pids) == 400 and os.getpid() not in pids


def test_free_heap_pages_go_back_before_workers_fork_and_only_then(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_ITEMS_PER_WORKER", 3)
    forks: list[int] = []
    monkeypatch.setattr(parallel, "release_free_memory", lambda: forks.append(len(forks)) or True)
    assert map_forked(abs, list(range(-20, 20)), workers=2) == [abs(k) for k in range(-20, 20)]
    assert forks == [0]
    map_forked(abs, list(range(-20, 20)), workers=1)  # (no fork: nothing a worker would map)
    assert forks == [0]


def test_a_share_function_that_drops_items_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_ITEMS_PER_WORKER", 2)
    with pytest.raises(WorkerError, match="a share of 4 items gave 3 results"):
        map_shares_forked(lambda share: list(share)[:-1] if share[0] >= 4 else list(share), list(range(8)), workers=2)


def test_few_items_stay_in_this_process() -> None:
    out = map_forked(lambda k: os.getpid(), list(range(10)), workers=4)
    assert set(out) == {os.getpid()}


def test_a_failing_worker_raises_with_its_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_ITEMS_PER_WORKER", 2)

    def boom(k: int) -> int:
        if k == 7:
            raise ZeroDivisionError("item seven")
        return k

    with pytest.raises(WorkerError, match="item seven"):
        map_forked(boom, list(range(8)), workers=2)


def test_worker_count_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHIVE_WORKERS", "3")
    assert worker_count() == 3
    monkeypatch.setenv("ARCHIVE_WORKERS", "many")
    with pytest.raises(ValueError, match="ARCHIVE_WORKERS must be a whole number"):
        worker_count()


def test_links_are_the_same_in_one_process_and_in_several(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHIVE_WORKERS", "1")
    alone = _as_json(build(_docs()))
    monkeypatch.setenv("ARCHIVE_WORKERS", "2")
    monkeypatch.setattr(parallel, "MIN_ITEMS_PER_WORKER", 1)
    calls: list[tuple[str, int]] = []

    def counting(name: str):  # type: ignore[no-untyped-def]
        real = getattr(parallel, name)

        def count(fn, items, workers=None, meanwhile=None):  # type: ignore[no-untyped-def]
            calls.append((name, len(items)))
            return real(fn, items, workers, meanwhile)
        return count

    for name in ("map_forked", "map_shares_forked"):
        monkeypatch.setattr(f"archive.provenance.engine.{name}", counting(name))
    assert _as_json(build(_docs())) == alone
    # Documents, candidate choice, pair alignment, pair decisions and links' evidence (while
    # sources are chosen) all went through the workers; no link needed building again.
    assert [name for name, _ in calls] == ["map_forked", "map_shares_forked", "map_forked", "map_shares_forked",
                                           "map_forked", "map_forked"]
    assert all(n >= 2 for _, n in calls[:-1]) and calls[-1][1] == 0


def test_a_link_that_the_choice_of_sources_changed_is_built_again(monkeypatch: pytest.MonkeyPatch) -> None:
    from archive.provenance.engine import ProvenanceIndex
    from archive.provenance.pairs import Oriented

    index = ProvenanceIndex()
    index.update(_docs())
    # Two copies of one story: a spun pair, linked as related (the story is the closer source).
    first = index.result()
    assert index.pairs[(2, 4)].decision.relation == "spun"
    assert [l.relation for l in first.links if {l.derived_id, l.source_id} == {2, 4}] == ["related"]
    # Its link is built as a related pair's while sources are chosen; then the pair is chosen,
    # and another pair is turned round (as the family rules do with the pairs they promote).
    choose = ProvenanceIndex._choose_parents

    def choosing(self: ProvenanceIndex, oriented):  # type: ignore[no-untyped-def]
        parent = choose(self, oriented)
        parent[oriented[(2, 4)].derived] = (2, 4)
        o = oriented[(1, 2)]
        oriented[(1, 2)] = Oriented(o.derived, o.source, 1.0 - o.confidence, o.signals,
                                     tuple((y, x, "b" if s == "a" else "a") for x, y, s in o.examples))
        return parent

    monkeypatch.setattr(ProvenanceIndex, "_choose_parents", choosing)
    built_late = index.result(lambda planned: lambda link: True)  # (no link is built early for a caller that picks)
    links = index.result()
    assert _as_json(links) == _as_json(built_late)
    assert [l.relation for l in links.links if {l.derived_id, l.source_id} == {2, 4}] == ["spun"]
    assert [(l.derived_id, l.source_id) for l in links.links if {l.derived_id, l.source_id} == {1, 2}] == [(1, 2)]


def test_the_links_workers_fork_without_the_weights_kept_for_deciding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Building the links reads no containment or idf weight: those kept for the decisions and
    the choice of sources are dropped before its workers fork (each would map them too), and a
    later result() computes them again: the same links."""
    from archive.provenance import engine
    from archive.provenance.engine import ProvenanceIndex

    index = ProvenanceIndex()
    index.update(_docs())
    first = _as_json(index.result())
    kept: list[int] = []
    real = engine.map_forked

    def recording(fn, items, workers=None, meanwhile=None):  # type: ignore[no-untyped-def]
        kept.append(len(index._idf_cache) + len(index._opening_cache) + len(index._cont_cache))
        return real(fn, items, workers, meanwhile)

    monkeypatch.setattr(engine, "map_forked", recording)
    assert _as_json(index.result()) == first
    # The early evidence's workers fork while sources are chosen (which reads the weights); the
    # links' workers, last, without them.
    assert len(kept) == 2 and kept[0] > 0 and kept[1] == 0


_KILLED_PARENT = """
import fcntl, os, sys, time
from archive import parallel
parallel.MIN_ITEMS_PER_WORKER = 1
lock = open(sys.argv[1], "w")
fcntl.flock(lock, fcntl.LOCK_EX)  # as the archive's write lock
parent = os.getpid()

def work(k):
    if os.getpid() == parent:
        time.sleep(60)  # the parent's own share: it is killed in here
    return "x" * 100_000  # the worker's results overfill the pipe: its send blocks

print("ready", flush=True)
parallel.map_forked(work, list(range(8)), workers=2)
"""


def test_workers_of_a_killed_parent_exit_and_release_the_lock(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import fcntl
    import signal
    import subprocess
    import sys
    import time

    lock_path = tmp_path / "write.lock"
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_PARENT, str(lock_path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    time.sleep(1.0)  # the worker has finished its share and is blocked sending it
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    with open(lock_path, "w") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                assert time.monotonic() < deadline, "a worker of the killed parent still holds the lock"
                time.sleep(0.1)
