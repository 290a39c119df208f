"""Run a pure function over many items on every core, in processes forked from this one.

Linking is CPU-bound Python (alignment of candidate pairs, per-document analysis) and has no
shared state to update while it runs, so the simplest parallelism fits: fork, let each child
compute a contiguous share of the items from the memory it inherited (no input is pickled),
send its results back through a pipe, and put them in input order. The result is the same as
``[fn(x) for x in items]`` whatever the number of workers, so links stay deterministic.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import pickle
import traceback
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many items a fork costs more than it saves.
MIN_ITEMS_PER_WORKER = 500
ORPHAN_CHECK_EVERY = 50
# Environment override, e.g. ARCHIVE_WORKERS=1 to keep everything in one process.
WORKERS_ENV = "ARCHIVE_WORKERS"


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


def map_forked(fn: Callable[[T], R], items: Sequence[T], workers: int | None = None) -> list[R]:
    """``[fn(x) for x in items]``, computed by up to ``workers`` processes (this one included).

    ``fn`` may read anything this process holds at call time (children are forked, nothing is
    pickled on the way in); its results must pickle. Falls back to one process when there are
    few items, one core, or no ``fork`` start method.
    """
    parent = os.getpid()
    return map_shares_forked(lambda share: _compute(fn, share, parent), items, workers)


def map_shares_forked(fn: Callable[[Sequence[T]], list[R]], items: Sequence[T], workers: int | None = None) -> list[R]:
    """``fn`` applied to contiguous shares of ``items``, one share per process, results joined in
    input order: for work that is cheaper done for many items at once (a sparse product over a
    batch of rows). ``fn(share)`` returns one result per item of the share, and ``fn(items)``
    must equal the joined results whatever the shares."""
    n = len(items)
    wanted = worker_count() if workers is None else max(1, workers)
    wanted = min(wanted, n // MIN_ITEMS_PER_WORKER)
    if wanted < 2 or "fork" not in mp.get_all_start_methods():
        return _checked(fn(items), n)
    bounds = [n * k // wanted for k in range(wanted + 1)]
    context = mp.get_context("fork")
    children = []
    for k in range(1, wanted):
        receive, send = context.Pipe(duplex=False)
        share = items[bounds[k]:bounds[k + 1]]
        child = context.Process(target=_child, args=(fn, share, send), daemon=True)
        child.start()
        send.close()  # the child holds its own copy; closing ours lets recv see its exit
        children.append((child, receive))
    try:
        results: list[R] = _checked(fn(items[bounds[0]:bounds[1]]), bounds[1])
        for k, (child, receive) in enumerate(children, start=1):
            results.extend(_checked(_collect(child, receive), bounds[k + 1] - bounds[k]))
    finally:
        for child, receive in children:
            receive.close()
            if child.is_alive():
                child.terminate()
            child.join()
    return results


def _checked(results: list[R], expected: int) -> list[R]:
    if len(results) != expected:  # a share function that drops items would shift all later results
        raise WorkerError(f"a share of {expected} items gave {len(results)} results")
    return results


def _child(fn: Callable[[Sequence[Any]], list[Any]], share: Sequence[Any], send: Any) -> None:
    # Keep only the standard streams and this worker's own pipe end. Inherited descriptors would
    # keep the archive's write lock alive, and the read ends of the pipes (its own and earlier
    # workers') would let a send block for ever, if the parent is killed: the next command
    # would find the archive locked by a worker nobody waits for.
    keep = send.fileno()
    os.closerange(3, keep)
    os.closerange(keep + 1, _max_fd())
    try:
        payload = ("ok", fn(share))
    except BaseException:
        payload = ("error", traceback.format_exc())
    try:
        send.send_bytes(pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
    finally:
        send.close()
        # Skip the parent's atexit handlers and buffered output, inherited by fork.
        os._exit(0)


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


def _collect(child: Any, receive: Any) -> list[Any]:
    try:
        status, value = pickle.loads(receive.recv_bytes())
    except EOFError:
        child.join()
        raise WorkerError(f"a linking worker exited without a result (exit code {child.exitcode})") from None
    if status != "ok":
        raise WorkerError(f"a linking worker failed:\n{value}")
    return value


__all__ = ["MIN_ITEMS_PER_WORKER", "WORKERS_ENV", "WorkerError", "map_forked", "map_shares_forked", "worker_count"]
