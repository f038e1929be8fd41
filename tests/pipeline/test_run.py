"""`botjobs run` and `botjobs schedule`: the main job, its lock, and surviving a kill."""

import os
import signal
import subprocess
import sys
import time

import click
import pytest

from db.migrations import open_db
from pipeline.cli import parse_every
from pipeline.lock import Busy, exclusive_run


def botjobs(*args, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, timeout=180,
        **kwargs,
    )  # fmt: skip


def test_run_prints_the_best_new_matches_then_nothing_new(tmp_path):
    path = str(tmp_path / "r.db")
    first = botjobs("--db", path, "run", "--offline", "--top", "3")
    assert first.returncode == 0, first.stderr
    assert "3 best new matches for Chargé de projet chatbot:" in first.stdout
    scores = [int(line.split()[0]) for line in first.stdout.splitlines() if " — " in line]
    assert len(scores) == 3 and scores == sorted(scores, reverse=True) and scores[0] >= 80
    second = botjobs("--db", path, "run", "--offline")
    assert "no new offers matched Chargé de projet chatbot this time" in second.stdout
    db = open_db(path)
    assert db["matches"].count == db["offers"].count > 354


def test_quiet_run_prints_nothing_when_all_is_well(tmp_path):
    result = botjobs("--db", str(tmp_path / "q.db"), "run", "--offline", "--quiet")
    assert result.returncode == 0 and result.stdout == ""


def test_two_runs_never_overlap(tmp_path):
    path = str(tmp_path / "l.db")
    with exclusive_run(path):
        with pytest.raises(Busy), exclusive_run(path):
            pass
        result = botjobs("--db", path, "crawl", "--offline")
    assert result.returncode == 1
    assert f"another botjobs run (pid {os.getpid()}) is using {path}" in result.stderr
    with exclusive_run(path):  # released, taken again
        pass


def test_a_killed_run_leaves_the_database_whole_and_the_next_completes(tmp_path):
    path = str(tmp_path / "k.db")
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "--db", path, "run", "--offline", "-q"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (tmp_path / "k.db").exists():
        time.sleep(0.05)
    time.sleep(1.0)  # somewhere in the crawl
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    db = open_db(path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    orphans = db.execute(
        "select count(*) from offers where id not in (select offer_id from listings)"
    ).fetchone()[0]
    assert orphans == 0  # an offer and its listing are written together or not at all
    db.close()
    again = botjobs("--db", path, "run", "--offline", "-q")
    assert again.returncode == 0, again.stderr
    db = open_db(path)
    statuses = {r["status"] for r in db["crawl_runs"].rows}
    assert "running" not in statuses
    complete = db["offers"].count
    db.close()
    # The run after the kill completed the work: one more finds nothing new.
    botjobs("--db", path, "run", "--offline", "-q")
    db = open_db(path)
    last_batch = db.execute("select batch from crawl_runs order by id desc limit 1").fetchone()[0]
    assert (
        db.execute("select sum(new) from crawl_runs where batch = ?", [last_batch]).fetchone()[0]
        == 0
    )
    assert db["offers"].count == complete


def test_schedule_runs_and_logs(tmp_path):
    path = str(tmp_path / "s.db")
    log = tmp_path / "s.log"
    result = botjobs(
        "--db", path, "schedule", "--every", "1h", "--offline", "--times", "1", "--log", str(log)
    )
    assert result.returncode == 0, result.stderr
    text = log.read_text("utf-8")
    assert "--- run 1 ended with status 0" in text
    assert "france_travail   partial" in text
    db = open_db(path)
    # Every source ran once: each has its run, and the offers are those runs' new ones.
    runs = list(db["crawl_runs"].rows)
    assert {r["source"] for r in runs} >= {"france_travail", "apec", "wttj", "jobposting"}
    assert db["listings"].count == sum(r["new"] for r in runs)


@pytest.mark.parametrize("text, seconds", [("6h", 21600), ("30m", 1800), ("1d", 86400)])
def test_every(text, seconds):
    assert parse_every(text) == seconds


@pytest.mark.parametrize("text", ["6", "h", "10s", "six hours", "-1h"])
def test_every_refuses_nonsense(text):
    with pytest.raises(click.BadParameter):
        parse_every(text)
