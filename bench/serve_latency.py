#!/usr/bin/env python3
"""Measures write-to-served latency of a live-reloading dev server (`hearth serve` or
`hugo server`). Used by bench/serve_latency.sh; runnable alone:

    python3 bench/serve_latency.py --kind hearth --site SITE --file content/posts/x.md \\
        --path /posts/x/ --runs 5 -- target/release/hearth serve SITE --port 0

Starts the command (in its own process group, killed on exit), waits until it prints
its address and serves --path, then --runs times: appends a unique marker line to
--file, and polls --path every --interval seconds (a new connection per request)
until the body holds the marker. t0 is taken just before the write, t1 when the
response with the marker has been read. It also collects the rebuild time the server
prints for each change (hearth: `Rebuilt in N ms`, hugo: `Total in N ms`).
Prints one JSON object: the latencies, the printed times and their medians.

With --template SRC, each change instead writes --file (a template, e.g.
templates/base.html) as the text of SRC with the marker in an HTML comment before the
last --anchor in it (default `</body>`), through a temporary file renamed into place
as editors save, and polls --path the same way: the time for a template change.
"""
import argparse
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

KINDS = {
    # kind: (address line, initial build line, rebuild line)
    "hearth": (re.compile(r"Serving .* at http://([\d.]+):(\d+)/"),
               re.compile(r"^Built in (\d+) ms", re.M),
               re.compile(r"^Rebuilt in (\d+) ms", re.M)),
    "hugo": (re.compile(r"Web Server is available at http://[^:/]+:(\d+)/ \(bind address ([\d.]+)\)"),
             re.compile(r"^Built in (\d+) ms", re.M),
             re.compile(r"^Total in (\d+) ms", re.M)),
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(host, port, path, timeout=30):
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Cache-Control": "no-cache"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


class Server:
    def __init__(self, cmd, cwd):
        self.log = tempfile.NamedTemporaryFile(prefix="serve-latency-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(cmd, cwd=cwd, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)

    def text(self):
        with open(self.log.name, encoding="utf-8", errors="replace") as f:
            return f.read()

    def wait_for(self, pattern, timeout, what):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = pattern.search(self.text())
            if m:
                return m
            if self.proc.poll() is not None:
                sys.exit(f"server exited ({self.proc.returncode}) before {what}:\n{self.text()}")
            time.sleep(0.05)
        sys.exit(f"timed out waiting for {what}:\n{self.text()[-3000:]}")

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)  # the group of the server we started
                self.proc.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.log.close()
        os.unlink(self.log.name)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kind", choices=KINDS, required=True)
    ap.add_argument("--site", required=True, help="the site folder (the command's cwd)")
    ap.add_argument("--file", required=True, help="the post to change, relative to --site")
    ap.add_argument("--path", required=True, help="the URL path of that post")
    ap.add_argument("--template", help="write --file as this template with the marker (see above)")
    ap.add_argument("--anchor", default="</body>", help="the marker goes before the last of these in --template")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--interval", type=float, default=0.002)
    ap.add_argument("--start-timeout", type=float, default=600)
    ap.add_argument("--change-timeout", type=float, default=300)
    ap.add_argument("--settle", type=float, default=0.5,
                    help="pause after each change so the next one starts on an idle server")
    ap.add_argument("--pidfile", help="write the server's process id here (for the caller's cleanup)")
    ap.add_argument("cmd", nargs="+", help="the server command; PORT is replaced by a free port")
    args = ap.parse_args()

    address_re, built_re, rebuilt_re = KINDS[args.kind]
    cmd = [c.replace("PORT", str(free_port())) if "PORT" in c else c for c in args.cmd]
    server = Server(cmd, args.site)
    if args.pidfile:
        with open(args.pidfile, "w") as f:
            f.write(f"{server.proc.pid}\n")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        m = server.wait_for(address_re, args.start_timeout, "the server's address")
        host, port = (m.group(1), int(m.group(2))) if args.kind == "hearth" else (m.group(2), int(m.group(1)))
        built = server.wait_for(built_re, args.start_timeout, "the initial build")
        deadline = time.monotonic() + args.start_timeout
        while True:
            try:
                status, _ = fetch(host, port, args.path)
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                sys.exit(f"{args.path} never served 200:\n{server.text()[-3000:]}")
            time.sleep(0.05)

        post = os.path.join(args.site, args.file)
        latencies, printed, requests = [], [], []
        for k in range(args.runs):
            before = len(rebuilt_re.findall(server.text()))
            marker = f"servelatencymarker{k}x{os.getpid()}x{time.time_ns()}".encode()
            if args.template:
                with open(args.template, "rb") as f:
                    source = f.read()
                at = source.rfind(args.anchor.encode())
                if at < 0:
                    sys.exit(f"{args.template} has no {args.anchor!r} to put the marker before")
                text = source[:at] + b"<!-- " + marker + b" -->" + source[at:]
                os.makedirs(os.path.dirname(post), exist_ok=True)
                tmp = post + ".latency.tmp"  # a name servers ignore, like editors' temp files
                with open(tmp, "wb") as f:
                    f.write(text)
            t0 = time.perf_counter()
            if args.template:
                os.replace(tmp, post)
            else:
                with open(post, "ab") as f:
                    f.write(b"\n" + marker + b"\n")
            n = 0
            while True:
                n += 1
                try:
                    status, body = fetch(host, port, args.path)
                    if status == 200 and marker in body:
                        break
                except OSError:
                    pass
                if time.perf_counter() - t0 > args.change_timeout:
                    sys.exit(f"change {k} never served:\n{server.text()[-3000:]}")
                time.sleep(args.interval)
            t1 = time.perf_counter()
            latencies.append((t1 - t0) * 1000)
            requests.append(n)
            # The server's own figure for this change (printed around when it serves it).
            deadline = time.monotonic() + 60
            while len(rebuilt_re.findall(server.text())) <= before and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(args.settle)
            found = [int(x) for x in rebuilt_re.findall(server.text())[before:]]
            printed.extend(found[:1])
            if len(found) > 1:
                print(f"note: change {k} caused {len(found)} rebuilds: {found}", file=sys.stderr)
        print(json.dumps({
            "kind": args.kind,
            "initial_build_ms": int(built.group(1)),
            "latency_ms": [round(x, 1) for x in latencies],
            "median_latency_ms": round(statistics.median(latencies), 1),
            "printed_rebuild_ms": printed,
            "median_printed_ms": statistics.median(printed) if printed else None,
            "requests": requests,
        }))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
