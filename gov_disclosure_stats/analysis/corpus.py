"""Loading a whole corpus: many report files in parallel worker processes, failures kept as data.

>>> reports, failures = load_many("reports/")           # doctest: +SKIP
>>> reports.validate().summary()                        # doctest: +SKIP

Every file is loaded in a worker process; a file that cannot be loaded (a
:class:`LoadError`, any other exception, even a worker process that dies, or
a file still loading after ``timeout`` seconds, whose worker is killed) is one
row of the failures frame and never stops the scan. Ctrl-C or SIGTERM stops
the workers and raises :class:`LoadInterrupted` holding what was loaded.
"""

from __future__ import annotations

import contextlib
import gc
import glob
import json
import multiprocessing
import os
import re
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from ..core.errors import LoadError
from ..core.limits import DEFAULT_TIMEOUT, Limits, applied
from ..loading.loader import load
from ..model.collection import ReportSet
from ..model.matrix import cell_vector
from ..model.report import Report, reports_to_long
from ..validation.dask_frames import need_distributed
from ..validation.engine import usable_cpus
from ..validation.narrative import stated_figures

KNOWN_SUFFIXES: tuple[str, ...] = (".txt", ".htm", ".html", ".md", ".pdf", ".docx", ".xlsx", ".csv", ".json")
"""File suffixes a folder scan picks up (lower case)."""

FAILURE_COLUMNS: list[str] = ["file", "error_type", "message"]

CHUNK_FILES = 32
"""At most this many files per task sent to a worker (fewer when there are few files)."""
CHUNK_BYTES = 4 << 20
"""A task holds at most about this many bytes of input, so large PDFs spread over the workers."""

Source = str | os.PathLike[str] | Iterable[str | os.PathLike[str]]
Loader = Callable[[str], Report]

_STARTED, _DONE = 1, 2  # a file's state in the shared array; 0: not started
_state: Any = None  # in a worker: the shared per-file state array (see _init_worker)
_started: Any = None  # in a worker: when each file was started (time.monotonic), shared with the parent
_pids: Any = None  # in a worker: the process reading each file, shared with the parent
_limits: Limits | None = None  # in a worker: the caller's limits
_POLL = 0.25  # seconds between the parent's looks for files past their time
_KILL = getattr(signal, "SIGKILL", signal.SIGTERM)


class LoadInterrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM stopped :func:`load_many`; its workers are gone.

    ``reports`` (a :class:`ReportSet`) and ``failures`` hold the files done so
    far, as ``load_many`` would have returned them; the files not loaded are
    left out. It is a :class:`KeyboardInterrupt`, so a script stops as usual.
    """

    def __init__(self, reports: ReportSet, failures: pd.DataFrame, total: int) -> None:
        done = len(reports) + len(failures)
        super().__init__(f"载入在{done}/{total}个文件后中断 / loading interrupted after {done} of {total} files")
        self.reports = reports
        self.failures = failures


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread while load_many runs."""


class _Timeout(BaseException):  # not an Exception: readers' ``except Exception`` must not swallow it
    """A file past its time in the serial path (raised by a timer signal)."""


class _Bar(tqdm):
    """A progress bar without tqdm's monitor thread, so that forking workers stays safe."""

    monitor_interval = 0


@dataclass(frozen=True)
class _File:
    """One file to load: its position in the input, its path, its report id and its size."""

    index: int
    path: str
    report_id: str
    size: int = 0


# -- finding the files ------------------------------------------------------------------------------------------------

_MAGIC = re.compile(r"[*?[]")


def _hidden(name: str) -> bool:
    """Hidden files and folders, and the lock files Word and Excel leave beside an open document."""
    return name.startswith((".", "~$"))


def _walk(folder: Path) -> list[Path]:
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not _hidden(d))
        for name in sorted(files):
            if not _hidden(name) and Path(name).suffix.lower() in KNOWN_SUFFIXES:
                found.append(Path(root) / name)
    return sorted(found, key=lambda p: p.relative_to(folder).parts)


