#!/usr/bin/env python3
"""The floor for the newsletter benchmark: a bare smtplib loop that sends one ready-made
message to every subscriber over one reused connection, doing nothing else.

    smtplib_baseline.py --port N --eml FILE --subscribers CSV [--host H] [--count N]

FILE is one message as hearth builds it (an .eml from `hearth newsletter send
--dry-run`); only its To header is replaced per recipient (from the `email` and `name`
columns of CSV), so each message has the same size and structure as hearth's: no
templating, no MIME encoding, no ledger, no retries. Uses only the standard library;
prints `sent N in S s` to stderr.
"""

import argparse
import csv
import smtplib
import sys
import time
from email.utils import formataddr


def split_message(raw):
    """(header lines before To, header lines after To, body) of a CRLF message; the
    To header may be folded over several lines."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        raise SystemExit("smtplib_baseline.py: the .eml has no CRLF header/body separator")
    lines = head.split(b"\r\n")
    start = next((i for i, l in enumerate(lines) if l.lower().startswith(b"to:")), None)
    if start is None:
        raise SystemExit("smtplib_baseline.py: the .eml has no To header")
    end = start + 1
    while end < len(lines) and lines[end][:1] in (b" ", b"\t"):
        end += 1
    before = b"\r\n".join(lines[:start]) + b"\r\n"
    after = b"\r\n".join(lines[end:])
    after = (after + b"\r\n" if after else b"") + b"\r\n" + body
    return before, after


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--eml", required=True, help="a message as hearth builds it")
    parser.add_argument("--subscribers", required=True, help="CSV with email,name columns")
    parser.add_argument("--count", type=int, help="send to the first COUNT only")
    args = parser.parse_args(argv)

    with open(args.eml, "rb") as f:
        before, after = split_message(f.read())
    sender = "news@harbour.example.org"
    with open(args.subscribers, newline="", encoding="utf-8") as f:
        rows = [(r["email"], r.get("name") or "") for r in csv.DictReader(f)]
    if args.count is not None:
        rows = rows[: args.count]

    start = time.perf_counter()
    with smtplib.SMTP(args.host, args.port, local_hostname="localhost", timeout=30) as smtp:
        for address, name in rows:
            # The same header hearth writes: `To: "Name" <addr>` (quoted if needed).
            to = formataddr((name, address)).encode("utf-8")
            refused = smtp.sendmail(sender, [address], before + b"To: " + to + b"\r\n" + after)
            if refused:
                raise SystemExit(f"smtplib_baseline.py: refused: {refused}")
    took = time.perf_counter() - start
    print(f"sent {len(rows)} in {took:.2f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
