"""What a long command shows while it works: one line per stage on a terminal, nothing elsewhere.

    feedback = Feedback.for_terminal(quiet=args.quiet)
    with feedback.stage("SHACL check", total=95) as update:
        for done in ...: update(done)
    feedback.close()

A stage with a known total is a bar (done/total, elapsed, time left); one without is a spinner
with the stage's name and the time it has run, so a step of a minute never looks hung. The
drawing is rich's (a thread refreshes it ten times a second, so a spinner moves while the
stage's own code runs without calling back). When the stream is not a terminal (a log, a
pipe, CI) or with ``-q``, nothing is drawn and nothing of rich is imported.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any

__all__ = ["Feedback"]

#: ``update(done, total=None, note="")``: how far a stage is.
Update = Callable[..., None]


def _nothing(*_args: Any, **_kwargs: Any) -> None:
    """The update of a stage nobody watches."""


class Feedback:
    """Progress of the stages of one command (see the module doc)."""

    def __init__(self, enabled: bool, stream: IO[str] | None = None) -> None:
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self._progress: Any = None

    @classmethod
    def for_terminal(cls, *, quiet: bool = False, stream: IO[str] | None = None) -> Feedback:
        """Enabled when ``stream`` (default stderr) is a terminal and not ``quiet``."""
        stream = stream or sys.stderr
        return cls(not quiet and hasattr(stream, "isatty") and stream.isatty(), stream)

    def _start(self) -> Any:
        if self._progress is None:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(
                SpinnerColumn(finished_text="✓"),
                TextColumn("{task.description}"),
                BarColumn(bar_width=24),
                MofNCompleteColumn(),
                TextColumn("{task.fields[note]}"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=Console(file=self.stream),
                refresh_per_second=10,
            )
            self._progress.start()
        return self._progress

    @contextmanager
    def stage(self, name: str, total: int | None = None) -> Iterator[Update]:
        """Show ``name`` while the block runs; the block may call ``update(done, total, note=…)``."""
        if not self.enabled:
            yield _nothing
            return
        progress = self._start()
        task = progress.add_task(name, total=total, note="")

        def update(done: int, total: int | None = None, note: str | None = None) -> None:
            fields: dict[str, Any] = {"completed": done}
            if total is not None:
                fields["total"] = total
            if note is not None:
                fields["note"] = note
            progress.update(task, **fields)

        started = time.perf_counter()
        try:
            yield update
        finally:
            current = progress.tasks[task] if task < len(progress.tasks) else None
            if current is not None and current.total is None:
                # A spinner ends as a full bar of one step, with its time.
                progress.update(task, total=1, completed=1, note=f"{time.perf_counter() - started:.1f}s")
            elif current is not None:
                progress.update(task, completed=current.total)
            progress.stop_task(task)

    def files(self, name: str = "read, extract, merge") -> Callable[..., None]:
        """A ``progress(done, total, path, articles=n)`` callback for :func:`kg.builder.build_corpus`."""
        if not self.enabled:
            return _nothing
        progress = self._start()
        task: list[int] = []

        def show(done: int, total: int, _name: str = "", articles: int = 0) -> None:
            if not task:
                task.append(progress.add_task(name, total=total, note=""))
            progress.update(task[0], completed=done, total=total, note=f"{articles} articles")
            if done >= total:
                progress.stop_task(task[0])

        show.stage = self.stage  # type: ignore[attr-defined]  # build_corpus names its later steps
        return show

    def close(self) -> None:
        """Stop drawing (the finished lines stay on the terminal)."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
