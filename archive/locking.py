"""One writer per archive home, across processes.

An ``flock`` on ``write.lock`` is released by the kernel when its holder dies, so a killed
ingest never leaves a stale lock behind.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from archive.errors import BusyError

# A home the user may not write to (a mounted copy, a colleague's folder) holds no lock file.
_READ_ONLY_HOME = {errno.EACCES, errno.EPERM, errno.EROFS}


@contextmanager
def write_lock(path: Path, *, wait: float = 60.0, poll: float = 0.1) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise BusyError(
                        f"another archive process is writing to {path.parent} "
                        f"(waited {wait:g}s); try again when it has finished, or wait longer (--wait SECONDS; Archive(lock_wait=SECONDS) in Python)"
                    ) from None
                time.sleep(poll)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)  # closing releases the flock


@contextmanager
def lock_if_writable(path: Path, *, wait: float = 60.0) -> Iterator[bool]:
    """The writer lock for a reader that wants no writer half-way through what it reads; True
    when held. A home this user cannot write to yields False without it: the reader goes on
    with the snapshot SQLite gives it (a writer there would have to be another user)."""
    with ExitStack() as stack:
        try:
            stack.enter_context(write_lock(path, wait=wait))
            locked = True
        except OSError as exc:
            if exc.errno not in _READ_ONLY_HOME:
                raise
            locked = False
        yield locked
