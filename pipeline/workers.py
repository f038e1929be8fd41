"""Pure work on other cores, in order, one chunk ahead: how bulk imports and re-normalising use
every core while the database, which one process writes, takes the results.

`ahead(function, chunks, jobs)` yields each chunk beside `function` applied to each of its items.
With `jobs` > 1, from the second chunk on, worker processes work on the next chunk while the
caller handles this one; a single chunk (a small import) never starts a process. Workers are
spawned, not forked: they inherit no open database, lock or thread, and each one ends when the
process that started it dies, even by SIGKILL.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, islice
from multiprocessing.connection import wait
from typing import Any, TypeVar

Item = TypeVar("Item")


# Measured on 2 cores: a worker normalises about 450 offers a second and the one process that
# stores them takes about 800 a second; past a few workers the others would wait on it, and each
# holds its vocabularies (about 70 MB).
MOST_JOBS = 4


def default_jobs() -> int:
    """Every usable core, up to MOST_JOBS."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return min(cores, MOST_JOBS)


def chunked(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def ahead(
    function: Callable[[Item], Any], chunks: Iterable[list[Item]], jobs: int
) -> Iterator[tuple[list[Item], list[Any]]]:
    """Each chunk and `function` of each of its items, in order. `function` must be a module's
    top-level function (workers import it by name) and its items and results picklable."""
    iterator = iter(chunks)
    first = next(iterator, None)
    if first is None:
        return
    second = next(iterator, None)
    if jobs <= 1 or second is None:
        for chunk in chain([first], [] if second is None else [second], iterator):
            yield chunk, [function(item) for item in chunk]
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(jobs, initializer=_end_with_parent) as pool:
        pending = [(c, pool.map_async(function, c)) for c in (first, second)]
        for chunk in iterator:
            done, result = pending.pop(0)
            pending.append((chunk, pool.map_async(function, chunk)))
            yield done, result.get()
        for done, result in pending:
            yield done, result.get()


def _end_with_parent() -> None:
    """In a worker: exit as soon as the parent process is gone (its sentinel becomes ready)."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="end-with-parent").start()
