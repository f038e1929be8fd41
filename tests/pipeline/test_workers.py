"""Work on other cores, in order, one chunk ahead (pipeline/workers.py)."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from pipeline import workers
from pipeline.workers import MOST_JOBS, ahead, chunked, default_jobs


def square(n):
    return n * n


def worker_pid(_):
    return os.getpid()


def test_chunks_come_back_in_order_with_their_results_on_other_processes():
    chunks = list(chunked(range(23), 5))
    assert [len(c) for c in chunks] == [5, 5, 5, 5, 3]
    out = list(ahead(square, chunks, jobs=2))
    assert [chunk for chunk, _ in out] == chunks
    assert [results for _, results in out] == [[n * n for n in c] for c in chunks]
    pids = {pid for _, found in ahead(worker_pid, chunked(range(40), 4), 2) for pid in found}
    assert os.getpid() not in pids and 1 <= len(pids) <= 2


def test_default_jobs_is_every_usable_core_up_to_a_few(monkeypatch):
    monkeypatch.setattr(workers.os, "sched_getaffinity", lambda _: set(range(64)), raising=False)
    assert default_jobs() == MOST_JOBS
    monkeypatch.setattr(workers.os, "sched_getaffinity", lambda _: {0}, raising=False)
    assert default_jobs() == 1


@pytest.mark.parametrize("chunks, jobs", [([[1, 2, 3]], 4), ([[1], [2], [3]], 1), ([], 4)])
def test_one_chunk_or_one_job_starts_no_process(monkeypatch, chunks, jobs):
    def refuse(*_):
        raise AssertionError("a process was started")

    monkeypatch.setattr(workers.multiprocessing, "get_context", refuse)
    out = list(ahead(square, chunks, jobs))
    assert out == [(c, [n * n for n in c]) for c in chunks]
    assert [pid for _, found in ahead(worker_pid, chunks, jobs) for pid in found] == [
        os.getpid()
    ] * sum(map(len, chunks))


@pytest.mark.parametrize("jobs, ahead_of_the_caller", [(1, 1), (2, 2)])
def test_chunks_are_read_as_they_are_needed(jobs, ahead_of_the_caller):
    read = []

    def endless():
        while len(read) < 50:  # a reader that runs ahead of the caller fails, not hangs
            read.append(len(read))
            yield [len(read)]
        raise AssertionError("chunks read far ahead of the caller")

    out = ahead(square, endless(), jobs)
    taken = [next(out) for _ in range(3)]
    assert taken == [([1], [1]), ([2], [4]), ([3], [9])]
    assert len(read) <= 3 + ahead_of_the_caller
    out.close()


def test_an_error_in_a_worker_reaches_the_caller():
    with pytest.raises(ZeroDivisionError):
        list(ahead(lambda_free_inverse, [[1], [0], [2]], 2))


def lambda_free_inverse(n):
    return 1 / n


STUCK = textwrap.dedent(
    """
    import multiprocessing, threading, time
    from pipeline.workers import ahead

    def stuck(n):
        time.sleep(600)

    def report():
        while len(multiprocessing.active_children()) < 2:
            time.sleep(0.05)
        print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)

    if __name__ == "__main__":
        threading.Thread(target=report, daemon=True).start()
        list(ahead(stuck, [[1], [2], [3]], 2))
    """
)


def ended(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return True
    return state in ("Z", "X")  # a zombie has ended; reaping it is its new parent's business


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_end_when_their_parent_is_killed(tmp_path):
    script = tmp_path / "stuck.py"
    script.write_text(STUCK)
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    process = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, env=env
    )
    pids = [int(p) for p in process.stdout.readline().split()]
    assert len(pids) == 2
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not all(map(ended, pids)):
        time.sleep(0.1)
    assert all(map(ended, pids))
