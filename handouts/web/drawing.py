"""Drawing the desk's leaflets in worker processes, each leaflet with a time limit.

Drawing is CPU work that Python's GIL would serialise, and ReportLab keeps
per-process state; in the server's own process one leaflet that takes long
would hold up every other. Here each leaflet is drawn in a worker process of
its own, as many at once as the machine has cores; one that takes longer
than the time limit has its worker killed (a new one takes its place) and is
refused with a clear error, while the others go on.

Workers are started with 'spawn' (safe beside the server's threads, and the
same on Windows, macOS and Linux) when first needed, and kept. Each loads the
content and templates once and again when the desk says they changed. Only
drawing happens there: files and the history are written by the server.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import threading
import traceback
import weakref
from pathlib import Path

from ..errors import HandoutsError
from ..leaflet.choices import PatientChoices
from ..make import Maker

TIME_LIMIT = 60.0  # seconds; the longest note a leaflet takes draws in a few


class DrawingStopped(HandoutsError):
    """A leaflet took longer than the time limit to draw, and was stopped."""


class DrawingFailed(RuntimeError):
    """A worker failed in a way that is not the clinic's or the user's to fix (its message names no patient)."""


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


class Drawers:
    """Worker processes that draw leaflets: `workers` at once (the machine's cores unless told)."""

    def __init__(self, workers: int | None = None, time_limit: float = TIME_LIMIT):
        self.workers = workers or cores()
        self.time_limit = time_limit
        self._context = multiprocessing.get_context("spawn")
        self._slots = threading.BoundedSemaphore(self.workers)
        self._idle: list[_Worker] = []
        self._started: set[_Worker] = set()  # idle and drawing
        self._lock = threading.Lock()
        self.busy = 0  # leaflets being drawn now
        # Workers stop with the desk, or when the program ends.
        self._finalizer = weakref.finalize(self, _stop_all, self._started)

    def draw(self, maker: Maker, version: object, choices: PatientChoices,
             formats: tuple[str, ...]) -> dict[str, bytes]:
        """`maker.render(choices, formats)`, done by a worker. `version` changes when the content or templates
        on disk do (the worker then loads them again). DrawingStopped past the time limit."""
        with self._slots:
            with self._lock:
                worker = self._idle.pop() if self._idle else _Worker(self._context)
                self._started.add(worker)
                self.busy += 1
            try:
                drawn = worker.draw((maker.source, version), choices, formats, self.time_limit)
            except BaseException:
                with self._lock:
                    self._started.discard(worker)
                worker.stop()  # stuck, dead, or interrupted halfway through a conversation: never used again
                raise
            else:
                with self._lock:
                    self._idle.append(worker)
            finally:
                with self._lock:
                    self.busy -= 1
            return drawn

    def close(self) -> None:
        """Stop every worker; a leaflet being drawn then fails."""
        self._finalizer()


class _Worker:
    def __init__(self, context):
        self._connection, theirs = context.Pipe()
        self._stopping, self._stopped = threading.Lock(), False
        self.process = context.Process(target=_work, args=(theirs,), name="handouts-drawer", daemon=True)
        self.process.start()
        theirs.close()

    def draw(self, maker_key: tuple, choices: PatientChoices, formats: tuple[str, ...],
             time_limit: float) -> dict[str, bytes]:
        self._connection.send((maker_key, choices, formats))
        if not self._connection.poll(time_limit):
            raise DrawingStopped(f"the leaflet took longer than the {time_limit:g}-second limit to draw and was "
                                 "stopped; nothing was made. Try again; if it happens again, shorten the note")
        try:
            outcome, value = self._connection.recv()
        except (EOFError, OSError):
            raise DrawingFailed(f"the drawing process ended unexpectedly (exit code {self.process.exitcode})") \
                from None
        if outcome == "drawn":
            return value
        if outcome == "refused":
            raise value
        raise DrawingFailed(value)

    def stop(self) -> None:
        """Once, whoever asks first: the desk closing and the request whose drawing it ended both do."""
        with self._stopping:
            if self._stopped:
                return
            self._stopped = True
            self.process.kill()
            self.process.join()
            self._connection.close()


def _stop_all(workers: set[_Worker]) -> None:
    while workers:
        workers.pop().stop()


def _work(connection) -> None:
    """A worker's life: draw each leaflet asked for, until the desk hangs up."""
    loaded: dict[tuple, Maker] = {}
    while True:
        try:
            (source, version), choices, formats = connection.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        try:
            if (source, version) not in loaded:
                loaded.clear()
                loaded[source, version] = source.load()
            reply = ("drawn", loaded[source, version].render(choices, formats))
        except HandoutsError as exc:
            reply = ("refused", _portable(exc))
        except Exception as exc:  # noqa: BLE001 - said where, never what (the message may hold a name)
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            reply = ("failed", f"{type(exc).__name__} at {Path(frame.filename).name}:{frame.lineno}")
        connection.send(reply)


def _portable(exc: HandoutsError) -> HandoutsError:
    """`exc`, or a plain HandoutsError with its message where it cannot travel between processes."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001
        return HandoutsError(str(exc))