def _glob_root(pattern: str) -> Path:
    """The folder part of a glob pattern before its first wildcard."""
    parts = Path(pattern).parts
    fixed = []
    for part in parts[:-1]:
        if _MAGIC.search(part):
            break
        fixed.append(part)
    return Path(*fixed) if fixed else Path(".")


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def find_files(source: Source, exclude: Iterable[str | os.PathLike[str]] = ()) -> list[tuple[str, str]]:
    """The ``(path, report_id)`` pairs ``load_many`` would load, in its order.

    A folder is searched recursively for the :data:`KNOWN_SUFFIXES` (hidden
    files and folders skipped), sorted by path; report ids are the paths
    relative to it (``a/report.txt``).
    A glob pattern (``"reports/**/*.pdf"``) gives the matching files, sorted,
    ids relative to the folder before the first wildcard. A single file gives
    itself, id its name. An iterable of paths is taken as given, ids the paths
    as given. ``exclude`` removes files (e.g. a scan's own output).
    """
    if isinstance(source, str | os.PathLike):
        text = os.fspath(source)
        path = Path(text)
        if path.is_dir():
            found = [(p, _rel(p, path)) for p in _walk(path)]
        elif path.is_file():
            found = [(path, path.name)]
        elif _MAGIC.search(text):
            root = _glob_root(text)
            matches = sorted(Path(p) for p in glob.glob(text, recursive=True) if os.path.isfile(p))
            found = [(p, _rel(p, root)) for p in matches]
        else:
            raise FileNotFoundError(f"找不到文件或文件夹「{text}」 / no such file or folder: {text}")
    else:
        found = [(Path(os.fspath(p)), os.fspath(p)) for p in source]
    skip = {os.path.abspath(os.fspath(p)) for p in exclude}
    return [(str(p), rid) for p, rid in found if os.path.abspath(p) not in skip]


# -- the worker side --------------------------------------------------------------------------------------------------


def _init_worker(state: Any, started: Any = None, pids: Any = None, limits: Limits | None = None) -> None:
    """Keep the shared state; collect garbage normally (the parent pauses it) but never scan the inherited heap.

    Ctrl-C is left to the parent (which kills the workers); on Linux a worker
    also dies with its parent, so that a killed scan leaves no orphans.
    """
    global _state, _started, _pids, _limits
    _state, _started, _pids, _limits = state, started, pids, limits
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None).prctl(1, int(_KILL))  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    gc.enable()
    gc.freeze()


def _failure(file: str, exc: BaseException) -> tuple[str, str, str]:
    """A failures-frame row for an exception (a LoadError's message without the path, which is in ``file``)."""
    message = exc.reason if isinstance(exc, LoadError) else str(exc)
    return file, error_type(exc), message or repr(exc)


def error_type(exc: BaseException) -> str:
    """``LoadError``, ``ValueError``…, or ``module.Name`` for other libraries' exceptions (``_csv.Error``)."""
    kind = type(exc)
    if kind.__module__ == "builtins" or kind.__module__.startswith("gov_disclosure_stats"):
        return kind.__qualname__
    return f"{kind.__module__}.{kind.__qualname__}"


def _load_one(item: _File, loader: Loader, prepare: bool = False) -> Report | tuple[str, str, str]:
    """What a worker does per file (pool or cluster): load it, or a failures row; ``prepare`` in a worker."""
    try:
        with applied(_limits):
            report = loader(item.path)
    except Exception as exc:  # a crash in one file must not stop the scan
        return _failure(item.path, exc)
    report.report_id = item.report_id
    report.source = item.path
    if prepare:
        # in a worker: the report's matrix row and the figures its prose states are made here and travel with it
        # (both are kept on the report), so that the parent builds the matrix by copying arrays and validates
        # the narrative rules without reading the prose again
        cell_vector(report)
        stated_figures(report)
    return report


