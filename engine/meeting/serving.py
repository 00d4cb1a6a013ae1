"""Running the meeting page: a socket on a loopback address (any other needs `allow_remote`),
the address with its access token announced, and uvicorn serving until interrupted.

The socket is bound here, before uvicorn starts, so that port 0 (a free port) can be announced
as the port it is: the printed address is the one that works."""
from __future__ import annotations

import ipaddress
import socket
from typing import Callable

from engine.cycles.store import Store
from engine.meeting.app import create_app
from engine.meeting.guard import Secrets
from engine.meeting.pages import Meeting


class RemoteRefused(ValueError):
    """A host other than a loopback address, without `allow_remote`."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_host(host: str, allow_remote: bool) -> None:
    if not allow_remote and not is_loopback(host):
        raise RemoteRefused(f"--host {host} would let other machines reach the meeting page (and its decisions): "
                            "give --allow-remote if that is what you want, or leave --host at 127.0.0.1")


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (port 0: a free one); OSError if it cannot be had."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def address(sock: socket.socket, token: str) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/?token={token}"


def serve(store: Store, cycle: str, host: str = "127.0.0.1", port: int = 0, allow_remote: bool = False,
          announce: Callable[[str], None] = print) -> None:
    """Serve cycle `cycle` of `store` until interrupted. RemoteRefused for a non-loopback host
    without `allow_remote`; StoreError if there is no such cycle; OSError if the port is taken.
    `announce` is given the address to open, token included, once the socket listens."""
    import uvicorn

    check_host(host, allow_remote)
    meeting = Meeting(store, cycle)
    keys = Secrets()
    app = create_app(meeting, keys)
    sock = bind(host, port)
    try:
        announce(address(sock, keys.token))
        # No access log: it would write every address, the first with its token, to the terminal.
        config = uvicorn.Config(app, log_level="warning", access_log=False, server_header=False, lifespan="off")
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()

