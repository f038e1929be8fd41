"""One run at a time per database: a lock file beside it, held with flock.

The kernel drops the lock when the process ends, however it ends (crash, SIGKILL), so a killed
run never blocks the next one; the pid written in the file says who holds it.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class Busy(RuntimeError):
    """Another run holds the lock."""


def lock_path(db_path: str) -> Path:
    return Path(f"{db_path}.lock")


@contextmanager
def exclusive_run(db_path: str) -> Iterator[None]:
    path = lock_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "?"
        handle.close()
        raise Busy(f"another botjobs run (pid {holder}) is using {db_path}") from None
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()
