"""The query workers: processes each holding the graph loaded from ``graph.trig``, and
:class:`QueryPool`, which hands them jobs.

An Oxigraph query cannot be cancelled from Python, so a query past the time limit is stopped by
killing its worker, which is replaced while the other workers keep answering. Each worker drops
its network access (:func:`graph.sandbox.drop_network`) and caps its memory before it loads
the graph, so no query can reach the network or take the machine's memory; a worker that dies
(a query past the memory cap) is replaced at once by a warm spare, already loaded. The first half of
this module runs inside a worker (``_worker_entry``): load the graph, then answer each job, a
SPARQL query or a page of :mod:`graph.server.pages`, with a :class:`~graph.server.reply.Reply`.
"""

from __future__ import annotations

import logging
import queue
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from graph.errors import CvekgError
from graph.server.negotiate import FORMAT_MEDIA, GRAPH_MEDIA, RESULT_MEDIA
from graph.server.pages import entity_reply, view_reply
from graph.server.reply import Reply

__all__ = ["QueryPool"]

logger = logging.getLogger(__name__)


# --- the worker side ------------------------------------------------------------------------


def _worker_entry(fd: int, trig: str, max_rows: int, max_memory: int = 0) -> None:
    """Start of a worker process (``python -c``): talk to the server over socket ``fd``.

    Workers are plain subprocesses rather than ``multiprocessing`` children, so starting one
    never re-imports the caller's ``__main__`` (a script without a main guard still works).
    The network goes first, while the process has one thread and before any library can
    open a socket; then the memory cap (``max_memory`` megabytes, 0 for none).
    """
    import os
    import sys
    from multiprocessing.connection import Connection

    from graph import sandbox

    if trig.startswith("endpoint:"):  # the remote engine runs the queries: it must be reached
        network = "network kept to reach the endpoints, which run the queries"
    else:
        why = sandbox.drop_network()
        network = sandbox.NETWORK_DROPPED_BY if why is None else f"network NOT dropped: {why}"
    if max_memory:
        sandbox.limit_memory(max_memory)
    # Anything a library prints goes to stderr; stdout is not ours to use.
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    _worker_main(Connection(fd), trig, max_rows, network, max_memory)


def _worker_main(conn, trig: str, max_rows: int, network: str = "", max_memory: int = 0) -> None:
    """A query worker: load the graph, then answer jobs from ``conn`` until told to stop."""
    from graph.store import graph_names, open_source

    try:  # a graph.trig, or "endpoint:" and the URLs of a remote dataset
        store = open_source(trig)
    except CvekgError as exc:
        logger.error("%s", exc)
        return
    try:
        conn.send(("ready", sorted(graph_names(store)), len(store), network))
    except OSError:  # the server stopped (Ctrl+C) while this worker loaded the graph
        return
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            reply = _handle_job(store, job, max_rows)
        except MemoryError:
            reply = Reply.text(503, memory_message(max_memory))
        except CvekgError as exc:  # e.g. Oxigraph failed while evaluating the query
            reply = Reply.text(500, str(exc))
        except Exception as exc:  # a bug must not kill the worker: report it as a 500
            logger.exception("query worker failed on %s", job.get("kind"))
            reply = Reply.text(500, f"internal error: {type(exc).__name__}: {exc}")
        try:
            conn.send(reply)
        except OSError:  # the server is gone: nobody is waiting for the answer
            return


def memory_message(max_memory: int) -> str:
    """What a query past the memory cap is told (HTTP 503)."""
    return (
        f"query stopped: it needed more memory than the limit of {max_memory} MB per query "
        "worker (cvekg serve --max-memory MB sets it)"
    )


