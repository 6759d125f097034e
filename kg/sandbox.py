"""Queries where a crash or a runaway cannot hurt the caller: worker processes without network.

Oxigraph runs inside the process that calls it. A query that crashes the engine (thousands of
nested parentheses, an upstream panic while sorting) kills that process, and a long step such
as a big sort cannot be interrupted from Python. So ``kg serve`` runs its queries in a
:class:`WorkerPool` of processes: a worker that passes its time limit is killed, one that dies
is replaced, and the request gets an error instead of the server going down. ``kg query`` runs
its query in one forked child (:func:`isolated`) for the same reason.

On Linux (x86-64 and AArch64) a worker first calls :func:`deny_network`: a seccomp filter lets
the process create Unix sockets only, so the engine cannot open a connection to anywhere,
whatever a query says (``SERVICE`` in any spelling, now or in a future Oxigraph).
"""

from __future__ import annotations

import ctypes
import faulthandler
import importlib
import multiprocessing
import os
import platform
import queue
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection
from typing import Any

from . import errors
from .errors import KGError, QueryError

__all__ = ["EngineCrash", "WorkerPool", "deny_network", "describe_exit", "isolated", "limit_data"]


class EngineCrash(QueryError):
    """The process running a query died (a segfault or a panic in the engine)."""


# -- no network, by construction -------------------------------------------------------------
#: machine -> (seccomp audit arch, number of socket(2), number of seccomp(2))
_ARCHES = {
    "x86_64": (0xC000003E, 41, 317),
    "amd64": (0xC000003E, 41, 317),
    "aarch64": (0xC00000B7, 198, 277),
    "arm64": (0xC00000B7, 198, 277),
}
_BPF_LD_W_ABS, _BPF_JEQ_K, _BPF_JGE_K, _BPF_RET_K = 0x20, 0x15, 0x35, 0x06
_RET_ALLOW, _RET_EPERM = 0x7FFF0000, 0x00050000 | 1
_AF_UNIX = 1
_PR_SET_PDEATHSIG, _PR_SET_NO_NEW_PRIVS, _SECCOMP_SET_MODE_FILTER, _SECCOMP_FILTER_FLAG_TSYNC = 1, 38, 1, 1


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def _filter_program(arch: int, socket_nr: int) -> list[tuple[int, int, int, int]]:
    """A classic BPF program: socket(2) for any family but AF_UNIX fails with EPERM."""
    return [
        (_BPF_LD_W_ABS, 0, 0, 4),  # 0: the audit architecture
        (_BPF_JEQ_K, 0, 6, arch),  # 1: another ABI (i386 on x86-64): refuse every call
        (_BPF_LD_W_ABS, 0, 0, 0),  # 2: the system call number
        (_BPF_JGE_K, 4, 0, 0x40000000),  # 3: the x32 ABI: refuse
        (_BPF_JEQ_K, 0, 2, socket_nr),  # 4: not socket(2): allow
        (_BPF_LD_W_ABS, 0, 0, 16),  # 5: its first argument, the address family
        (_BPF_JEQ_K, 0, 1, _AF_UNIX),  # 6: AF_UNIX: allow
        (_BPF_RET_K, 0, 0, _RET_ALLOW),  # 7
        (_BPF_RET_K, 0, 0, _RET_EPERM),  # 8
    ]


def deny_network() -> bool:
    """Forbid this process (all its threads, and its children) every socket but Unix sockets.

    Returns True when the filter is in place and a test socket is refused; False where the
    platform has no seccomp we know how to use (then nothing is changed).
    """
    arch = _ARCHES.get(platform.machine().lower())
    if not sys.platform.startswith("linux") or arch is None:
        return False
    audit_arch, socket_nr, seccomp_nr = arch
    libc = ctypes.CDLL(None, use_errno=True)
    program = _filter_program(audit_arch, socket_nr)
    filters = (_SockFilter * len(program))(*(_SockFilter(*instruction) for instruction in program))
    fprog = _SockFprog(len(program), filters)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    if libc.syscall(seccomp_nr, _SECCOMP_SET_MODE_FILTER, _SECCOMP_FILTER_FLAG_TSYNC, ctypes.byref(fprog)) != 0:
        return False
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
    except PermissionError:
        return True
    return False  # pragma: no cover - the filter is in place but did not refuse


