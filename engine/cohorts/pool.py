"""Worker processes for cohort runs: every core busy, results in input order, faults contained.

durable-rules can hang or crash the process it runs in. Each worker is a forked process with
its own engine; the parent hands it one task at a time and waits with a deadline. A worker
that overruns the time limit is killed, one that dies is noticed; either way its task is
reported with the reason (`on_fault`), as is one whose work raised; a fresh worker takes its place, and every other task
still gets its result. Results come back in input order whatever the number of workers, and
at most `window` tasks are in flight or waiting to be yielded, so memory stays flat."""
from __future__ import annotations

import faulthandler
import os
import signal
import time
from collections import deque
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, TypeVar

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

# multiprocessing (and ctypes) are imported where workers start, not here: the command line
# reads this module's defaults for every command, `ladder --help` included.

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_TIMEOUT = 60.0
JOBS_PER_CORE = 4  # more workers than this only add start-up time: evaluation is CPU-bound


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def run(tasks: Iterable[T], work: Callable[[T], R], on_fault: Callable[[T, str], R], jobs: int,
        timeout: float = DEFAULT_TIMEOUT, known: Callable[[T], R | None] | None = None) -> Iterator[R]:
    """`work(task)` for every task, in input order, on `jobs` forked workers.

    `work` runs in the workers (forked, so it may be any callable, closures included); tasks and
    results cross a pipe, so they must pickle. Without fork (not Linux), runs in-process.
    Workers start as tasks arrive, so there are never more than tasks, nor than
    JOBS_PER_CORE a core, whatever `jobs` asks. `known(task)`, asked here first, is a result
    found without work (a cached verdict: not worth a trip through a pipe), or None."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        yield from run_here(tasks, work, on_fault, known)
        return
    yield from _Pool(work, on_fault, max(1, min(jobs, JOBS_PER_CORE * default_jobs())), timeout, known).run(iter(tasks))


def run_here(tasks: Iterable[T], work: Callable[[T], R], on_fault: Callable[[T, str], R],
             known: Callable[[T], R | None] | None = None) -> Iterator[R]:
    """`work(task)` for every task in this process (after `known(task)`, as in `run`), a task
    whose work raises reported as a worker's would be; no time limit, and a crash is the process's."""
    for task in tasks:
        try:
            result = known(task) if known else None
            if result is None:
                result = work(task)
        except Exception as e:  # noqa: BLE001 - as a worker would report it
            result = on_fault(task, f"the evaluation failed: {type(e).__name__}: {e}")
        yield result


class _Worker:
    def __init__(self, context, work: Callable):
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, work, os.getpid()), daemon=True)
        self.process.start()
        child.close()
        self.task: tuple[int, object] | None = None
        self.deadline = 0.0

    def give(self, index: int, task: object, timeout: float) -> None:
        self.task = (index, task)
        self.deadline = time.monotonic() + timeout
        try:
            self.connection.send(task)
        except OSError:
            pass  # it died while idle: its sentinel is ready, and the task is reported as a crash

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.connection.close()


def _serve(connection: Connection, work: Callable, parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # held while it was started: see _Pool._start
    faulthandler.disable()  # a crash is the parent's to report, once, in words; not a C stack dump
    _die_with(parent)
    while True:
        while not connection.poll(1.0):
            if os.getppid() != parent:  # where _die_with cannot ask the kernel
                return
        try:
            task = connection.recv()
        except EOFError:
            return
        try:
            answer = (True, work(task))
        except Exception as e:  # noqa: BLE001 - reported as this task's fault, in words, not a traceback
            answer = (False, f"{type(e).__name__}: {e}")
        try:
            connection.send(answer)
        except Exception as e:  # noqa: BLE001 - e.g. a result that does not pickle
            connection.send((False, f"its result could not be sent back ({type(e).__name__}: {e})"))


def _die_with(parent: int) -> None:
    """End this worker when its parent process ends, however it ends (killed, crashed).

    Every worker holds copies of the parent's ends of the pipes (fork), so the parent's death
    never shows as the end of a pipe: an orphan would wait for tasks, or run a hung one, forever,
    holding the command's stdout open. Linux kills it (PR_SET_PDEATHSIG); elsewhere an idle
    worker sees its parent change."""
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # it died before the kernel was asked
        os._exit(0)


_PR_SET_PDEATHSIG = 1


class _Pool:
    def __init__(self, work: Callable, on_fault: Callable, jobs: int, timeout: float, known: Callable | None = None):
        import multiprocessing

        self.context = multiprocessing.get_context("fork")
        self.work, self.on_fault, self.jobs, self.timeout, self.known = work, on_fault, jobs, timeout, known
        self.window = 4 * jobs

    def run(self, tasks: Iterator) -> Iterator:
        from multiprocessing.connection import wait

        workers: list[_Worker] = []
        done: dict[int, object] = {}
        pending: deque[tuple[int, object]] = deque()
        next_index, next_out, exhausted = 0, 0, False
        try:
            while True:
                while not exhausted and len(pending) < self.jobs and next_index - next_out < self.window:
                    try:
                        task = next(tasks)
                    except StopIteration:
                        exhausted = True
                        break
                    answer = self.known(task) if self.known else None
                    if answer is None:
                        pending.append((next_index, task))
                    else:
                        done[next_index] = answer
                    next_index += 1
                for worker in workers:
                    if worker.task is None and pending:
                        index, task = pending.popleft()
                        worker.give(index, task, self.timeout)
                while pending and len(workers) < self.jobs:  # every worker busy: start another
                    self._start(workers, len(workers))
                    index, task = pending.popleft()
                    workers[-1].give(index, task, self.timeout)
                while next_out in done:
                    yield done.pop(next_out)
                    next_out += 1
                busy = [w for w in workers if w.task is not None]
                if not busy:
                    if exhausted and not pending:
                        return
                    continue
                now = time.monotonic()
                ready = wait([w.connection for w in busy] + [w.process.sentinel for w in busy],
                             timeout=max(0.0, min(w.deadline for w in busy) - now))
                for position, worker in enumerate(workers):
                    if worker.task is None:
                        continue
                    index, task = worker.task
                    failure = None
                    if worker.connection in ready:
                        try:
                            ok, answer = worker.connection.recv()
                            if ok:
                                done[index] = answer
                                worker.task = None
                                continue
                            failure = f"the evaluation failed: {answer}"  # its engine may be unusable now
                        except (EOFError, OSError):
                            pass  # it died while answering: a crash, below
                    crashed = worker.process.sentinel in ready or not worker.process.is_alive()
                    overran = time.monotonic() >= worker.deadline
                    if failure or crashed or overran:
                        worker.stop()
                        code = worker.process.exitcode
                        reason = failure or (f"the evaluation took longer than {self.timeout:g} s and was stopped" if overran and not crashed
                                             else f"the evaluation crashed its worker process ({_describe(code)})")
                        done[index] = self.on_fault(task, reason)
                        self._start(workers, position)
        finally:
            for worker in workers:
                worker.stop()


    def _start(self, workers: list[_Worker], position: int) -> None:
        """A new worker at `position` (the end, or a stopped worker's place). Ctrl-C is held
        until it is in the list, which the pool stops on the way out: an interrupt between the
        fork and the list left it running, holding the command's output pipes open."""
        held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            worker = _Worker(self.context, self.work)
            if position == len(workers):
                workers.append(worker)
            else:
                workers[position] = worker
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _describe(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit status {code}"
