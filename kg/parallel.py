"""Per-file extraction here, in worker processes, or on a Dask cluster — results in input order.

A task is one input file (workers get them in small batches): its bytes go in, an
:class:`FileFacts` comes out (the file's articles as N-Triples plus the spellings their labels
need, see :class:`kg.graph.ArticleFacts`). Nothing of the text comes back, so the process that
merges holds triples and counts only. Results are yielded in input order whatever order the
tasks finish in, so every executor builds the same graph as a single process.

    serial      in this process (``jobs=1``)
    process     ``jobs`` worker processes on this machine; each builds its Segmenter once
    dask        the workers of a running Dask cluster (``pip install 'kg[dask]'``); the file
                bytes travel with the task, so workers need kg installed but not the files
"""

from __future__ import annotations

import hashlib
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .errors import InputError, UsageError

__all__ = ["EXECUTORS", "FileFacts", "Task", "extract_bytes", "map_files", "read_source"]

EXECUTORS = ("process", "dask")


@dataclass(slots=True)
class FileFacts:
    """What one input file gave: its articles as triples, or the reason it could not be read."""

    path: str
    digest: str = ""
    chars: int = 0
    articles: list[Any] = field(default_factory=list)  # list[kg.graph.ArticleFacts]
    problem: str | None = None  # the reason, when the file could not be read
    timings: dict[str, float] = field(default_factory=dict)

    def error(self) -> InputError | None:
        return InputError(self.path, self.problem) if self.problem is not None else None


@dataclass(slots=True)
class Task:
    """One file to extract: its path (as given, it becomes ``kg:sourceFile``) and its bytes."""

    path: str
    data: bytes | None = None
    problem: str | None = None  # set when even reading the bytes failed


def read_source(path: str, data: bytes) -> str:
    """The text of a file's bytes, exactly as :func:`kg.corpus.load_text` reads the file."""
    from .corpus import text_of_bytes

    return text_of_bytes(path, data)[0]


class _Worker:
    """What a worker keeps between tasks: its Segmenter and a GraphBuilder for the IRIs."""

    def __init__(self, base_iri: str, segmenter: Any = None, turtle: bool = False) -> None:
        from .graph import GraphBuilder
        from .segment import Segmenter

        self.segmenter = segmenter or Segmenter()
        self.builder = GraphBuilder(base_iri=base_iri)
        self.turtle = turtle  # also write each article's own triples as Turtle (for a Turtle output)
        self.lock = threading.Lock()

    def warm(self) -> None:
        self.segmenter.load()  # the dictionary now, not in the first task

    def run(self, task: Task) -> FileFacts:
        from .corpus import read_document
        from .pipeline import extract_document

        result = FileFacts(path=task.path)
        if task.problem is not None or task.data is None:
            result.problem = task.problem or "cannot be read"
            return result
        started = time.perf_counter()
        result.digest = hashlib.sha1(task.data).hexdigest()
        try:
            text = read_source(task.path, task.data)
            document = read_document(task.path, text=text)
        except InputError as error:
            result.problem = error.reason
            return result
        result.chars = len(document.text)
        read = time.perf_counter()
        with self.lock:  # one Segmenter per process: tasks on threads take turns
            extractions = extract_document(document, segmenter=self.segmenter)
        extracted = time.perf_counter()
        result.articles = [self.builder.facts(extraction, turtle=self.turtle) for extraction in extractions]
        done = time.perf_counter()
        result.timings = {"read": read - started, "extract": extracted - read, "triples": done - extracted}
        return result


def extract_bytes(path: str, data: bytes, *, base_iri: str, segmenter: Any = None) -> FileFacts:
    """Extract one file's bytes in this process (a fresh worker each call; for tests and tools)."""
    return _Worker(base_iri, segmenter).run(Task(path, data))


# Worker processes -------------------------------------------------------------------------
_PROCESS_WORKER: _Worker | None = None


def _init_process(base_iri: str, turtle: bool = False) -> None:
    """ProcessPoolExecutor initializer: Ctrl-C is the parent's business; build the Segmenter once."""
    global _PROCESS_WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _PROCESS_WORKER = _Worker(base_iri, turtle=turtle)
    _PROCESS_WORKER.warm()


def _run_in_process(batch: list[Task]) -> list[FileFacts]:
    assert _PROCESS_WORKER is not None, "worker not initialised"
    return [_PROCESS_WORKER.run(task) for task in batch]


# Dask workers: one _Worker per worker process and base IRI, made on first use.
_DASK_WORKERS: dict[str, _Worker] = {}
_DASK_LOCK = threading.Lock()


def _run_on_dask(batch: list[Task], base_iri: str, turtle: bool = False) -> list[FileFacts]:
    with _DASK_LOCK:
        worker = _DASK_WORKERS.get(f"{turtle} {base_iri}")
        if worker is None:
            worker = _DASK_WORKERS[f"{turtle} {base_iri}"] = _Worker(base_iri, turtle=turtle)
    return [worker.run(task) for task in batch]