def _load_chunk(items: Sequence[_File], loader: Loader) -> list[Report | tuple[str, str, str]]:
    """Load some files in a worker, marking each file started and done in the shared state."""
    out = []
    for item in items:
        if _state is not None:
            if _started is not None:
                _started[item.index] = time.monotonic()
                _pids[item.index] = os.getpid()
            _state[item.index] = _STARTED
        out.append(_load_one(item, loader, prepare=_state is not None))
        if _state is not None:
            _state[item.index] = _DONE
    return out


# -- the parent side --------------------------------------------------------------------------------------------------


def _chunks(files: Sequence[_File], workers: int, chunk_files: int | None) -> list[list[_File]]:
    """Tasks of consecutive files: at most ``chunk_files`` files and about :data:`CHUNK_BYTES` bytes each.

    With few files the tasks get smaller so that every worker has several.
    """
    limit = chunk_files or max(1, min(CHUNK_FILES, len(files) // (workers * 4)))
    out: list[list[_File]] = []
    current: list[_File] = []
    size = 0
    for item in files:
        if current and (len(current) >= limit or size + item.size > CHUNK_BYTES):
            out.append(current)
            current, size = [], 0
        current.append(item)
        size += item.size
    if current:
        out.append(current)
    return out


def _context() -> Any:
    """How workers start: ``fork`` (nothing to import again) unless this process runs other threads.

    Forking a process with threads (a notebook kernel's) can deadlock the
    child; there, and where ``fork`` is unsafe or missing (macOS, Windows),
    ``forkserver`` or ``spawn`` start workers that import the package once.
    """
    methods = multiprocessing.get_all_start_methods()
    if sys.platform == "darwin" or "fork" not in methods:
        return multiprocessing.get_context()
    if threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([__name__])
    return ctx


def _crashed(item: _File) -> tuple[str, str, str]:
    return (
        item.path,
        "WorkerCrashed",
        "读取此文件时工作进程意外退出（可能是内存不足或解析库崩溃） / "
        "the worker process died while reading this file (out of memory or a crash in a parsing library)",
    )


def _timed_out(item: _File, timeout: float) -> tuple[str, str, str]:
    return (
        item.path,
        "Timeout",
        f"载入超过{timeout:g}秒，已停止（可用 timeout= 或 --timeout 放宽） / "
        f"loading took longer than {timeout:g} s and was stopped (raise it with timeout= or --timeout)",
    )


@contextlib.contextmanager
def _interruptible() -> Iterator[None]:
    """SIGTERM raises :class:`_Terminated` (a KeyboardInterrupt) in the main thread while the block runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        raise _Terminated

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _alarm(timeout: float | None) -> Iterator[None]:
    """Raise :class:`_Timeout` after ``timeout`` seconds: a timer signal in the main thread, else :func:`_thread_alarm`.

    Python code is stopped at once; a long call into C (a parser) is stopped when it returns.
    """
    if timeout is None:
        yield
        return
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        with _thread_alarm(timeout):
            yield
        return

    def ring(signum: int, frame: Any) -> None:
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


_WATCH_TICK = 0.05  # seconds between the watchdog's looks at the threads it watches
_watch_lock = threading.Lock()
_watched: dict[int, list[Any]] = {}  # thread id -> [deadline (time.monotonic), rung]
_watchdog: list[Any] = [None, 0]  # the watchdog thread and the process it runs in


def _watch() -> None:
    """The watchdog thread: raise :class:`_Timeout` in each watched thread past its deadline; ends when none is."""
    while True:
        time.sleep(_WATCH_TICK)
        now = time.monotonic()
        with _watch_lock:
            if not _watched:
                _watchdog[0] = None
                return
            for ident, entry in _watched.items():
                if not entry[1] and now >= entry[0]:
                    entry[1] = True
                    _async_raise(ident, _Timeout)


@contextlib.contextmanager
def _thread_alarm(timeout: float) -> Iterator[None]:
    """Raise :class:`_Timeout` in this thread after ``timeout`` seconds (outside the main thread: a Dask worker's).

    One watchdog thread per process sets the exception asynchronously (a thread per file would cost more
    than a small file's loading); the lock keeps it from landing after the block has ended.
    """
    ident = threading.get_ident()
    entry = [time.monotonic() + timeout, False]
    with _watch_lock:
        if _watchdog[0] is None or _watchdog[1] != os.getpid():  # none yet, or inherited through a fork
            _watchdog[:] = [threading.Thread(target=_watch, name="gds-timeout", daemon=True), os.getpid()]
            _watchdog[0].start()
        _watched[ident] = entry
    try:
        yield
    finally:
        with _watch_lock:
            del _watched[ident]
            if entry[1]:  # rung as the block ended and not raised yet: taken back
                _async_raise(ident, None)


def _async_raise(ident: int, exc: type[BaseException] | None) -> None:
    """Raise ``exc`` in thread ``ident`` at its next Python instruction (None: take back one not yet raised)."""
    import ctypes

    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), None if exc is None else ctypes.py_object(exc))


def _load_here(item: _File, loader: Loader, limits: Limits | None, timeout: float | None, prepare: bool = False) -> Any:
    """Load one file in this process (or a Dask worker's thread, ``prepare=True``), within ``timeout``."""
    try:
        with applied(limits), _alarm(timeout):
            return _load_one(item, loader, prepare)
    except _Timeout:
        assert timeout is not None
        return _timed_out(item, timeout)


def load_many(
    source: Source,
    workers: int | None = None,
    progress: bool = True,
    agency_map: Mapping[str, str] | None = None,
    *,
    exclude: Iterable[str | os.PathLike[str]] = (),
    chunk_files: int | None = None,
    loader: Loader | None = None,
    strict: bool = False,
    limits: Limits | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    client: Any = None,
) -> tuple[ReportSet, pd.DataFrame]:
    """Load many report files in parallel; return the reports and the files that failed.

    ``source`` is a folder (searched recursively for the known formats), a glob
    pattern or an iterable of paths (see :func:`find_files`; ``exclude`` leaves
    files out). ``workers`` processes load the files (default: the CPUs this
    process may use; 1 loads in this process), each task holding up to
    ``chunk_files`` files (default: up to :data:`CHUNK_FILES`). A progress bar
    goes to stderr unless ``progress=False``.

    Returns a :class:`ReportSet` (with ``agency_map``) in the order of the input
    paths, failed files left out, each report's ``report_id`` the path relative
    to the folder and ``source`` its path; and a DataFrame with one row per
    failed file: ``file``, ``error_type`` (``LoadError``, another exception's
    type, or ``WorkerCrashed`` when the file killed its worker process) and
    ``message``. ``loader`` replaces :func:`load` (a module-level function, so
    that workers can receive it). A report with load issues (``Report.issues``)
    is loaded, not a failure, unless ``strict=True`` (``load(path, strict=True)``).

    ``limits`` (a :class:`~gov_disclosure_stats.Limits`) bounds what each file
    may cost. A file still loading after ``timeout`` seconds (default
    :data:`~gov_disclosure_stats.limits.DEFAULT_TIMEOUT`; None: no limit) is a
    ``Timeout`` failure and its worker process is replaced. With one worker the
    file is loaded in this process and the time is enforced by a timer signal
    (main thread, POSIX), which stops a parser's C code only when it returns.
    Ctrl-C or SIGTERM kills the workers and raises :class:`LoadInterrupted`
    (a KeyboardInterrupt) with the reports and failures done so far.

    ``client`` (a ``distributed.Client`` or a scheduler address such as
    ``"tcp://10.0.0.5:8786"``; needs the ``dask`` extra) loads the files on a
    Dask cluster instead of local processes, ``workers`` then unused: the same
    reports and failures rows (the
    workers must read the files at the same paths).
    """
    if client is not None:
        need_distributed()
    pairs = find_files(source, exclude)
    files = [_File(i, path, rid, _size(path)) for i, (path, rid) in enumerate(pairs)]
    workers = workers or usable_cpus()
    load_file = loader or (partial(load, strict=True) if strict else load)
    results: dict[int, Report | tuple[str, str, str]] = {}
    try:
        with (
            _interruptible(),
            _Bar(
                total=len(files), unit="file", desc="载入 loading", file=sys.stderr, disable=not progress, smoothing=0.1
            ) as bar,
        ):
            if client is None and (workers <= 1 or len(files) <= 1):
                for item in files:
                    results[item.index] = _load_here(item, load_file, limits, timeout)
                    bar.update(1)
            else:
                collecting = gc.isenabled()
                gc.disable()  # thousands of unpickled reports would set off full collections over and over
                try:
                    if client is not None:
                        _load_on_cluster(files, client, chunk_files, load_file, results, bar.update, limits, timeout)
                    else:
                        _load_parallel(files, workers, chunk_files, load_file, results, bar.update, limits, timeout)
                finally:
                    if collecting:
                        gc.enable()
    except KeyboardInterrupt:
        raise LoadInterrupted(*_collected(files, results, agency_map), total=len(files)) from None
    return _collected(files, results, agency_map)


def _collected(
    files: list[_File], results: dict[int, Report | tuple[str, str, str]], agency_map: Mapping[str, str] | None
) -> tuple[ReportSet, pd.DataFrame]:
    """The reports and the failures frame of the files done, in input order."""
    done = [results[item.index] for item in files if item.index in results]
    reports = [r for r in done if isinstance(r, Report)]
    failures = [r for r in done if not isinstance(r, Report)]
    return ReportSet(reports, agency_map), pd.DataFrame(failures, columns=FAILURE_COLUMNS)


def _load_parallel(
    files: list[_File],
    workers: int,
    chunk_files: int | None,
    loader: Loader,
    results: dict[int, Report | tuple[str, str, str]],
    advance: Callable[[int], None],
    limits: Limits | None = None,
    timeout: float | None = None,
) -> None:
    """Load ``files`` in worker processes, surviving workers that die or hang.

    When a worker dies the pool breaks: the files being read at that moment
    are loaded again one at a time, each in a process of its own (a file that
    kills that process too is recorded as crashed), then the rest go on. When
    workers die twice with no file to blame (they cannot start here), the rest
    load in this process. A file past ``timeout`` is recorded as timed out and
    its worker killed; the files the other workers were reading go round again.
    """
    ctx = _context()
    size = files[-1].index + 1
    shared = _Shared(*(ctx.Array(kind, size, lock=False) for kind in "bdi"))
    todo = files
    blameless = 0  # rounds broken while no file was being read
    while todo:
        chunks = _chunks(todo, workers, chunk_files)
        broken, killed = False, False
        with ProcessPoolExecutor(
            max_workers=min(workers, len(chunks)),
            mp_context=ctx,
            initializer=_init_worker,
            initargs=(*shared, limits),
        ) as pool:
            try:
                futures = {pool.submit(_load_chunk, c, loader): c for c in chunks}
                pending: set[Future[Any]] = set(futures)
                while pending:
                    done, pending = wait(pending, timeout=_POLL if timeout else None, return_when=FIRST_COMPLETED)
                    for future in done:
                        chunk = futures[future]
                        try:
                            loaded = future.result()
                        except BrokenProcessPool:
                            broken = True
                            continue
                        except Exception:  # the task failed outside the loader (a result that cannot be sent back…)
                            for item in chunk:
                                _load_alone(item, ctx, shared, loader, results, advance, limits, timeout)
                            continue
                        results.update((item.index, r) for item, r in zip(chunk, loaded, strict=True))
                        advance(len(chunk))
                    if timeout and not broken:
                        late = _overdue((futures[f] for f in pending), shared, timeout)
                        for item in late:
                            results[item.index] = _timed_out(item, timeout)
                            shared.state[item.index] = _DONE
                            _kill(shared.pids[item.index])
                            advance(1)
                        killed = killed or bool(late)
            except BaseException:  # Ctrl-C, SIGTERM: no worker outlives the scan
                _kill_pool(pool)
                raise
        if not broken:
            return
        left = [item for item in todo if item.index not in results]
        suspects = [item for item in left if shared.state[item.index] == _STARTED]
        if killed:  # the pool broke because a late file's worker was killed: the others were innocent
            for item in suspects:
                shared.state[item.index] = 0
            suspects = []
        else:
            blameless = 0 if suspects else blameless + 1
        if blameless >= 2:
            warnings.warn(
                "工作进程无法运行，其余文件在本进程中载入 / worker processes keep dying: loading the rest here",
                RuntimeWarning,
                stacklevel=3,
            )
            for item in left:
                results[item.index] = _load_here(item, loader, limits, timeout)
                advance(1)
            return
        for item in suspects:
            _load_alone(item, ctx, shared, loader, results, advance, limits, timeout)
        todo = [item for item in left if item.index not in results]


@dataclass(frozen=True)
class _Shared:
    """The arrays workers share with the parent, one slot per file: state, start time, process id."""

    state: Any
    started: Any
    pids: Any

    def __iter__(self) -> Iterator[Any]:
        return iter((self.state, self.started, self.pids))


def _overdue(chunks: Iterable[Sequence[_File]], shared: _Shared, timeout: float) -> list[_File]:
    """The files being read for longer than ``timeout`` seconds."""
    now = time.monotonic()
    return [
        item
        for chunk in chunks
        for item in chunk
        if shared.state[item.index] == _STARTED and now - shared.started[item.index] > timeout
    ]


def _kill(pid: int) -> None:
    if pid > 0:
        with contextlib.suppress(OSError):
            os.kill(pid, _KILL)


def _kill_pool(pool: ProcessPoolExecutor) -> None:
    """Kill every worker process of ``pool`` at once (Python 3.14 has ``pool.kill_workers``)."""
    processes = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        with contextlib.suppress(Exception):
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


def _load_alone(
    item: _File,
    ctx: Any,
    shared: _Shared,
    loader: Loader,
    results: dict[int, Report | tuple[str, str, str]],
    advance: Callable[[int], None],
    limits: Limits | None = None,
    timeout: float | None = None,
) -> None:
    """Load one file in a process of its own; record it as crashed when that process dies, or late past ``timeout``."""
    with ProcessPoolExecutor(
        max_workers=1, mp_context=ctx, initializer=_init_worker, initargs=(*shared, limits)
    ) as pool:
        try:
            results[item.index] = pool.submit(_load_chunk, [item], loader).result(timeout=timeout)[0]
        except FutureTimeout:
            assert timeout is not None
            results[item.index] = _timed_out(item, timeout)
            _kill_pool(pool)
        except BrokenProcessPool:
            results[item.index] = _crashed(item)
        except BaseException as exc:
            if not isinstance(exc, Exception):  # Ctrl-C, SIGTERM
                _kill_pool(pool)
                raise
            results[item.index] = _failure(item.path, exc)
    advance(1)


# -- on a Dask cluster (the optional ``dask`` extra) ------------------------------------------------------------------


@contextlib.contextmanager
def _connected(client: Any) -> Iterator[Any]:
    """``client`` itself, or a client connected to the scheduler address ``client`` for the block."""
    distributed = need_distributed()
    if not isinstance(client, str):
        yield client
        return
    try:
        connection = distributed.Client(client, set_as_default=False)  # waits distributed.comm.timeouts.connect
    except (OSError, TimeoutError) as exc:
        raise ConnectionError(
            f"连接不上 Dask 调度器「{client}」：{exc} / cannot reach the Dask scheduler at {client}: {exc}"
        ) from None
    with connection:
        yield connection


def _cluster_task(
    items: Sequence[_File], loader: Loader, limits: Limits | None, timeout: float | None
) -> list[Report | tuple[str, str, str]]:
    """A cluster task: load some files in a worker thread, each as a local worker would (a report or a row)."""
    return [_load_here(item, loader, limits, timeout, prepare=True) for item in items]


def _load_on_cluster(
    files: list[_File],
    client: Any,
    chunk_files: int | None,
    loader: Loader,
    results: dict[int, Report | tuple[str, str, str]],
    advance: Callable[[int], None],
    limits: Limits | None = None,
    timeout: float | None = None,
) -> None:
    """Load ``files`` as tasks on a Dask cluster, filling ``results`` as tasks finish.

    A task that fails as a whole (its worker died as often as the scheduler
    allows, ``KilledWorker``) is sent again one file at a time, each file
    alone on the cluster, so that a worker that dies then has only that file
    to blame: it is ``WorkerCrashed``, as in the local pool. Ctrl-C cancels
    the tasks not done.
    """
    distributed = need_distributed()
    with _connected(client) as session:
        threads = max(1, sum(session.nthreads().values()))
        tasks: dict[Any, list[_File]] = {}

        def send(chunk: list[_File]) -> Any:
            future = session.submit(_cluster_task, chunk, loader, limits, timeout, pure=False)
            tasks[future] = chunk
            return future

        def done(future: Any) -> list[_File] | None:
            """Record a finished task's files; the files of a failed one are returned."""
            chunk = tasks.pop(future)
            if future.status == "finished":
                results.update((item.index, r) for item, r in zip(chunk, future.result(), strict=True))
                advance(len(chunk))
                chunk = None
            future.release()
            return chunk

        try:
            suspects = [
                item
                for future in distributed.as_completed([send(c) for c in _chunks(files, threads, chunk_files)])
                for item in done(future) or ()
            ]
            for item in sorted(suspects, key=lambda i: i.index):  # one at a time: a death blames this file alone
                future = send([item])
                distributed.wait(future)
                status = future.status
                exc = future.exception() if status == "error" else RuntimeError(f"Dask task {status}")
                if done(future) is not None:
                    lost = isinstance(exc, distributed.KilledWorker)
                    results[item.index] = _crashed(item) if lost else _failure(item.path, exc)
                    advance(1)
        except BaseException:  # Ctrl-C, SIGTERM: nothing more is started
            session.cancel(list(tasks))
            raise


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


# -- writing tables ---------------------------------------------------------------------------------------------------

TABLE_FORMATS: tuple[str, ...] = (".csv", ".parquet", ".xlsx")
"""Output formats of :func:`write_tables`, by file extension."""
EXCEL_ROWS = 1_048_575
"""Data rows an Excel sheet holds under its header row; longer frames continue on ``name (2)``…"""


def check_output(path: str | os.PathLike[str], formats: Sequence[str] = TABLE_FORMATS) -> str:
    """The output format of ``path`` from its extension; raise ValueError / ImportError before any work is done."""
    suffix = Path(path).suffix.lower()
    if suffix not in formats:
        known = ", ".join(formats)
        raise ValueError(
            f"不支持的输出格式「{suffix or Path(path).name}」，可用：{known} / unsupported output format "
            f"{suffix or Path(path).name!r}; use one of {known}"
        )
    if suffix == ".parquet":
        _need_pyarrow()
    return suffix


def _need_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise ImportError(
            "写 Parquet 文件需要 pyarrow，请安装：pip install 'gov_disclosure_stats[parquet]' / "
            "writing Parquet needs pyarrow: pip install 'gov_disclosure_stats[parquet]'"
        ) from None


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Tuple and list cells (``cells``, ``missing``) as space-separated strings, for flat file formats."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if column.dtype == object and column.map(lambda v: isinstance(v, tuple | list)).any():
            out[name] = column.map(lambda v: " ".join(map(str, v)) if isinstance(v, tuple | list) else v)
    return out


def _excel_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text without the control characters a workbook cannot hold."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    out = frame.copy()
    for name in out.columns:
        if out[name].dtype == object or pd.api.types.is_string_dtype(out[name]):
            out[name] = out[name].map(lambda v: ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v)
    return out


def _to_excel(frames: Mapping[str, pd.DataFrame], path: str | os.PathLike[str]) -> None:
    """One workbook, one sheet per frame (continued on ``name (2)``… past Excel's row limit)."""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in frames.items():
            safe = _excel_safe(frame)
            for part in range(max(1, -(-len(safe) // EXCEL_ROWS))):
                sheet = name if part == 0 else f"{name} ({part + 1})"
                safe.iloc[part * EXCEL_ROWS : (part + 1) * EXCEL_ROWS].to_excel(writer, sheet_name=sheet, index=False)


def table_paths(path: str | os.PathLike[str], names: Sequence[str]) -> dict[str, Path]:
    """Where :func:`write_tables` puts each frame: the first at ``path``, the others at ``<stem>_<name><ext>``."""
    out = Path(path)
    if out.suffix.lower() == ".xlsx":
        return dict.fromkeys(names, out)
    return {name: out if i == 0 else out.with_name(f"{out.stem}_{name}{out.suffix}") for i, name in enumerate(names)}


def write_tables(frames: Mapping[str, pd.DataFrame], path: str | os.PathLike[str]) -> list[Path]:
    """Write named frames to ``path`` by extension; return the files written.

    ``.csv`` (UTF-8 with a byte-order mark, which Excel needs for Chinese) and
    ``.parquet``: the first frame at ``path``, each other one beside it as
    ``<stem>_<name><ext>``. ``.xlsx``: one workbook, one sheet per frame.
    Tuple columns are written as space-separated strings.
    """
    suffix = check_output(path)
    flat = {name: _flat(frame) for name, frame in frames.items()}
    targets = table_paths(path, list(flat))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".xlsx":
        _to_excel(flat, path)
        return [Path(path)]
    for name, frame in flat.items():
        if suffix == ".csv":
            frame.to_csv(targets[name], index=False, encoding="utf-8-sig", float_format="%.15g")
        else:
            frame.to_parquet(targets[name], index=False)
    return list(dict.fromkeys(targets.values()))


REPORT_FORMATS: tuple[str, ...] = (".csv", ".parquet", ".json", ".xlsx")
"""Output formats of :func:`write_reports`, by file extension."""


def write_reports(reports: Sequence[Report], path: str | os.PathLike[str], wide: bool = False) -> Path:
    """Write reports to one file by extension: the long format (one row per cell) or, ``wide=True``, the wide one.

    ``.json`` is the ``expected.json`` shape instead (one object, or a list of
    them for several reports). ``gds.load`` reads back a file of one report,
    ``gds.ReportSet.read`` a file of several.
    """
    suffix = check_output(path, REPORT_FORMATS)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".json":
        if wide:
            raise ValueError(
                "JSON 输出只有 expected.json 一种形式，不能与 --wide 同用 / "
                "JSON output is the expected.json shape; --wide does not apply"
            )
        data = [r.to_dict() for r in reports]
        out.write_text(json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=1) + "\n", "utf-8")
        return out
    frame = ReportSet(reports).to_wide() if wide else reports_to_long(reports)
    if suffix == ".csv":
        frame.to_csv(out, index=False, encoding="utf-8-sig", float_format="%.15g")
    elif suffix == ".parquet":
        frame.to_parquet(out, index=False)
    else:
        _to_excel({"wide" if wide else "long": frame}, out)
    return out