def _handle_job(store, job: dict, max_rows: int) -> Reply:
    if job["kind"] in {"sparql", "network-probe"}:
        return _sparql_reply(store, job, max_rows)
    if job["kind"] == "entity":
        return entity_reply(store, job["kind_"], job["slug"], job["format"])
    if job["kind"] == "view":
        return view_reply(
            store, job["query"], job.get("title") or "", max_rows, job.get("views", False)
        )
    return Reply.text(500, f"unknown job {job['kind']!r}")


#: The worker's store, and the same without the claims read from context: made on the first
#: request for it, again when the worker holds another store.
_STATED: list[tuple[ox.Store, ox.Store]] = []


def _stated(store: ox.Store) -> ox.Store:
    from graph.query.stated import stated_only

    if not _STATED or _STATED[0][0] is not store:
        _STATED[:] = [(store, stated_only(store))]
    return _STATED[0][1]


def _sparql_reply(store, job: dict, max_rows: int) -> Reply:
    from graph.query.results import serialize
    from graph.query.sparql import QueryRefusedError, QuerySyntaxError, execute

    if job.get("kind") == "network-probe":  # tests: can this worker reach an address?
        return _probe(job["host"], job["port"])
    if job.get("stated_only"):
        if not isinstance(store, ox.Store):
            return Reply.text(400, "stated-only answers need the build itself, not an endpoint")
        store = _stated(store)
    try:
        outcome = execute(
            store,
            job["query"],
            max_rows,
            default_graph_uris=job.get("default"),
            named_graph_uris=job.get("named"),
        )
    except QuerySyntaxError as exc:
        return Reply.text(400, str(exc))
    except QueryRefusedError as exc:
        return Reply.text(403, str(exc))
    fmt = job["graph_format"] if outcome.is_graph else job["result_format"]
    if fmt is None:
        wanted = GRAPH_MEDIA if outcome.is_graph else RESULT_MEDIA
        return Reply.text(
            406,
            f"cannot answer a {outcome.form} query as {job.get('accept') or 'that'}; "
            f"available: {', '.join(dict.fromkeys(wanted))}",
        )
    headers = {"X-Query-Seconds": f"{outcome.seconds:.4f}"}
    if outcome.truncated:
        headers["X-SPARQL-MaxRows"] = str(max_rows)
    return Reply(200, FORMAT_MEDIA[fmt], serialize(outcome, fmt), headers)


def _probe(host: str, port: int) -> Reply:
    """Try to connect to ``host:port``: 200 when it worked, 503 naming the error. The tests
    ask a worker this to check it has no network; the HTTP layer never sends it."""
    import socket

    try:
        socket.create_connection((host, port), 2).close()
    except OSError as exc:
        return Reply.text(503, f"no connection: {exc}")
    return Reply.text(200, "connected")


# --- the pool of workers --------------------------------------------------------------------


@dataclass(eq=False)
class _Worker:
    process: object
    conn: object
    number: int
    generation: int = 0


