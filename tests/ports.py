"""Ports for the servers the tests start, that no other test process can be handed.

A server that needs its port on the command line (Virtuoso's ini file, ``oxigraph serve
--bind``) cannot be started on port 0, and a port that the kernel found free a moment ago
may be taken before the server binds it: by an outgoing connection (the kernel hands those
ephemeral ports) or by another pytest-xdist worker doing the same. So the tests draw such
ports below the kernel's ephemeral range (Linux: 32768 and up), each xdist worker from its
own block, and skip any port something already listens on. Two test processes then never
reach for the same port, and no outgoing connection can take one.
"""

from __future__ import annotations

import itertools
import os
import socket

#: The ports below the ephemeral range that the tests may use, split between xdist workers.
FIRST_PORT, LAST_PORT = 12000, 31999
#: Each worker's block of ports (gw0, gw1, …; one block when xdist is not used).
BLOCK = 2000

_worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
_index = int(_worker[2:]) if _worker[2:].isdigit() else 0
_start = FIRST_PORT + (_index * BLOCK) % (LAST_PORT - FIRST_PORT + 1)
_next = itertools.cycle(range(_start, _start + BLOCK))


def free_port() -> int:
    """Return a loopback port of this worker's block that nothing listens on now."""
    for _ in range(BLOCK):
        port = next(_next)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue  # something holds it (a server an earlier test started)
            return port
    raise RuntimeError(f"no free port in {_start}..{_start + BLOCK - 1}")
