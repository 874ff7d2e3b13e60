#!/usr/bin/python3
"""A real SMTP server for hearth's tests, with fault injection.

Built on aiosmtpd (Debian: ``apt-get install python3-aiosmtpd openssl``); run it with
Debian's interpreter, ``/usr/bin/python3``, which sees the Debian package.

    smtp_server.py --dir DIR [--port N] [--tempfail-first A,B] [--permfail A]
                   [--drop-data-once A] [--starttls CERT,KEY | --tls-wrapper CERT,KEY]
                   [--auth USER:PASSWORD [--close-after-failed-auth]] [--delay-ms N]
                   [--latency-ms N] [--pipelining]
                   [--fault-after N --fault-reply REPLY [--fault-times M]]
                   [--exit-on-stdin-eof]
    smtp_server.py --cert-out DIR

The server listens on 127.0.0.1 (an ephemeral port unless ``--port`` is given), prints
exactly one line ``READY <port>`` to stdout once it accepts connections, and serves
until SIGTERM or SIGINT, when it exits 0.

What it records, under DIR:

- ``messages/<seq>-<rcpt>.eml``: the raw DATA bytes of every accepted message, one file
  per RCPT TO recipient (``seq`` is a zero-padded counter, so names sort in arrival
  order). Each file is written under a temporary name and renamed into place.
- ``log.jsonl``: one JSON object per line and per SMTP event, with at least ``event``
  (``accepted`` | ``tempfail`` | ``permfail`` | ``dropped`` | ``auth``), ``rcpt``,
  ``mail_from`` and ``ts`` (seconds since the epoch, a float). ``accepted`` lines also
  carry ``file`` (relative to DIR), ``seq``, ``tls`` and ``user`` (the authenticated
  login or null); ``auth`` lines carry ``user``, ``mechanism`` and ``success``.

Faults (every option takes a comma-separated list of addresses, compared without
regard to case):

- ``--tempfail-first``: ``451 4.3.0 Try again later`` to the first RCPT TO of each
  address; later attempts are accepted.
- ``--permfail``: ``550 5.1.1 No such user`` to every RCPT TO of these addresses.
- ``--drop-data-once``: the first message whose recipients include such an address has
  its connection closed after the whole DATA has arrived, with no reply; nothing of it
  is stored. Later messages are accepted.
- ``--delay-ms``: every DATA waits this long before the message is stored and
  answered. A client that disconnects during the wait has its message discarded.

- ``--fault-after N --fault-reply "454 Throttling failure: ..." --fault-times M``: once
  N messages have been accepted, the next M RCPT TO commands (default 1) get REPLY
  (logged as ``fault``); later ones are accepted again. Models a provider's
  throttling or quota reply.
- ``--close-after-failed-auth``: a failed AUTH gets its 535 and the connection is
  closed, as some providers do.

Speed:

- ``--latency-ms N``: every reply reaches the client N ms after the server made it,
  as over a network with that delay; replies made together (pipelined commands)
  arrive together. Not with TLS.
- ``--pipelining``: EHLO offers PIPELINING (RFC 2920); aiosmtpd reads pipelined
  commands in order either way.

``--cert-out DIR`` writes a throw-away certificate authority (``ca.pem``) and a server
certificate for localhost / 127.0.0.1 signed by it (``cert.pem``, ``key.pem``) with the
``openssl`` command, prints the three paths as JSON, and exits. Give ``cert.pem,key.pem``
to ``--starttls`` or ``--tls-wrapper``, and ``ca.pem`` to the client as trusted root.
(A leaf that is not a CA is what strict verifiers such as rustls/webpki want.)
"""

import argparse
import asyncio
import json
import logging
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import warnings

try:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword
except ImportError as error:  # pragma: no cover - depends on the host
    Controller = None
    IMPORT_ERROR = error
else:
    IMPORT_ERROR = None


# --------------------------------------------------------------------------- certs