class QueryPool:
    """Worker processes that answer jobs, each within ``timeout`` seconds or killed.

    A job waits at most ``timeout`` for a free worker, then at most ``timeout`` for its
    answer; a worker past the limit is killed and a fresh one started in the background.

    When ``graph.trig`` changes (``cvekg build`` rewrote it), a new set of workers loads it
    in the background while the old ones keep answering; then the new ones take over.
    """

    def __init__(
        self,
        trig: Path,
        workers: int = 2,
        timeout: float = 10.0,
        max_rows: int = 10000,
        max_memory: int = 1024,
        spare: bool = True,
    ):
        if workers < 1:
            raise CvekgError("--workers must be at least 1")
        if timeout <= 0:
            raise CvekgError("--timeout must be positive")
        if max_memory and max_memory < 128:
            raise CvekgError("--max-memory must be at least 128 (MB), or 0 for no limit")
        self.trig, self.size, self.timeout, self.max_rows = Path(trig), workers, timeout, max_rows
        self.source = str(trig)  # what a worker loads: a path, or "endpoint:" and URLs
        self.max_memory, self.spare = max_memory, spare
        #: How the workers were kept off the network (or why they could not be).
        self.network = ""
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._spares: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._started = 0
        self._closed = False
        self.graphs: set[str] = set()
        self.triples = 0
        self.replaced = 0
        self.generation = 0
        self.reloads = 0
        self._stamp = self._file_stamp()
        self._reloading = False

    def _file_stamp(self) -> tuple[int, int, int] | None:
        try:
            info = self.trig.stat()
        except OSError:
            return None
        return info.st_mtime_ns, info.st_size, info.st_ino

    def reload_if_changed(self) -> bool:
        """Start loading ``graph.trig`` into fresh workers if the file changed since the
        current ones loaded it (a stat per request); ``True`` if a reload started."""
        stamp = self._file_stamp()
        with self._lock:
            if stamp is None or stamp == self._stamp or self._reloading or self._closed:
                return False
            self._reloading, self._stamp = True, stamp
        threading.Thread(target=self._reload, name="cvekg-reload", daemon=True).start()
        return True

    def _reload(self) -> None:
        generation = self.generation + 1
        fresh: list[_Worker] = []
        try:
            fresh = [self._spawn(generation) for _ in range(self.size)]
            for worker in fresh:
                self._await_ready(worker, deadline=300.0)
        except CvekgError:
            logger.exception("could not load the new %s; serving the old graph", self.trig)
            for worker in fresh:
                self._kill(worker)
            with self._lock:
                self._reloading = False
            return
        with self._lock:
            self.generation = generation
            self.reloads += 1
            self._reloading = False
        while True:  # the old idle workers go now; busy ones when they are done
            try:
                old = self._idle.get_nowait()
            except queue.Empty:
                break
            self._kill(old)
        while True:  # the spares hold the old graph too: one of the new one replaces them
            try:
                old = self._spares.get_nowait()
            except queue.Empty:
                break
            self._kill(old)
            threading.Thread(target=self._refill_spare, daemon=True).start()
        for worker in fresh:
            if self._closed:
                self._kill(worker)
            else:
                self._idle.put(worker)
        logger.warning("reloaded %s: %s triples", self.trig, self.triples)

    def start(self) -> QueryPool:
        """Start every worker and wait until each has loaded the graph."""
        pending = [self._spawn() for _ in range(self.size + int(self.spare))]
        for worker in pending:
            self._await_ready(worker, deadline=60.0)
        for worker in pending[: self.size]:
            self._idle.put(worker)
        for worker in pending[self.size :]:
            self._spares.put(worker)
        return self

    def _spawn(self, generation: int | None = None) -> _Worker:
        import os
        import socket
        import subprocess
        import sys
        from multiprocessing.connection import Connection

        ours, theirs = socket.socketpair()
        package_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        env["RUST_BACKTRACE"] = "0"  # a query past the memory cap: one line in the log
        try:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    "import sys; from graph.server.pool import _worker_entry; a = sys.argv; "
                    "_worker_entry(int(a[1]), a[2], int(a[3]), int(a[4]))",
                    str(theirs.fileno()),
                    self.source,
                    str(self.max_rows),
                    str(self.max_memory or 0),
                ],
                pass_fds=[theirs.fileno()],
                # Its own process group: Ctrl+C in the terminal reaches the server alone, which
                # stops its workers itself, rather than each with a traceback of its own.
                process_group=0,
                stdin=subprocess.DEVNULL,
                env=env,
            )
        finally:
            theirs.close()
        with self._lock:
            self._started += 1
            worker = _Worker(
                process,
                Connection(ours.detach()),
                self._started,
                self.generation if generation is None else generation,
            )
            self._all.add(worker)
        return worker

    def _await_ready(self, worker: _Worker, deadline: float) -> None:
        if not worker.conn.poll(deadline):
            self._kill(worker)
            raise CvekgError(f"a query worker did not load {self.trig} within {deadline:.0f} s")
        try:
            _, graphs, triples, network = worker.conn.recv()
        except EOFError:
            self._kill(worker)
            raise CvekgError(f"a query worker could not load {self.trig}") from None
        if worker.generation >= self.generation:
            self.graphs, self.triples, self.network = set(graphs), triples, network

    def _kill(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.process.wait(5)
        worker.conn.close()
        with self._lock:
            self._all.discard(worker)

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker``; a warm spare takes its place at once (when there is one of the
        current graph), and a fresh process is loaded in the background to refill."""
        self._kill(worker)
        self.replaced += 1
        spare = None
        while spare is None:
            try:
                spare = self._spares.get_nowait()
            except queue.Empty:
                break
            if spare.generation < self.generation:
                self._kill(spare)
                spare = None
        if spare is not None:
            self._idle.put(spare)

        def start_one() -> None:
            if self._closed:
                return
            fresh = self._spawn()
            try:
                self._await_ready(fresh, deadline=60.0)
            except CvekgError:
                logger.exception("could not replace a query worker")
                return
            if self._closed:
                self._kill(fresh)
            elif spare is not None:
                self._spares.put(fresh)
            else:
                self._idle.put(fresh)

        threading.Thread(target=start_one, name="cvekg-respawn", daemon=True).start()

    def run(self, job: dict) -> Reply:
        """Answer ``job`` in a worker, or a 503 when the time limit passes."""
        started = time.monotonic()
        self.reload_if_changed()
        while True:
            try:
                wait = max(0.0, self.timeout - (time.monotonic() - started))
                worker = self._idle.get(timeout=wait)
            except queue.Empty:
                return Reply.text(
                    503,
                    f"every query worker stayed busy for {self.timeout:g} s; try again",
                    **{"Retry-After": "1"},
                )
            if worker.generation >= self.generation:
                break
            self._kill(worker)  # it holds the graph as it was before a rebuild
        left = max(0.05, self.timeout - (time.monotonic() - started))
        try:
            worker.conn.send(job)
            if worker.conn.poll(left):
                reply = worker.conn.recv()
                if worker.generation < self.generation:
                    self._kill(worker)
                else:
                    self._idle.put(worker)
                return reply
        except (EOFError, OSError, BrokenPipeError):
            return self._died(worker)
        logger.warning("query past %.1f s: stopping worker %s", self.timeout, worker.number)
        self._replace(worker)
        return Reply.text(
            503,
            f"query stopped: it ran past the time limit of {self.timeout:g} s "
            "(cvekg serve --timeout SECONDS sets it)",
        )

    def _refill_spare(self) -> None:
        fresh = self._spawn()
        try:
            self._await_ready(fresh, deadline=300.0)
        except CvekgError:
            logger.exception("could not start a spare query worker")
            return
        if self._closed:
            self._kill(fresh)
        else:
            self._spares.put(fresh)

    def _died(self, worker: _Worker) -> Reply:
        """The answer when ``worker`` died on a job: past its memory cap (Oxigraph aborts
        when an allocation fails) is a 503 naming the limit; anything else a 500."""
        try:
            code = worker.process.wait(5)
        except subprocess.TimeoutExpired:
            code = None
        logger.warning("query worker %s died (exit %s); replacing it", worker.number, code)
        self._replace(worker)
        if self.max_memory and code in {-6, -9, 134, 137}:  # SIGABRT, SIGKILL (OOM killer)
            return Reply.text(503, memory_message(self.max_memory), **{"Retry-After": "1"})
        return Reply.text(500, "the query worker stopped unexpectedly; it was replaced: try again")

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        with self._lock:
            workers = list(self._all)
        for worker in workers:
            try:
                worker.conn.send(None)
            except (OSError, BrokenPipeError):
                pass
        for worker in workers:
            try:
                worker.process.wait(1)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait(1)
            worker.conn.close()
        with self._lock:
            self._all.clear()
