"""`ladder serve`: the committee's meeting page for one cycle, on this machine."""
from __future__ import annotations

import sys

import click

from engine.cli.app import main
from engine.cli.cycles import db_option, using_store


@main.command()
@click.argument("cycle_name", metavar="CYCLE")
@db_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on. Anything but a loopback address (127.0.0.1, ::1, localhost) needs --allow-remote.")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True, help="The port; 0 takes a free one.")
@click.option("--allow-remote", is_flag=True,
              help="Allow a --host other machines can reach. Anyone with the printed address can then decide: share it with care.")
def serve(cycle_name: str, db: str | None, host: str, port: int, allow_remote: bool) -> None:
    """Serve the committee's meeting page for CYCLE: the agenda, the roster (sort, filter), each
    candidate's explanation and history, and a decision form per candidate. It prints an
    address with a one-time access token (open it in your browser; it becomes a cookie) and
    serves until Ctrl-C. Requests without the token are refused; so are forms from elsewhere.

    \b
      ladder cycle open 2026-spring fixtures/cohorts/spring-2026
      ladder serve 2026-spring
      ladder serve 2026-spring --db postgresql://ladder@db.internal/ladder --port 8765

    Two people deciding the same candidate at once: the second is told, shown the decision in
    force, and nothing is overwritten. Exit status: 0 stopped; 1 no such cycle or the port is
    taken; 2 a --host other machines can reach without --allow-remote.
    """
    from engine import api
    from engine.meeting.serving import RemoteRefused, check_host

    try:
        check_host(host, allow_remote)
    except RemoteRefused as e:
        raise click.UsageError(str(e)) from None

    def announce(address: str) -> None:
        click.echo(f"The meeting page for cycle {cycle_name} (Ctrl-C stops it):\n    {address}")

    with using_store(db) as store:
        try:
            api.serve_meeting(store, cycle_name, host, port, allow_remote, announce)
        except OSError as e:
            click.echo(f"ladder: error: cannot listen on {host}:{port}: {e.strerror or e} [serve.unavailable]", err=True)
            sys.exit(1)
