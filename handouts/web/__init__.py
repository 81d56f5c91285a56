"""The front desk: `handouts serve`, the same tool as a local web page and a JSON API.

`create_app(desk)` builds the Flask app from a Desk (the Maker and history
the command line uses too); `run_server` serves it with cheroot, a
production WSGI server (CherryPy's) that runs on Windows, macOS and Linux
alike and speaks HTTPS itself, so no second program is needed in front of
it on the clinic network.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
import sys
import threading

from ..errors import HandoutsError
from .app import MAX_BODY, create_app
from .desk import Desk
from .drawing import cores
from .guard import on_this_computer_only
from .tls import Certificate

__all__ = ["Desk", "create_app", "on_this_computer_only", "run_server"]

# A connection that sends nothing for this long is closed: a slow client cannot hold a thread for ever.
IDLE_CONNECTION = 10
LISTEN_QUEUE = 128  # connections waiting to be accepted


def run_server(app, host: str, port: int, *, announce, certificate: Certificate | None = None,
               threads: int | None = None) -> None:
    """Serve `app` until Ctrl-C, over HTTPS with `certificate`; `announce` is told the address to open.
    Twice as many threads as leaflets are drawn at once (cores), and at least 8: pages and downloads are
    served while every worker draws."""
    from cheroot import wsgi

    threads = threads or max(8, 2 * cores())

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%d %H:%M:%S"))
    access = logging.getLogger("handouts.web")
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    # A deep listen queue: a burst of staff (or a clinic system) connecting at once waits its turn instead of
    # having connections reset when the default queue of 5 overflows on a busy machine.
    server = wsgi.Server((host, port), app, numthreads=threads, server_name="handouts", timeout=IDLE_CONNECTION,
                         request_queue_size=LISTEN_QUEUE)
    server.max_request_body_size = MAX_BODY  # refused before it is read, whatever the route
    if certificate is not None:
        from cheroot.ssl.builtin import BuiltinSSLAdapter

        try:
            server.ssl_adapter = BuiltinSSLAdapter(str(certificate.certificate), str(certificate.key))
        except (OSError, ValueError) as exc:
            raise HandoutsError(f"cannot use the certificate {certificate.certificate} with the key "
                                f"{certificate.key}: {exc}; give a PEM certificate and its own key") from None
    try:
        server.prepare()
    except OSError as exc:
        # cheroot gathers every address's failure into one message: "... [Errno 98] Address already in use)".
        reason = exc.strerror or next(iter(re.findall(r"\[Errno \d+\] ([^)]+)", str(exc))), str(exc))
        raise HandoutsError(f"cannot listen on {host} port {port}: {reason}; choose another --port "
                            "(or stop the program using it)") from None
    # Listening on every address: other computers reach it by this one's name.
    shown = socket.gethostname() if host in ("0.0.0.0", "::") else f"[{host}]" if ":" in host else host
    scheme = "https" if certificate else "http"
    announce(f"The front desk is open at {scheme}://{shown}:{server.bind_addr[1]}/ (Ctrl+C stops it)")
    # Ctrl+C (or a service manager's SIGTERM) stops the server from a thread of its own: cheroot's serve loop
    # was seen to lose the KeyboardInterrupt raised in it about one time in ten, and then never stopped.
    stopping = threading.Event()

    def stop_on_signal(signum, frame):
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=_stop, args=(server,), daemon=True).start()

    if threading.current_thread() is threading.main_thread():  # a benchmark may serve from another thread
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, stop_on_signal)
    try:
        server.serve()
    finally:
        _stop(server)


def _stop(server, wait: float = 10.0) -> None:
    """Stop `server`, letting its requests finish; then end the program even if one of cheroot's idle worker
    threads was never woken to stop (seen here about one run in ten after many refused sign-ins): its
    ThreadPool.stop would then wait for it for ever, and Ctrl+C would not stop the front desk."""
    stopping = threading.Thread(target=server.stop, daemon=True)
    stopping.start()
    stopping.join(wait)
    if stopping.is_alive():
        logging.shutdown()
        sys.stderr.flush()
        os._exit(0)
