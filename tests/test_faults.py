"""Faults: signals, kill -9 in the middle of a store build, two builds on one store.

Each test runs kg as a separate process and acts on what it prints (never on the clock): a
signal is sent once the build has merged a file, a kill once the store has taken a batch.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLD = sorted((ROOT / "tests" / "gold").glob("*.txt"))


def corpus(folder: Path, copies: int) -> Path:
    """The gold articles ``copies`` times over (each copy a different article), as a folder of files."""
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(copies):
        for source in GOLD:
            text = source.read_text(encoding="utf-8")
            (folder / f"{number:02d}_{source.name}").write_text(text + ("\n（完）" * number), encoding="utf-8")
    return folder


def kg(*args: str, **options) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kg.cli", *args], cwd=ROOT, **options)


def descendants(pid: int) -> set[int]:
    """The processes started by ``pid``, and theirs, from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rpartition(")")[2].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def wait_gone(pids: set[int], patience: float = 60.0) -> set[int]:
    """The processes of ``pids`` still running once they all ended or ``patience`` seconds passed."""
    end = time.monotonic() + patience
    while any(alive(pid) for pid in pids) and time.monotonic() < end:
        time.sleep(0.1)
    return {pid for pid in pids if alive(pid)}


@pytest.mark.parametrize(("name", "signum", "code"), [("SIGTERM", signal.SIGTERM, 143), ("SIGINT", signal.SIGINT, 130)])
def test_a_signal_stops_the_build_and_its_workers(tmp_path, name, signum, code):
    """kg build --jobs 2 stopped by a signal ends, and leaves no worker (nor resource tracker) behind."""
    folder = corpus(tmp_path / "in", 2)
    build = kg("build", str(folder), "--jobs", "2", "-o", str(tmp_path / "out"), "--no-html", "--no-validate",
               stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)  # fmt: skip
    with build:
        children: set[int] = set()
        try:
            for line in build.stderr:  # the first progress line: a file has been merged, the workers run
                if line.startswith("["):
                    break
            children = descendants(build.pid)
            assert children, "the build started no worker"
            build.send_signal(signum)
            returned = build.wait()
            left = wait_gone(children)
        finally:  # nothing of this test outlives it, whatever went wrong
            if build.poll() is None:
                build.kill()
            for pid in children | descendants(build.pid):
                if alive(pid):
                    os.kill(pid, signal.SIGKILL)
        rest = build.stderr.read()  # (a worker left behind would hold the pipe open)
        assert returned == code, rest
        assert "interrupted" in rest
        assert not left, f"{name} left processes behind"