def make_certs(out_dir):
    """Writes ca.pem, cert.pem and key.pem into out_dir with the openssl CLI and
    returns their paths as a dict."""
    os.makedirs(out_dir, exist_ok=True)
    p = {name: os.path.join(out_dir, name) for name in (
        "ca.pem", "ca-key.pem", "cert.pem", "key.pem", "cert.csr", "leaf.ext")}

    def run(*args):
        try:
            done = subprocess.run(["openssl", *args], capture_output=True, text=True)
        except FileNotFoundError:
            raise SystemExit("smtp_server.py: the openssl command is missing "
                             "(apt-get install openssl)")
        if done.returncode != 0:
            raise SystemExit(f"openssl {' '.join(args)} failed:\n{done.stderr}")

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-subj", "/CN=hearth test CA", "-keyout", p["ca-key.pem"], "-out", p["ca.pem"],
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
        "-keyout", p["key.pem"], "-out", p["cert.csr"])
    with open(p["leaf.ext"], "w") as f:
        f.write(
            "basicConstraints=critical,CA:FALSE\n"
            "keyUsage=critical,digitalSignature,keyEncipherment\n"
            "extendedKeyUsage=serverAuth\n"
            "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
            "subjectKeyIdentifier=hash\n"
            "authorityKeyIdentifier=keyid,issuer\n")
    run("x509", "-req", "-in", p["cert.csr"], "-CA", p["ca.pem"], "-CAkey", p["ca-key.pem"],
        "-CAcreateserial", "-days", "2", "-sha256", "-extfile", p["leaf.ext"],
        "-out", p["cert.pem"])
    return {k: os.path.abspath(p[f]) for k, f in (("ca", "ca.pem"), ("cert", "cert.pem"), ("key", "key.pem"))}


# --------------------------------------------------------------------------- server


def address_list(value):
    return {a.strip().lower() for a in value.split(",") if a.strip()}


def pem_pair(value):
    cert, sep, key = value.partition(",")
    if not sep or not cert or not key:
        raise argparse.ArgumentTypeError("expected CERT,KEY")
    return cert, key


def user_password(value):
    user, sep, password = value.partition(":")
    if not sep or not user:
        raise argparse.ArgumentTypeError("expected USER:PASSWORD")
    return user, password


def safe_name(address):
    """A file-name-safe form of an address."""
    return re.sub(r"[^A-Za-z0-9@._+-]", "_", address)[:100] or "_"


