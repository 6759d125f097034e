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
    folder = corpus(tmp_path / "in", 6)
    build = kg("build", str(folder), "--jobs", "2", "-o", str(tmp_path / "out"), "--no-html", "--no-validate",
               stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)  # fmt: skip
    with build:
        children: set[int] = set()
        try:
            # Wait until the workers run (two processes of kg's own beside the resource tracker);
            # no progress is printed to a pipe, so watch /proc instead.
            deadline = time.monotonic() + 60
            while build.poll() is None and time.monotonic() < deadline and len(children) < 3:
                time.sleep(0.05)
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


# A store build in a process of its own: a small batch, so that the store is written after
# nearly every file; a line on stdout after each file merged (the points to kill it at). With
# --wait it waits for a line on stdin once it holds the store, with --hold after the first file.
STORE_BUILD = """
import sys
from kg.builder import build_corpus
from kg.store import GraphStore

store = GraphStore(sys.argv[1])
store.batch = 300
print("open", flush=True)
if sys.argv[2] == "--wait":
    sys.stdin.readline()
def merged(done, total, name, articles=0):
    print("merged", done, flush=True)
    if sys.argv[2] == "--hold" and done == 1:  # the first file is in the store, its labels are not
        sys.stdin.readline()

build_corpus(sys.argv[3:], store=store, progress=merged)
store.close()
print("done", flush=True)
"""
TRIALS = 20
LABELS_PER_ENTITY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX kg: <https://w3id.org/parkkg/ontology#>
SELECT ?x WHERE { VALUES ?c { kg:Park kg:Enterprise kg:Policy kg:Person kg:GovernmentBody kg:Place kg:Post }
  ?x a ?c . OPTIONAL { ?x rdfs:label ?l } } GROUP BY ?x HAVING (COUNT(?l) != 1)"""


def store_build(store: Path, files: list[Path], *, wait: bool = False, hold: bool = False) -> subprocess.Popen:
    mode = "--wait" if wait else "--hold" if hold else "--go"
    return subprocess.Popen(
        [sys.executable, "-c", STORE_BUILD, str(store), mode, *map(str, files)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip


def contents(store_dir: Path) -> tuple[set, set]:
    from kg.store import GraphStore

    with GraphStore(store_dir) as store:
        return set(store.quads()), set(store.triples())


def test_kill_9_at_random_points_then_read_then_rebuild(tmp_path, segmenter, capsys):
    """kill -9 a store build at random points; every reading command answers from a consistent
    store (each entity one label) before any rebuild; the rebuild equals a clean build."""
    import random

    from kg.builder import build_corpus
    from kg.cli import main
    from kg.query import run
    from kg.store import is_store

    files = sorted(corpus(tmp_path / "in", 1).glob("*.txt"))[:8]
    clean = tmp_path / "clean"
    build_corpus(files, segmenter=segmenter, store=clean).store.close()
    expected = contents(clean)
    chance = random.Random(16)
    failures = []
    for trial in range(TRIALS):
        store = tmp_path / f"store{trial}"
        if trial % 2:  # half the trials start from a store that holds some of the files already
            build_corpus(files[: 1 + trial % 4], segmenter=segmenter, store=store).store.close()
        after, pause = chance.randint(0, len(files)), chance.uniform(0, 0.3)
        with store_build(store, files) as build:
            for line in build.stdout:
                if (line.startswith("merged") and int(line.split()[1]) >= after) or line.startswith("done"):
                    break
            time.sleep(pause)  # somewhere inside the next file, batch or the labels
            build.kill()
            build.wait()
            build.stdout.read()
        if is_store(store):
            for command in (["query", "park-enterprises", "--format", "csv"], ["stats"]):
                code = main([*command, "--store", str(store)])
                captured = capsys.readouterr()
                if code != 0:
                    failures.append((trial, command[0], code, captured.err))
            unlabelled = run(str(store), LABELS_PER_ENTITY).records()
            if unlabelled:
                failures.append((trial, "labels", len(unlabelled)))
        build_corpus(files, segmenter=segmenter, store=store).store.close()
        if contents(store) != expected:
            failures.append((trial, "rebuild differs", after, pause))
    assert not failures, failures


def test_a_second_writer_is_refused_and_the_first_completes(tmp_path, capsys):
    from kg.cli import main

    files = sorted(corpus(tmp_path / "in", 1).glob("*.txt"))[:2]
    store = tmp_path / "store"
    with store_build(store, files, wait=True) as first:
        assert first.stdout.readline().strip() == "open"  # the first build holds the store
        code = main(["build", str(files[0]), "--store", str(store), "--no-output", "--no-html", "--no-validate"])
        assert code == 1 and "another kg is writing" in capsys.readouterr().err
        first.stdin.write("\n")
        first.stdin.flush()
        assert first.stdout.read().split()[-1] == "done" and first.wait() == 0
    assert main(["query", "park-enterprises", "--store", str(store), "--format", "csv"]) == 0
    assert len(capsys.readouterr().out.splitlines()) > 1


def test_a_reader_during_a_build_is_told_to_wait(tmp_path, capsys):
    """kg query --store while a build holds the store, before it writes and with an update half
    done: "a build is writing" (exit 1, no rows), the store untouched by the reader; the new
    store once the build has ended."""
    from kg.builder import build_corpus
    from kg.cli import main

    files = sorted(corpus(tmp_path / "in", 1).glob("*.txt"))[:4]
    store = tmp_path / "store"
    build_corpus(files[:1], store=store).store.close()
    query = ["query", "park-enterprises", "--store", str(store), "--format", "csv"]
    assert main(query) == 0
    before = capsys.readouterr().out
    with store_build(store, files[1:], hold=True) as build:
        try:
            waiting = f"kg: {store}: a build is writing to this store; read it once the build has ended\n"
            assert build.stdout.readline().strip() == "open"  # holds the store, has written nothing
            assert main(query) == 1 and capsys.readouterr() == ("", waiting)
            assert build.stdout.readline().strip() == "merged 1"  # a file in the store, its labels not
            for command in (query, ["stats", "--store", str(store)], ["validate", "--store", str(store)]):
                assert main(command) == 1 and capsys.readouterr() == ("", waiting)
            build.stdin.write("\n")
            build.stdin.flush()
            assert build.stdout.read().split()[-1] == "done" and build.wait() == 0
        finally:
            if build.poll() is None:
                build.kill()
    assert main(query) == 0
    after = capsys.readouterr().out
    assert len(after.splitlines()) > len(before.splitlines())


# -- disk full -----------------------------------------------------------------------------------
# A file size limit (RLIMIT_FSIZE) in the build's process makes every write past it fail with
# EFBIG, as a full disk fails with ENOSPC, and needs no root and no small filesystem; Python
# ignores SIGXFSZ, so the write raises OSError. The limits hit the manifest (SQLite), Oxigraph's
# files and the graph file written from an unchanged store.
def file_size_limit(size: int):
    import resource

    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


@pytest.fixture(scope="module")
def gold_stores(tmp_path_factory):
    """A store of half the gold files with its graph.ttl, a store of all of them, and its quads."""
    from kg.cli import main

    base = tmp_path_factory.mktemp("full")
    half = [str(source) for source in GOLD[: len(GOLD) // 2]]
    assert (
        main(
            [
                "build",
                *half,
                "--store",
                str(base / "half.store"),
                "-o",
                str(base / "half.out"),
                "-q",
                "--no-html",
                "--no-validate",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "build",
                *map(str, GOLD),
                "--store",
                str(base / "all.store"),
                "-o",
                str(base / "all.out"),
                "-q",
                "--no-html",
                "--no-validate",
            ]
        )
        == 0
    )
    return base, contents(base / "all.store")


@pytest.mark.parametrize(
    ("start", "limit"), [("half", 100_000), ("half", 300_000), ("half", 600_000), ("all", 300_000)]
)
def test_disk_full_says_so_and_keeps_the_store_and_the_graph(tmp_path, gold_stores, capsys, start, limit):
    """A build that runs out of room: one line naming the store or file and the reason, exit 1,
    the earlier graph.ttl as it was and nothing half written beside it; the store answers
    readers, and the next build (with room) gives what a clean build gives."""
    from kg.cli import main

    base, expected = gold_stores
    store, out = tmp_path / "store", tmp_path / "out"
    shutil.copytree(base / f"{start}.store", store)
    shutil.copytree(base / f"{start}.out", out)
    before = (out / "graph.ttl").read_bytes()
    build = subprocess.run(
        [sys.executable, "-m", "kg.cli", "build", *map(str, GOLD), "--store", str(store), "-o", str(out), "-q", "--no-html", "--no-validate"],
        cwd=ROOT, capture_output=True, text=True, preexec_fn=file_size_limit(limit), timeout=300,
    )  # fmt: skip
    assert build.returncode == 1, build.stderr
    lines = build.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in build.stderr, build.stderr
    assert lines[0].startswith(f"kg: {store}" if start == "half" else f"kg: {out / 'graph.ttl'}: cannot be written")
    assert "a file size limit was reached" in lines[0]
    assert (out / "graph.ttl").read_bytes() == before
    assert sorted(path.name for path in out.iterdir()) == ["graph.ttl"]  # no temporary file left
    for command in (["query", "park-enterprises", "--format", "csv"], ["stats"], ["validate"]):
        assert main([*command, "--store", str(store)]) == 0, capsys.readouterr().err
    assert run_labels_check(store) == []
    assert (
        main(["build", *map(str, GOLD), "--store", str(store), "-o", str(out), "-q", "--no-html", "--no-validate"]) == 0
    )
    assert contents(store) == expected
    assert (out / "graph.ttl").read_bytes() == (base / "all.out" / "graph.ttl").read_bytes()


def run_labels_check(store: Path) -> list:
    from kg.query import run

    return run(str(store), LABELS_PER_ENTITY).records()


def test_disk_full_in_the_build_spool_names_the_folder(tmp_path):
    """Without a store the article triples wait in a temporary file: a full temporary folder is named."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "graph.ttl").write_text("# an earlier graph\n", encoding="utf-8")
    build = subprocess.run(
        [sys.executable, "-m", "kg.cli", "build", *map(str, GOLD), "-o", str(out), "-q", "--no-html", "--no-validate"],
        cwd=ROOT, capture_output=True, text=True, preexec_fn=file_size_limit(20_000), timeout=300,
        env={**os.environ, "TMPDIR": str(tmp_path)},
    )  # fmt: skip
    assert build.returncode == 1 and "Traceback" not in build.stderr, build.stderr
    assert build.stderr.startswith(f"kg: {tmp_path} (the build's spool") and "set TMPDIR" in build.stderr
    assert (out / "graph.ttl").read_text(encoding="utf-8") == "# an earlier graph\n"
    assert sorted(path.name for path in out.iterdir()) == ["graph.ttl"]