def limit_data(extra: int) -> bool:
    """Let this process's data segment grow by at most ``extra`` bytes from now (RLIMIT_DATA).

    Returns False where the limit cannot be set (no ``resource`` module, no /proc).
    """
    try:
        import resource

        with open("/proc/self/status", encoding="ascii") as status:
            used = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmData:"))
        hard = resource.getrlimit(resource.RLIMIT_DATA)[1]
        soft = used + extra if hard == resource.RLIM_INFINITY else min(used + extra, hard)
        resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))
    except (ImportError, OSError, StopIteration, ValueError):
        return False
    return True


def describe_exit(code: int | None) -> str:
    """``killed by SIGSEGV`` for a negative exit code, ``exit status 3`` otherwise."""
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


# -- a pool of worker processes ----------------------------------------------------------------
class _Worker:
    """One worker process and our end of its pipe."""

    def __init__(self, process: subprocess.Popen[bytes], conn: Any) -> None:
        self.process = process
        self.conn = conn

    @property
    def exitcode(self) -> int | None:
        """The exit status once it ended (negative: the signal that ended it), else None."""
        try:
            return self.process.wait(5)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:  # pragma: no cover - a killed process that lingers
            print(f"kg: query worker {self.process.pid} did not end after SIGKILL", file=sys.stderr)
        self.conn.close()