class Recorder:
    """The aiosmtpd handler: applies the faults and records what arrives."""

    def __init__(self, args):
        self.dir = args.dir
        self.messages = os.path.join(self.dir, "messages")
        os.makedirs(self.messages, exist_ok=True)
        self.log_path = os.path.join(self.dir, "log.jsonl")
        self.tempfail_pending = set(args.tempfail_first)
        self.permfail = set(args.permfail)
        self.drop_pending = set(args.drop_data_once)
        self.auth = args.auth
        self.delay = args.delay_ms / 1000.0
        self.fault_after = args.fault_after
        self.fault_reply = args.fault_reply
        self.faults_left = args.fault_times if args.fault_reply else 0
        self.accepted = 0
        self.close_after_failed_auth = args.close_after_failed_auth
        self.seq = 0
        self.lock = threading.Lock()

    # ---- recording

    def log(self, event, rcpt=None, mail_from=None, **extra):
        line = {"event": event, "rcpt": rcpt, "mail_from": mail_from, "ts": time.time()}
        line.update(extra)
        data = (json.dumps(line) + "\n").encode()
        with self.lock:
            # One write() of a whole line, so a reader never sees half of one.
            fd = os.open(self.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)

    def store(self, rcpt, content):
        with self.lock:
            self.seq += 1
            seq = self.seq
        name = f"{seq:06d}-{safe_name(rcpt)}.eml"
        final = os.path.join(self.messages, name)
        temp = os.path.join(self.messages, f".{name}.tmp")
        with open(temp, "wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.rename(temp, final)
        return seq, os.path.join("messages", name)

    # ---- aiosmtpd hooks

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        key = address.lower()
        if self.faults_left > 0 and self.accepted >= (self.fault_after or 0):
            self.faults_left -= 1
            self.log("fault", address, envelope.mail_from, reply=self.fault_reply)
            return self.fault_reply
        if key in self.permfail:
            self.log("permfail", address, envelope.mail_from)
            return "550 5.1.1 No such user"
        if key in self.tempfail_pending:
            self.tempfail_pending.discard(key)
            self.log("tempfail", address, envelope.mail_from)
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        rcpts = list(envelope.rcpt_tos)
        triggers = {r.lower() for r in rcpts} & self.drop_pending
        if triggers:
            self.drop_pending -= triggers
            for rcpt in rcpts:
                self.log("dropped", rcpt, envelope.mail_from, trigger=sorted(triggers))
            # No reply: close the connection. connection_lost() then cancels this
            # coroutine while it waits below, so nothing is stored or answered.
            server.transport.close()
            await asyncio.sleep(60)
            return "421 4.4.2 Connection dropped"  # not reached in practice
        if self.delay:
            await asyncio.sleep(self.delay)
        tls = session.ssl is not None or (
            server.transport is not None
            and server.transport.get_extra_info("ssl_object") is not None)
        user = None
        if isinstance(session.auth_data, LoginPassword):
            user = session.auth_data.login.decode("utf-8", "replace")
        self.accepted += 1
        for rcpt in rcpts:
            seq, rel = self.store(rcpt, envelope.original_content)
            self.log("accepted", rcpt, envelope.mail_from, file=rel, seq=seq, tls=tls,
                     user=user)
        return "250 2.0.0 OK: queued"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = False
        user = None
        if isinstance(auth_data, LoginPassword):
            user = auth_data.login.decode("utf-8", "replace")
            ok = (auth_data.login == self.auth[0].encode()
                  and auth_data.password == self.auth[1].encode())
        self.log("auth", user=user, mechanism=mechanism, success=ok)
        if ok:
            return AuthResult(success=True, auth_data=auth_data)
        if self.close_after_failed_auth:
            # The 535 goes out first (push is scheduled before the close runs).
            server.loop.call_later(0.05, server.transport.close)
        # handled=False: aiosmtpd answers 535 5.7.8 itself.
        return AuthResult(success=False, handled=False)


class PipeliningRecorder(Recorder):
    """A Recorder whose server offers PIPELINING in its EHLO reply."""

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        return responses[:-1] + ["250-PIPELINING"] + responses[-1:]


if Controller is not None:
    from aiosmtpd.smtp import SMTP

    class LatencySMTP(SMTP):
        """An SMTP session whose replies reach the client `latency` seconds after
        they were made, in order, without holding up the server: the delay of a
        network between them."""

        latency = 0.0

        async def push(self, status):
            if isinstance(status, str):
                status = status.encode("utf-8" if self.enable_SMTPUTF8 else "ascii")
            if getattr(self, "_late", None) is None:
                self._late = asyncio.Queue()
                self._late_task = self.loop.create_task(self._deliver_late())
            self._late.put_nowait((self.loop.time() + self.latency, status + b"\r\n"))

        async def _deliver_late(self):
            while True:
                due, data = await self._late.get()
                wait = due - self.loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if self.transport is None or self.transport.is_closing():
                    continue
                self._writer.write(data)

    class BoundController(Controller):
        """A Controller that serves on an already bound socket, so an ephemeral
        port can be used without a race between finding it and binding it."""

        def __init__(self, handler, sock, **kwargs):
            host, port = sock.getsockname()[:2]
            super().__init__(handler, hostname=host, port=port, **kwargs)
            self.sock = sock

        latency = 0.0

        def factory(self):
            if not self.latency:
                return super().factory()
            server = LatencySMTP(self.handler, **self.SMTP_kwargs)
            server.latency = self.latency
            return server

        def _create_server(self):
            return self.loop.create_server(
                self._factory_invoker, sock=self.sock, ssl=self.ssl_context)


def server_context(pair):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*pair)
    return context