# -- a read-only store ---------------------------------------------------------------------------
@pytest.fixture
def read_only(tmp_path):
    """Make a folder and its files unwritable: chmod, or for root (whom modes do not stop) the
    immutable attribute; undone at the end so that the folder can be removed."""
    made: list[Path] = []

    def lock(folder: Path) -> Path:
        if os.geteuid() != 0:
            for path in [folder, *folder.rglob("*")]:
                path.chmod(path.stat().st_mode & ~0o222)
        elif (
            shutil.which("chattr") is None
            or subprocess.run(["chattr", "-R", "+i", str(folder)], capture_output=True).returncode
        ):
            pytest.skip("running as root, and chattr +i (the only way to stop root writing) is not available here")
        made.append(folder)
        return folder

    yield lock
    for folder in made:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-R", "-i", str(folder)], check=True)
        else:
            for path in [folder, *folder.rglob("*")]:
                path.chmod(path.stat().st_mode | 0o200)


def test_a_read_only_store_is_read_and_not_built(tmp_path, gold_stores, read_only, capsys):
    """Every reader answers from a store it may not write; a build says it needs write access."""
    from kg.cli import main

    base, _ = gold_stores
    store = tmp_path / "store"
    shutil.copytree(base / "all.store", store)
    read_only(store)
    for command in (
        ["query", "park-enterprises", "--format", "csv"],
        ["stats"],
        ["validate"],
        ["viz", "-o", str(tmp_path / "v.html")],
    ):
        assert main([*command, "--store", str(store)]) == 0, capsys.readouterr().err
        assert capsys.readouterr().out
    code = main(["build", *map(str, GOLD[:2]), "--store", str(store), "--no-output", "--no-html", "--no-validate"])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"kg: {store}: cannot write to the store (") and "a build needs write access" in err


def test_a_read_only_store_cut_short_says_it_needs_write_access(tmp_path, gold_stores, read_only, capsys):
    """A store whose last update was cut short is put right before it is read; a reader that
    may not write says so instead of answering from half an update."""
    import sqlite3

    from kg.cli import main

    base, _ = gold_stores
    store = tmp_path / "store"
    shutil.copytree(base / "all.store", store)
    with sqlite3.connect(store / "manifest.sqlite") as db:  # labels not yet recomputed: as after kill -9
        db.execute("INSERT INTO dirty_names SELECT ident FROM names LIMIT 1")
    read_only(store)
    assert main(["query", "park-enterprises", "--store", str(store)]) == 1
    err = capsys.readouterr().err
    assert "the last update was cut short" in err and "needs write access" in err and "Traceback" not in err
