"""Run a pure function over many items on every core, in processes forked from this one.

Linking (alignment of candidate pairs, per-document analysis) and the index's commit (encoding
each term's postings) are CPU-bound Python with no shared state to update while they run, so the
simplest parallelism fits: fork, let each child
compute contiguous chunks of the items from the memory it inherited (no input is pickled),
send its results back through a pipe, and put them in input order. The result is the same as
``[fn(x) for x in items]`` whatever the number of workers, so links stay deterministic.

The chunks are handed out on demand, so that no core idles while another finishes: this
process takes them from the front and the workers from the back, and they shrink as the items
run out (guided scheduling: the first are large, so that taking a chunk and sending its results
are rare, and the last small, so that the processes finish within a small chunk's time of each
other). A worker sends each chunk's results as soon as they are made; this process unpickles
them between its own chunks (as costly as computing them, for pair alignments), so a worker
takes on more chunks meanwhile instead of idling while this process unpickles everything at
the end, and a share that turns out slower (longer texts, a core busy with something else)
does not hold the others up.
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import os
import pickle
import queue
import threading
import traceback
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from archive.heap import release_free_memory

T = TypeVar("T")
R = TypeVar("R")

# Below this many items a fork costs more than it saves.
MIN_ITEMS_PER_WORKER = 500
ORPHAN_CHECK_EVERY = 50
# Environment override, e.g. ARCHIVE_WORKERS=1 to keep everything in one process.
WORKERS_ENV = "ARCHIVE_WORKERS"


# True while this process computes a share of a forked map (the parent's or a worker's): the
# cores are taken, so work inside should not start threads of its own (see cores_free).
_forked_map_running = False


def cores_free() -> int:
    """How many threads work in this process may use: every core, unless a forked map already
    keeps them busy (then one)."""
    return 1 if _forked_map_running else worker_count()


def worker_count() -> int:
    """Cores this process may use (its CPU affinity), or ARCHIVE_WORKERS when set."""
    configured = os.environ.get(WORKERS_ENV, "").strip()
    if configured:
        try:
            return max(1, int(configured))
        except ValueError:
            raise ValueError(f"{WORKERS_ENV} must be a whole number, not {configured!r}") from None
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class WorkerError(RuntimeError):
    """A forked worker failed; carries the worker's own traceback."""


def map_forked(fn: Callable[[T], R], items: Sequence[T], workers: int | None = None,
               meanwhile: Callable[[], None] | None = None) -> list[R]:
    """``[fn(x) for x in items]``, computed by up to ``workers`` processes (this one included).

    ``fn`` may read anything this process holds at call time (children are forked, nothing is
    pickled on the way in); its results must pickle. Falls back to one process when there are
    few items, one core, or no ``fork`` start method. ``meanwhile``: see map_shares_forked.
    """
    parent = os.getpid()
    return map_shares_forked(lambda share: _compute(fn, share, parent), items, workers, meanwhile)