def serve(args):
    if Controller is None:
        sys.stderr.write(
            f"smtp_server.py: cannot import aiosmtpd ({IMPORT_ERROR}).\n"
            "Install it: apt-get install python3-aiosmtpd openssl, "
            "and run this script with /usr/bin/python3\n")
        return 3
    # aiosmtpd warns (and logs) about plaintext AUTH and deprecated attributes; keep
    # stderr for real errors.
    warnings.simplefilter("ignore")
    logging.basicConfig(level=logging.ERROR, format="smtp_server: %(message)s")
    handler = PipeliningRecorder(args) if args.pipelining else Recorder(args)
    smtp_kwargs = {
        "server_hostname": "localhost",  # avoids a slow getfqdn()
        "enable_SMTPUTF8": True,
        "ready_timeout": 10.0,
    }
    ssl_context = None
    if args.starttls:
        smtp_kwargs["tls_context"] = server_context(args.starttls)
        smtp_kwargs["require_starttls"] = True
    elif args.tls_wrapper:
        ssl_context = server_context(args.tls_wrapper)
    if args.auth:
        smtp_kwargs["authenticator"] = handler.authenticate
        smtp_kwargs["auth_required"] = True
        # Over STARTTLS, AUTH waits for TLS; plaintext AUTH is fine on loopback, and
        # implicit TLS is already encrypted (aiosmtpd does not see it as such).
        smtp_kwargs["auth_require_tls"] = bool(args.starttls)

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.listen(100)
    controller = BoundController(handler, sock, ssl_context=ssl_context, **smtp_kwargs)
    controller.latency = args.latency_ms / 1000.0

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if args.exit_on_stdin_eof:
        def watch_stdin():
            try:
                while sys.stdin.buffer.read(4096):
                    pass
            except OSError:
                pass
            stop.set()
        threading.Thread(target=watch_stdin, daemon=True).start()

    controller.start()
    print(f"READY {sock.getsockname()[1]}", flush=True)
    while not stop.wait(0.5):
        pass
    controller.stop()
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="A recording SMTP server with fault injection, for hearth's tests "
                    "(see the module docstring for the files it writes).")
    parser.add_argument("--dir", help="where messages/ and log.jsonl are written")
    parser.add_argument("--port", type=int, default=0,
                        help="port on 127.0.0.1 (default 0: an ephemeral port)")
    parser.add_argument("--tempfail-first", type=address_list, default=set(),
                        metavar="A,B", help="451 to the first RCPT TO of each address")
    parser.add_argument("--permfail", type=address_list, default=set(), metavar="A,B",
                        help="550 to every RCPT TO of these addresses")
    parser.add_argument("--drop-data-once", type=address_list, default=set(),
                        metavar="A,B",
                        help="drop the connection, with no reply, at the end of DATA of "
                             "the first message to any of these addresses")
    tls = parser.add_mutually_exclusive_group()
    tls.add_argument("--starttls", type=pem_pair, metavar="CERT,KEY",
                     help="offer and require STARTTLS with this certificate")
    tls.add_argument("--tls-wrapper", type=pem_pair, metavar="CERT,KEY",
                     help="implicit TLS (SMTPS) with this certificate")
    parser.add_argument("--auth", type=user_password, metavar="USER:PASSWORD",
                        help="require AUTH PLAIN or LOGIN with these credentials")
    parser.add_argument("--delay-ms", type=int, default=0, metavar="N",
                        help="wait N ms in DATA before storing and replying")
    parser.add_argument("--latency-ms", type=int, default=0, metavar="N",
                        help="every reply reaches the client N ms after it was made")
    parser.add_argument("--pipelining", action="store_true",
                        help="offer PIPELINING in the EHLO reply")
    parser.add_argument("--fault-after", type=int, default=0, metavar="N",
                        help="after N accepted messages, answer RCPT TO with --fault-reply")
    parser.add_argument("--fault-reply", default=None, metavar="REPLY",
                        help="the reply, such as '454 Throttling failure: ...'")
    parser.add_argument("--fault-times", type=int, default=1, metavar="M",
                        help="how many RCPT TO commands get --fault-reply (default 1)")
    parser.add_argument("--close-after-failed-auth", action="store_true",
                        help="close the connection after a failed AUTH")
    parser.add_argument("--exit-on-stdin-eof", action="store_true",
                        help="also stop when stdin is closed (the parent went away)")
    parser.add_argument("--cert-out", metavar="DIR",
                        help="only write ca.pem, cert.pem and key.pem into DIR and exit")
    args = parser.parse_args(argv)

    if args.cert_out:
        print(json.dumps(make_certs(args.cert_out)), flush=True)
        return 0
    if not args.dir:
        parser.error("--dir is required (unless --cert-out is given)")
    return serve(args)


if __name__ == "__main__":
    sys.exit(main())
