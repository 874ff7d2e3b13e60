#!/usr/bin/python3
"""A minimal SMTP sink for the newsletter benchmark: accepts every message, keeps
nothing but counts, and writes a JSON summary when it stops.

Built on aiosmtpd (Debian: ``apt-get install python3-aiosmtpd``); run it with Debian's
``/usr/bin/python3``, which sees that package.

    smtp_sink.py --summary FILE [--port N]

It listens on 127.0.0.1 (an ephemeral port unless ``--port`` is given), prints one line
``READY <port>`` to stdout once it accepts connections, and serves until SIGTERM or
SIGINT. Then it writes FILE (under a temporary name, renamed into place) and exits 0:

    {"messages": M,            accepted DATA commands
     "deliveries": D,          accepted (message, recipient) pairs
     "bytes": B,               total DATA bytes over all messages
     "min_size": s, "max_size": S,
     "first_ts": t0, "last_ts": t1,   time.time() at the first and last DATA
     "received_by": {"rcpt": count, ...}}

Unlike tests/tools/smtp_server.py it writes no file, log line or fsync per message: the
benchmark measures the client, and the server should cost as little as it can.
"""

import json
import os
import signal
import socket
import sys
import threading
import time

try:
    from aiosmtpd.controller import Controller
except ImportError as error:  # pragma: no cover - depends on the host
    sys.stderr.write(
        f"smtp_sink.py: cannot import aiosmtpd ({error}).\n"
        "Install it: apt-get install python3-aiosmtpd, and run this script with "
        "/usr/bin/python3\n")
    sys.exit(3)


class Counter:
    """The aiosmtpd handler: accepts everything, counts per recipient."""

    def __init__(self):
        self.messages = 0
        self.bytes = 0
        self.min_size = None
        self.max_size = 0
        self.first_ts = None
        self.last_ts = None
        self.received_by = {}

    async def handle_DATA(self, server, session, envelope):
        size = len(envelope.original_content or b"")
        now = time.time()
        if self.first_ts is None:
            self.first_ts = now
        self.last_ts = now
        self.messages += 1
        self.bytes += size
        self.max_size = max(self.max_size, size)
        self.min_size = size if self.min_size is None else min(self.min_size, size)
        for rcpt in envelope.rcpt_tos:
            self.received_by[rcpt] = self.received_by.get(rcpt, 0) + 1
        return "250 2.0.0 OK"

    def summary(self):
        return {
            "messages": self.messages,
            "deliveries": sum(self.received_by.values()),
            "bytes": self.bytes,
            "min_size": self.min_size,
            "max_size": self.max_size,
            "first_ts": self.first_ts,
            "last_ts": self.last_ts,
            "received_by": self.received_by,
        }


class BoundController(Controller):
    """Serves on an already bound socket: an ephemeral port without a race."""

    def __init__(self, handler, sock, **kwargs):
        host, port = sock.getsockname()[:2]
        super().__init__(handler, hostname=host, port=port, **kwargs)
        self.sock = sock

    def _create_server(self):
        return self.loop.create_server(self._factory_invoker, sock=self.sock)


def main(argv):
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--summary", required=True, help="JSON summary written on exit")
    parser.add_argument("--port", type=int, default=0, help="default 0: ephemeral")
    args = parser.parse_args(argv)

    handler = Counter()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.listen(100)
    controller = BoundController(
        handler, sock,
        server_hostname="localhost",  # avoids a slow getfqdn()
        ready_timeout=10.0,
        data_size_limit=0,            # no limit
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    controller.start()
    print(f"READY {sock.getsockname()[1]}", flush=True)
    while not stop.wait(0.2):
        pass
    controller.stop()
    temp = args.summary + ".tmp"
    with open(temp, "w") as f:
        json.dump(handler.summary(), f)
    os.replace(temp, args.summary)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