class WorkerPool:
    """``size`` processes running ``target(conn, *args)``; each says ``("ready", info)`` first.

    ``target`` is named as ``"module:function"``; ``args`` are strings. A worker is a fresh
    interpreter (``python -m kg.sandbox``), so nothing of the caller's state, threads or
    ``__main__`` comes along. :meth:`acquire` lends a worker, :meth:`release` takes it back,
    :meth:`discard` kills it and starts a replacement in the background. ``info`` is what the
    first worker reported.
    """

    def __init__(self, target: str, args: tuple[str, ...], size: int, *, start_timeout: float = 600.0) -> None:
        self._target = target
        self._args = args
        self._start_timeout = start_timeout
        self._free: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.size = max(1, size)
        self.respawned = 0
        # Every worker is started from this one thread, which lives as long as the pool: a
        # worker asks the kernel to kill it when the thread that started it ends (see
        # _die_with_parent), so a short-lived thread must not start one.
        self._spawn_requests: queue.Queue[queue.Queue[Any] | None] = queue.Queue()
        self._spawner = threading.Thread(target=self._spawn_loop, name="kg-worker-spawner", daemon=True)
        self._spawner.start()
        starting = [self._spawn() for _ in range(self.size)]
        self.info: Any = None
        try:
            for worker in starting:
                info = self._wait_ready(worker)
                if self.info is None:
                    self.info = info
                self._free.put(worker)
        except BaseException:
            self.close()
            raise

    def _spawn_loop(self) -> None:
        while (reply := self._spawn_requests.get()) is not None:
            try:
                reply.put(self._start_process())
            except Exception as error:  # noqa: BLE001 - handed to the thread that asked
                reply.put(error)

    def _spawn(self) -> _Worker:
        reply: queue.Queue[Any] = queue.Queue(maxsize=1)
        self._spawn_requests.put(reply)
        started = reply.get()
        if isinstance(started, Exception):
            raise started
        return started

    def _start_process(self) -> _Worker:
        ours, theirs = multiprocessing.Pipe()
        fd = theirs.fileno()
        process = subprocess.Popen(
            [sys.executable, "-m", "kg.sandbox", str(fd), self._target, *self._args],
            pass_fds=(fd,),
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        worker = _Worker(process, ours)
        with self._lock:
            self._all.add(worker)
        return worker

    def _wait_ready(self, worker: _Worker) -> Any:
        try:
            if not worker.conn.poll(self._start_timeout):
                raise QueryError(f"a query worker did not start within {self._start_timeout:g} s")
            message = worker.conn.recv()
        except (EOFError, OSError):
            raise EngineCrash(f"a query worker died while starting ({describe_exit(worker.exitcode)})") from None
        if message[0] == "failed":
            raise _rebuild(message[1], message[2])
        return message[1]

    def acquire(self, timeout: float) -> _Worker | None:
        """A free worker, or None if none became free within ``timeout`` seconds."""
        try:
            return self._free.get(timeout=max(timeout, 0.0))
        except queue.Empty:
            return None

    def release(self, worker: _Worker) -> None:
        """Give back a worker that finished its request cleanly."""
        if self._closed:
            self._forget(worker)
        else:
            self._free.put(worker)

    def discard(self, worker: _Worker) -> None:
        """Kill ``worker`` (past its time limit, crashed, or mid-answer) and start another."""
        self._forget(worker)
        if not self._closed:
            threading.Thread(target=self._replace, name="kg-worker-respawn", daemon=True).start()

    def _forget(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)

    def _replace(self) -> None:
        if self._closed:
            return
        worker = self._spawn()
        try:
            self._wait_ready(worker)
        except KGError as error:
            if not self._closed:
                print(f"kg: could not replace a query worker: {error}", file=sys.stderr)
            self._forget(worker)
            return
        self.respawned += 1
        self.release(worker)

    def pids(self) -> list[int]:
        """Process ids of the live workers."""
        with self._lock:
            return [worker.process.pid for worker in self._all]

    def close(self) -> None:
        """Kill every worker."""
        self._closed = True
        self._spawn_requests.put(None)
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()


# -- one query in a forked child (kg query) ---------------------------------------------------
def _child(conn: Any, function: Callable[..., Iterable[str]], args: tuple[Any, ...]) -> None:
    # The engine's own report of a crash (a Rust panic and its backtrace) would bury the one
    # line the parent prints about it: the child's stderr goes nowhere, its errors go by pipe.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    faulthandler.disable()  # it may write to a copy of the old stderr (pytest, PYTHONFAULTHANDLER)
    try:
        for piece in function(*args):
            conn.send(("text", piece))
        conn.send(("done",))
    except KGError as error:
        conn.send(("error", type(error).__name__, str(error)))
    except Exception as error:  # noqa: BLE001 - reported to the parent, which raises it
        conn.send(("error", "QueryError", f"the query failed: {type(error).__name__}: {error}"))


def _rebuild(name: str, message: str) -> KGError:
    """A kg error of the class called ``name`` carrying ``message``."""
    cls = getattr(errors, name, None)
    if not (isinstance(cls, type) and issubclass(cls, KGError)):
        cls = QueryError
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    return error


def isolated(function: Callable[..., Iterable[str]], *args: Any) -> Iterator[str]:
    """The text pieces ``function(*args)`` yields, computed in a forked child process.

    A kg error in the child is raised here; a child that dies (a crash in the engine) raises
    :class:`EngineCrash` naming the signal. Where there is no ``fork`` the function runs here.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        yield from function(*args)
        return
    context = multiprocessing.get_context("fork")
    ours, theirs = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(theirs, function, args), name="kg-query", daemon=True)
    process.start()
    theirs.close()
    finished = False
    try:
        while True:
            try:
                message = ours.recv()
            except EOFError:
                process.join(10)
                raise EngineCrash(
                    f"the query engine crashed on this query ({describe_exit(process.exitcode)}); "
                    "simplify the query (fewer nested parentheses, ORDER BY on values of one type)"
                ) from None
            if message[0] == "text":
                yield message[1]
            elif message[0] == "done":
                finished = True
                return
            else:
                finished = True
                raise _rebuild(message[1], message[2])
    finally:
        if not finished and process.is_alive():
            process.kill()
        process.join(10)
        ours.close()


def _die_with_parent() -> None:
    """Have the kernel kill this worker when the server dies, even mid-query (Linux).

    Strictly, when the thread that started it ends: hence the pool's one spawning thread.
    """
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() == 1:  # the server was gone before the request above
        os._exit(1)


def _worker_entry(argv: list[str]) -> None:
    """``python -m kg.sandbox FD MODULE:FUNCTION ARG…``: run a pool worker on the pipe FD."""
    fd, target, *args = argv
    _die_with_parent()
    module, _, name = target.partition(":")
    function = getattr(importlib.import_module(module), name)
    function(Connection(int(fd)), *args)


if __name__ == "__main__":
    _worker_entry(sys.argv[1:])
