"""A small pool of query workers, each a process with its own copy of the graph.

The pool gives each job a wall-clock limit. rdflib cannot be interrupted, so a job that runs
too long is stopped by killing its worker; a fresh worker is started in the background to
take its place. The same happens when the client goes away before its answer is ready: the
job is cancelled and its worker replaced, so an abandoned request never keeps its slot.

The pool bounds how many requests may wait for a worker, in all and per client address, so
an overload is answered at once (429) instead of piling up; and it bounds how many answer
bytes the server process holds for clients (:class:`BufferBudget`): an answer that does not
fit is refused (503) before it is read from the worker.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections import Counter
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from medkg.errors import MedkgError
from medkg.server.config import ServerConfig
from medkg.server.jobs import Answer, AnswerHead, Failure, Job, Reply
from medkg.server.worker import READY, worker_main

__all__ = ["BufferBudget", "PoolBusyError", "WorkerPool", "WorkerStartError"]

#: How long a new worker may take to load the graph before the pool gives up on it.
STARTUP_TIMEOUT = 120.0


class PoolBusyError(MedkgError):
    """Every worker is busy and the waiting line is full; the client should retry later."""


class WorkerStartError(MedkgError):
    """A worker could not start: its graph failed to load, or it did not answer in time."""


class BufferBudget:
    """The answer bytes the server process may hold at once, for all clients together.

    :param limit: the most bytes held; 0 means no limit.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.held = 0

    def reserve(self, size: int) -> bool:
        """Count *size* bytes against the limit; False (nothing counted) if they do not fit."""
        if self.limit and self.held + size > self.limit:
            return False
        self.held += size
        return True

    def release(self, size: int) -> None:
        """Give back bytes reserved earlier (their answer was sent or abandoned)."""
        self.held = max(0, self.held - size)


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    conn: Connection

    def stop(self) -> None:
        """Kill the process at once (it may be stuck in a query) and release its pipe."""
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class WorkerPool:
    """Worker processes that run jobs with a time limit.

    Call :meth:`start` (blocking: each worker loads the graph) before the event loop serves
    requests, :meth:`run` from request handlers, and :meth:`close` at shutdown. Workers are
    always launched from the thread that calls :meth:`start` or from the event loop's thread,
    because a worker dies with the thread that started it (``PR_SET_PDEATHSIG``).

    :param config: data files, pool size, timeout and limits.
    """

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        # spawn: a fresh interpreter per worker, with no copy of the server's threads or loop.
        self._context = multiprocessing.get_context("spawn")
        self._idle: asyncio.Queue[_Worker] | None = None
        self._all: set[_Worker] = set()
        self._waiting = 0
        self._per_client: Counter[str] = Counter()
        self._background: set[asyncio.Task[None]] = set()
        self._started: list[_Worker] = []
        #: What the server holds of answers not yet sent (see :class:`BufferBudget`).
        self.budget = BufferBudget(config.buffer_limit)

    def start(self) -> None:
        """Start every worker and wait until each has loaded the graph.

        :raises WorkerStartError: a worker failed to load (e.g. a malformed ``--data`` file,
            or a graph larger than the memory limit).
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

    async def run(self, job: Job, client: str = "") -> Reply:
        """Run *job* on a free worker, within the configured timeout.

        Cancelling the call (the client went away) stops the job: its worker is replaced.
        An :class:`Answer` holds bytes reserved in :attr:`budget`; the caller releases them
        once they are sent.

        :param job: the query or entity lookup.
        :param client: the client's address, for the per-client share of the capacity.
        :returns: the worker's answer or failure; a timeout or a crash is a :class:`Failure`.
        :raises PoolBusyError: the pool (or this client's share) is full.
        """
        share = self.config.client_share
        if self._per_client[client] >= share:
            raise PoolBusyError(
                f"you already have {share} {'query' if share == 1 else 'queries'} running or "
                "waiting on this server, "
                "its limit per client; retry when one has finished"
            )
        if self._waiting >= self.capacity:
            raise PoolBusyError("the server is busy answering other queries; retry shortly")
        self._waiting += 1
        self._per_client[client] += 1
        try:
            worker = await self._queue().get()
            return await self._ask(worker, job)
        finally:
            self._waiting -= 1
            self._per_client[client] -= 1
            if self._per_client[client] <= 0:
                del self._per_client[client]

    def _queue(self) -> asyncio.Queue[_Worker]:
        # Created on first use, inside the server's event loop.
        if self._idle is None:
            self._idle = asyncio.Queue()
            for worker in self._started:
                self._idle.put_nowait(worker)
            self._started.clear()
        return self._idle

    async def _ask(self, worker: _Worker, job: Job) -> Reply:
        timeout = self.config.timeout
        reply: Reply | None = None
        try:
            worker.conn.send(job)
            if not await _readable(worker.conn, timeout):
                reply = Failure(
                    "timeout",
                    f"the query ran longer than this server's limit of {timeout:g} s and was "
                    "stopped; add a LIMIT or make it more selective",
                    recycle=True,
                )
            else:
                reply = await self._receive(worker)
        except (EOFError, OSError):
            reply = Failure(
                "crashed",
                "the query worker stopped while answering (it may have run out of memory)",
                True,
            )
        finally:
            # No reply means the request was cancelled mid-job (the client went away): the
            # worker may still be computing, or its pipe hold a stale answer; replace it.
            if reply is None or (isinstance(reply, Failure) and reply.recycle):
                self._replace(worker)
            else:
                self._queue().put_nowait(worker)
        return reply

    async def _receive(self, worker: _Worker) -> Reply:
        """Read the worker's reply; an answer's body only if the budget has room for it."""
        from anyio import to_thread

        message: AnswerHead | Failure = worker.conn.recv()
        if isinstance(message, Failure):
            return message
        if not self.budget.reserve(message.size):
            return Failure(
                "buffer",
                f"the server is already holding {self.budget.held // 1024**2} MiB of answers "
                f"for other clients, and this answer ({message.size / 1024**2:.1f} MiB) does "
                f"not fit in its limit of {self.budget.limit // 1024**2} MiB; retry shortly, "
                "or add a LIMIT",
                recycle=True,  # the body is still in the pipe: drop it with the worker
            )
        try:
            # A thread: the body may be large, and the event loop must go on serving.
            body = await to_thread.run_sync(worker.conn.recv_bytes)
        except BaseException:
            self.budget.release(message.size)
            raise
        return Answer(message.media_type, body)

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
            # Launched from the event loop's thread (which lives as long as the server),
            # waited for in another.
            worker = self._launch()
            try:
                await to_thread.run_sync(self._await_ready, worker)
            except WorkerStartError:
                await asyncio.sleep(1)
                continue
            self._queue().put_nowait(worker)
            return

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


async def _readable(conn: Connection, timeout: float) -> bool:
    """Wait until *conn* has something to read (or its worker died); False after *timeout*."""
    if conn.poll(0):
        return True
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()
    fd = conn.fileno()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    loop.add_reader(fd, wake)
    try:
        await asyncio.wait_for(ready, timeout)
    except TimeoutError:
        return False
    finally:
        loop.remove_reader(fd)
    return True
