"""The front desk: `handouts serve`, the same tool as a local web page and a JSON API.

`create_app(desk)` builds the Flask app from a Desk (the Maker and history
the command line uses too); `run_server` serves it with waitress, a
production WSGI server that runs on Windows, macOS and Linux alike.
"""

from __future__ import annotations

import logging
import socket
import sys

from ..errors import HandoutsError
from .app import create_app
from .desk import Desk
from .guard import check_exposure, on_this_computer_only

__all__ = ["Desk", "check_exposure", "create_app", "on_this_computer_only", "run_server"]


def run_server(app, host: str, port: int, *, announce, threads: int = 8) -> None:
    """Serve `app` until Ctrl-C; `announce` is told the address to open."""
    from waitress import create_server

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%d %H:%M:%S"))
    access = logging.getLogger("handouts.web")
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    try:
        server = create_server(app, host=host, port=port, threads=threads, ident="handouts")
    except OSError as exc:
        raise HandoutsError(f"cannot listen on {host} port {port}: {exc.strerror or exc}; choose another --port "
                            "(or stop the program using it)") from None
    # Listening on every address: other computers reach it by this one's name.
    shown = socket.gethostname() if host in ("0.0.0.0", "::") else f"[{host}]" if ":" in host else host
    announce(f"The front desk is open at http://{shown}:{server.effective_port}/ (Ctrl+C stops it)")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