# Reading and ordering ---------------------------------------------------------------------
def read_task(name: str) -> Task:
    """One file as a task: its bytes, or the reason they cannot be had (every build mode reads here)."""
    from .corpus import read_bytes

    try:
        return Task(name, read_bytes(name))
    except InputError as error:
        return Task(name, problem=error.reason)


def _tasks(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Task]:
    for path in paths:
        yield read_task(os.fspath(path))


#: A batch, the unit sent to a worker, ends at this many files or this many bytes, whichever
#: comes first: one file per message costs the parent more than merging its result. The first
#: batches are smaller (1, 1, 2, 2, 3, …) so that a handful of files still reaches every worker.
BATCH_FILES = 16
BATCH_BYTES = 256 * 1024


def _batches(tasks: Iterator[Task]) -> Iterator[list[Task]]:
    """Consecutive tasks grouped into batches, in order."""
    batch: list[Task] = []
    size = made = 0
    for task in tasks:
        batch.append(task)
        size += len(task.data or b"")
        if len(batch) >= min(BATCH_FILES, 1 + made // 2) or size >= BATCH_BYTES:
            yield batch
            batch, size, made = [], 0, made + 1
    if batch:
        yield batch


def _in_order(submit, tasks: Iterator[Task], window: int) -> Iterator[FileFacts]:
    """Submit batches of tasks ``window`` ahead and yield their results in submission order."""
    pending: deque = deque()
    for batch in _batches(tasks):
        pending.append(submit(batch))
        if len(pending) >= window:
            yield from pending.popleft().result()
    while pending:
        yield from pending.popleft().result()


def map_files(
    paths: Iterable[str | os.PathLike[str]],
    *,
    base_iri: str,
    jobs: int = 1,
    executor: str = "process",
    scheduler: str | None = None,
    segmenter: Any = None,
    tasks: Iterable[Task] | None = None,
    turtle: bool = False,
) -> Iterator[FileFacts]:
    """Extract every file and yield one :class:`FileFacts` per path, in input order.

    ``jobs=1`` with the process executor runs here (with ``segmenter`` if given); ``jobs>1``
    starts that many worker processes. ``executor="dask"`` sends the files to the Dask
    scheduler at ``scheduler`` (``tcp://host:8786``). ``tasks`` replaces reading ``paths``; ``turtle``
    also gives each article's own triples as Turtle (see :meth:`kg.graph.GraphBuilder.facts`).
    """
    todo = iter(tasks) if tasks is not None else _tasks(paths)
    if executor not in EXECUTORS:
        raise UsageError(f"unknown executor {executor!r}; choose one of {', '.join(EXECUTORS)}")
    if executor == "dask":
        yield from _map_dask(todo, base_iri=base_iri, scheduler=scheduler, turtle=turtle)
        return
    if jobs < 1:
        raise UsageError(f"--jobs {jobs}: give 1 or more worker processes")
    if jobs == 1:
        worker = _Worker(base_iri, segmenter, turtle=turtle)
        for task in todo:
            yield worker.run(task)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # spawn, not fork: the parent may hold threads (an open store, jieba's lock) that fork copies badly.
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_init_process, initargs=(base_iri, turtle)
    )
    try:
        yield from _in_order(lambda batch: pool.submit(_run_in_process, batch), todo, window=jobs * 4)
    finally:
        # Also on Ctrl-C and SIGTERM (which kg.cli turns into KeyboardInterrupt): the batches not
        # started are dropped and the workers end after the one they are on. (Terminating them
        # instead can cut a result half written into the pipe, and the pool's reader then waits
        # for its end forever.)
        pool.shutdown(wait=True, cancel_futures=True)


def _map_dask(tasks: Iterator[Task], *, base_iri: str, scheduler: str | None, turtle: bool) -> Iterator[FileFacts]:
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - depends on the extra
        raise UsageError("--executor dask needs Dask's distributed scheduler; pip install 'kg[dask]'") from None
    if not scheduler:
        raise UsageError(
            "--executor dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786) of a running Dask scheduler"
        )
    try:
        client = Client(scheduler, timeout="20s", set_as_default=False)
    except (OSError, TimeoutError) as error:
        raise UsageError(
            f"cannot reach the Dask scheduler at {scheduler} ({error}); start one with `dask scheduler`"
        ) from None
    try:
        try:
            client.wait_for_workers(1, timeout=60)
        except TimeoutError:
            raise UsageError(
                f"no Dask worker has joined the scheduler at {scheduler} within 60s; start some with `dask worker {scheduler}`"
            ) from None
        threads = sum(client.nthreads().values()) or 1
        window = max(8, threads * 4)
        yield from _in_order(
            lambda batch: client.submit(_run_on_dask, batch, base_iri, turtle, pure=False), tasks, window
        )
    finally:
        client.close()