def map_shares_forked(fn: Callable[[Sequence[T]], list[R]], items: Sequence[T], workers: int | None = None,
                      meanwhile: Callable[[], None] | None = None) -> list[R]:
    """``fn`` applied to contiguous shares of ``items`` (chunks, see above), results joined in
    input order: for work that is cheaper done for many items at once (a sparse product over a
    batch of rows). ``fn(share)`` returns one result per item of the share, and ``fn(items)``
    must equal the joined results whatever the shares.

    ``meanwhile``: work of this process's own that ``fn`` does not need (the workers never see
    its effects), done once the workers have started and before this process takes its first
    chunk: serial work then runs beside theirs instead of before it, and the on-demand chunks
    even out the difference (the workers take every chunk if it lasts long enough)."""
    n = len(items)
    wanted = worker_count() if workers is None else max(1, workers)
    wanted = min(wanted, n // MIN_ITEMS_PER_WORKER)
    if wanted < 2 or "fork" not in mp.get_all_start_methods():
        if meanwhile is not None:
            meanwhile()
        return _checked(fn(items), n)
    global _forked_map_running
    outer = _forked_map_running
    _forked_map_running = True  # (the workers inherit it)
    try:
        return _map_shares(fn, items, wanted, meanwhile)
    finally:
        _forked_map_running = outer


def _map_shares(fn: Callable[[Sequence[T]], list[R]], items: Sequence[T], wanted: int,
                meanwhile: Callable[[], None] | None) -> list[R]:
    n = len(items)
    bounds = _chunk_bounds(n, wanted)
    chunks: list[list[R] | None] = [None] * (len(bounds) - 1)
    context = mp.get_context("fork")
    # The next chunk from the front and from the back: the first is this process's, each
    # worker's first is one of the last (so each process has one whatever the timing). With
    # ``meanwhile`` to do first, this process keeps none: a worker that runs out of chunks before
    # it is done takes the first ones too.
    reserved = meanwhile is None
    ends = context.Array("i", [int(reserved), len(chunks) - wanted], lock=True)
    parent = os.getpid()
    # A worker maps every resident page of this process's heap, the free ones too (work before a
    # map frees much amid the heap: ~110 MB of a chunked linking run's ~250 MB at 200,000
    # documents): they go back to the system first.
    release_free_memory()
    children = []
    for k in range(1, wanted):
        receive, send = context.Pipe(duplex=False)
        _widen(send)
        child = context.Process(target=_child, args=(fn, items, bounds, len(chunks) - k, ends, send, parent),
                                daemon=True)
        child.start()
        send.close()  # the child holds its own copy; closing ours lets recv see its exit
        children.append((child, _Receiver(receive)))
    try:
        if meanwhile is not None:
            meanwhile()
        k = 0 if reserved else _take(ends, front=True)
        while k is not None:
            chunks[k] = _checked(fn(items[bounds[k]:bounds[k + 1]]), bounds[k + 1] - bounds[k])
            for _, receiver in children:
                receiver.unpack_into(chunks)
            k = _take(ends, front=True)
        for child, receiver in children:
            receiver.join()
            receiver.unpack_into(chunks)
            if not receiver.done:
                child.join()
                raise WorkerError(f"a worker process exited without a result (exit code {child.exitcode})")
    finally:
        for child, receiver in children:
            if child.is_alive():
                child.terminate()
            child.join()
            receiver.join()  # (it ends at the worker's exit) before its pipe end is closed
            receiver.receive.close()
    results: list[R] = []
    for k, chunk in enumerate(chunks):
        assert chunk is not None  # every worker sent all it took (checked above)
        results.extend(_checked(chunk, bounds[k + 1] - bounds[k]))
    return results


CHUNKS_SHRINK = 3  # a chunk is a 1/(CHUNKS_SHRINK * workers) share of the items left...
MIN_CHUNKS_PER_WORKER = 32  # ...and no smaller than a 1/(MIN_CHUNKS_PER_WORKER * workers) share of all
MIN_CHUNK_ITEMS = 64  # fewer items than this many per chunk a worker: one share each, as many as workers


def _chunk_bounds(n: int, workers: int) -> list[int]:
    """Boundaries of the chunks of ``n`` items (at least ``workers`` chunks). In the order
    they are taken, each is a 1/(CHUNKS_SHRINK * workers) share of the items left, none smaller
    than a 1/(MIN_CHUNKS_PER_WORKER * workers) share of all; every other one goes to the front,
    the others to the back, so the smallest meet in the middle."""
    if n < workers * MIN_CHUNK_ITEMS:
        return [n * k // workers for k in range(workers + 1)]
    smallest = max(MIN_CHUNK_ITEMS, n // (MIN_CHUNKS_PER_WORKER * workers))
    sizes: list[int] = []
    left = n
    while left:
        sizes.append(min(left, max(smallest, left // (CHUNKS_SHRINK * workers))))
        left -= sizes[-1]
    while len(sizes) < workers:
        big = sizes.index(max(sizes))
        sizes[big:big + 1] = [sizes[big] // 2, sizes[big] - sizes[big] // 2]
    front, back = sizes[0::2], sizes[1::2]
    return [0, *itertools.accumulate(front + back[::-1])]


def _take(ends: Any, front: bool) -> int | None:
    """The index of the next chunk nobody has taken from the front (or the back); None when
    every chunk is taken."""
    with ends.get_lock():
        if ends[0] > ends[1]:
            return None
        if front:
            ends[0] += 1
            return int(ends[0] - 1)
        ends[1] -= 1
        return int(ends[1] + 1)


def _widen(send: Any) -> None:
    """Give a worker's pipe the largest buffer allowed (Linux), so that it seldom waits while
    the receiving thread waits for the interpreter lock (see _Receiver)."""
    try:
        import fcntl
        with open("/proc/sys/fs/pipe-max-size") as fh:
            fcntl.fcntl(send.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), int(fh.read()))
    except (OSError, ValueError, ImportError):
        pass  # the default buffer works too, with more waits


class _Receiver(threading.Thread):
    """Reads a worker's messages as they arrive, so that its sends never wait for this
    process to finish a chunk of its own: reading a pipe releases the interpreter lock, and
    the messages are unpickled later by the main thread (unpack_into), between its chunks."""

    def __init__(self, receive: Any) -> None:
        super().__init__(daemon=True)
        self.receive = receive
        self.messages: queue.SimpleQueue[bytes] = queue.SimpleQueue()
        self.done = False  # the worker said it sent all it took (see _DONE)
        self.start()

    def run(self) -> None:
        while True:
            try:
                data = self.receive.recv_bytes()
            except (EOFError, OSError):
                return
            if data == _DONE:
                self.done = True
                return
            self.messages.put(data)

    def unpack_into(self, chunks: list[Any]) -> None:
        """Put the chunks received so far in place; raises a worker's error."""
        while not self.messages.empty():
            status, k, value = pickle.loads(self.messages.get())
            if status != "ok":
                raise WorkerError(f"a worker process failed:\n{value}")
            chunks[k] = value


# A worker's last message: all it took is sent.
_DONE = b"done"


def _child(fn: Callable[[Sequence[Any]], list[Any]], items: Sequence[Any], bounds: list[int], first: int,
           ends: Any, send: Any, parent: int) -> None:
    # Keep only the standard streams and this worker's own pipe end. Inherited descriptors would
    # keep the archive's write lock alive, and the read ends of the pipes (its own and earlier
    # workers') would let a send block for ever, if the parent is killed: the next command
    # would find the archive locked by a worker nobody waits for.
    keep = send.fileno()
    os.closerange(3, keep)
    os.closerange(keep + 1, _max_fd())
    k: int | None = first
    try:
        while k is not None:
            payload = ("ok", k, fn(items[bounds[k]:bounds[k + 1]]))
            send.send_bytes(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
            if os.getppid() != parent:
                return  # the parent was killed: stop now rather than do work nobody will read
            k = _take(ends, front=False)
        send.send_bytes(_DONE)
    except BaseException:
        try:
            send.send_bytes(pickle.dumps(("error", k, traceback.format_exc()), protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            pass  # the parent is gone
    finally:
        send.close()
        # Skip the parent's atexit handlers and buffered output, inherited by fork.
        os._exit(0)


def _checked(results: list[R], expected: int) -> list[R]:
    if len(results) != expected:  # a share function that drops items would shift all later results
        raise WorkerError(f"a share of {expected} items gave {len(results)} results")
    return results


def _max_fd() -> int:
    try:
        return int(os.sysconf("SC_OPEN_MAX"))
    except (ValueError, OSError):
        return 65536


def _compute(fn: Callable[[Any], Any], share: Sequence[Any], parent: int) -> list[Any]:
    out = []
    in_child = os.getpid() != parent
    for k, x in enumerate(share):
        if in_child and k % ORPHAN_CHECK_EVERY == 0 and os.getppid() != parent:
            # The parent was killed: stop now rather than finish work nobody will read.
            os._exit(1)
        out.append(fn(x))
    return out


__all__ = ["MIN_ITEMS_PER_WORKER", "WORKERS_ENV", "WorkerError", "cores_free", "map_forked", "map_shares_forked",
           "worker_count"]
