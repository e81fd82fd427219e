"""A small pool of query workers, each a process with its own copy of the graph.

The pool gives each job a wall-clock limit. rdflib cannot be interrupted, so a job that runs
too long is stopped by killing its worker; a fresh worker is started in the background to
take its place. The pool also bounds how many requests may wait for a worker, so an overload
is answered at once (429) instead of piling up.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from medkg.errors import MedkgError
from medkg.server.config import ServerConfig
from medkg.server.jobs import Failure, Job, Reply
from medkg.server.worker import READY, worker_main

__all__ = ["PoolBusyError", "WorkerPool", "WorkerStartError"]

#: How long a new worker may take to load the graph before the pool gives up on it.
STARTUP_TIMEOUT = 120.0


class PoolBusyError(MedkgError):
    """Every worker is busy and the waiting line is full; the client should retry later."""


class WorkerStartError(MedkgError):
    """A worker could not start: its graph failed to load, or it did not answer in time."""


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    conn: Connection

    def ask(self, job: Job, timeout: float) -> Reply | None:
        """Send *job* and wait for the reply; None if none came within *timeout* seconds.

        :raises EOFError: the worker died.
        """
        self.conn.send(job)
        if not self.conn.poll(timeout):
            return None
        reply: Reply = self.conn.recv()
        return reply

    def stop(self) -> None:
        """Kill the process at once (it may be stuck in a query) and release its pipe."""
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class WorkerPool:
    """Worker processes that run jobs with a time limit.

    Call :meth:`start` (blocking: each worker loads the graph) before the event loop serves
    requests, :meth:`run` from request handlers, and :meth:`close` at shutdown.

    :param config: data files, pool size, timeout and limits.
    """

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        # spawn: a fresh interpreter per worker, with no copy of the server's threads or loop.
        self._context = multiprocessing.get_context("spawn")
        self._idle: asyncio.Queue[_Worker] | None = None
        self._all: set[_Worker] = set()
        self._waiting = 0
        self._background: set[asyncio.Task[None]] = set()
        self._started: list[_Worker] = []

    def start(self) -> None:
        """Start every worker and wait until each has loaded the graph.

        :raises WorkerStartError: a worker failed to load (e.g. a malformed ``--data`` file).
        """
        # Launch them all first so that they load the graph in parallel.
        launched = [self._launch() for _ in range(self.config.workers)]
        try:
            for worker in launched:
                self._await_ready(worker)
                self._started.append(worker)
        except WorkerStartError:
            self.close()
            raise

    def close(self) -> None:
        """Stop every worker."""
        for worker in [*self._all]:
            worker.stop()
        self._all.clear()
        self._started.clear()

    @property
    def capacity(self) -> int:
        """The most requests the pool holds at once: one per worker plus the waiting line."""
        return self.config.workers + self.config.max_pending

    async def run(self, job: Job) -> Reply:
        """Run *job* on a free worker, within the configured timeout.

        :param job: the query or entity lookup.
        :returns: the worker's answer or failure; a timeout or a crash is a :class:`Failure`.
        :raises PoolBusyError: the pool already holds :attr:`capacity` requests.
        """
        if self._waiting >= self.capacity:
            raise PoolBusyError("the server is busy answering other queries; retry shortly")
        self._waiting += 1
        try:
            idle = self._queue()
            worker = await idle.get()
            reply = await self._ask(worker, job)
        finally:
            self._waiting -= 1
        return reply

    def _queue(self) -> asyncio.Queue[_Worker]:
        # Created on first use, inside the server's event loop.
        if self._idle is None:
            self._idle = asyncio.Queue()
            for worker in self._started:
                self._idle.put_nowait(worker)
            self._started.clear()
        return self._idle

    async def _ask(self, worker: _Worker, job: Job) -> Reply:
        from anyio import to_thread

        timeout = self.config.timeout
        reply: Reply | None = None
        try:
            reply = await to_thread.run_sync(worker.ask, job, timeout)
            if reply is None:
                reply = Failure(
                    "timeout",
                    f"the query ran longer than this server's limit of {timeout:g} s and was "
                    "stopped; add a LIMIT or make it more selective",
                    recycle=True,
                )
        except (EOFError, OSError):
            reply = Failure(
                "crashed",
                "the query worker stopped while answering (it may have run out of memory)",
                True,
            )
        finally:
            # No reply means the request was cancelled mid-job: the worker's pipe may still
            # hold a stale answer, so it is replaced rather than reused.
            if reply is None or (isinstance(reply, Failure) and reply.recycle):
                self._replace(worker)
            else:
                self._queue().put_nowait(worker)
        return reply

    def _replace(self, worker: _Worker) -> None:
        """Kill *worker* and start another in the background; the pool is one short meanwhile."""
        worker.stop()
        self._all.discard(worker)
        task = asyncio.get_running_loop().create_task(self._respawn())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _respawn(self) -> None:
        from anyio import to_thread

        # Retry until a worker starts: the data loaded once already, so failures are transient.
        while True:
            try:
                worker = await to_thread.run_sync(self._spawn)
            except WorkerStartError:
                await asyncio.sleep(1)
                continue
            self._queue().put_nowait(worker)
            return

    def _spawn(self) -> _Worker:
        """Start one worker process and wait for it to say it is ready.

        :raises WorkerStartError: it failed to load the graph or did not answer in time.
        """
        worker = self._launch()
        self._await_ready(worker)
        return worker

    def _launch(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=worker_main, args=(child, self.config), name="medkg-query-worker", daemon=True
        )
        process.start()
        child.close()
        worker = _Worker(process, parent)
        self._all.add(worker)
        return worker

    def _await_ready(self, worker: _Worker) -> None:
        try:
            ready = worker.conn.recv() if worker.conn.poll(STARTUP_TIMEOUT) else None
        except EOFError:
            ready = Failure("startup", f"the worker exited with code {worker.process.exitcode}")
        if ready != READY:
            worker.stop()
            self._all.discard(worker)
            message = ready.message if isinstance(ready, Failure) else "no answer in time"
            raise WorkerStartError(f"a query worker could not start: {message}")
