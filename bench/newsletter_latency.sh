#!/usr/bin/env bash
# How fast `hearth newsletter send` goes when every SMTP reply takes a while, as with
# a real provider some tens of milliseconds away: the test server
# (tests/tools/smtp_server.py) holds each reply back by LATENCY ms. Runs one send of
# N messages for each of: one connection without PIPELINING, one with it, and
# CONNECTIONS connections with it, and prints messages per second. Usage:
#   bash bench/newsletter_latency.sh [N]          (default: 1000)
# Environment: LATENCY (ms per reply, default 25), CONNECTIONS (default 4),
# HEARTH (a hearth binary to use instead of building target/release/hearth).
set -euo pipefail
cd "$(dirname "$0")/.."

n=${1:-1000}
latency=${LATENCY:-25}
connections=${CONNECTIONS:-4}
py=/usr/bin/python3 # Debian's interpreter: the one that sees python3-aiosmtpd
now=2026-11-23T10:00:00+01:00

die() { echo "newsletter_latency: $*" >&2; exit 1; }
"$py" -c 'import aiosmtpd' 2>/dev/null || die "$py cannot import aiosmtpd (apt-get install python3-aiosmtpd)"
if [[ -n ${HEARTH:-} ]]; then
  bin=$HEARTH
else
  cargo build --release --quiet
  bin=target/release/hearth
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/hearth-latency-bench.XXXXXX")
server_pid=
cleanup() {
  [[ -n $server_pid ]] && { kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT

# One run: label, connections, server options. Prints a table row.
run() {
  local label=$1 conns=$2
  shift 2
  local dir="$work/$label" site="$work/$label/site"
  mkdir -p "$dir"
  "$py" tests/tools/smtp_server.py --dir "$dir/server" --latency-ms "$latency" "$@" \
    > "$dir/ready" 2> "$dir/server.err" &
  server_pid=$!
  for _ in $(seq 100); do grep -q READY "$dir/ready" 2>/dev/null && break; sleep 0.1; done
  local port
  port=$(awk '/READY/ {print $2}' "$dir/ready")
  [[ -n $port ]] || die "the SMTP server did not start: $(cat "$dir/server.err")"
  cp -r tests/fixtures/newsletter "$site"
  { echo "email,name"; for i in $(seq "$n"); do echo "person$i@example.org,Person $i"; done; } \
    > "$site/subscribers.csv"
  printf '\n[smtp]\nhost = "127.0.0.1"\nport = %s\nsecurity = "none"\nconnections = %s\nrate_per_second = 100000\n' \
    "$port" "$conns" >> "$site/hearth.toml"
  local start end
  start=$(date +%s.%N)
  "$bin" newsletter send "$site" --now "$now" -q > "$dir/send.out" 2>&1 || die "send failed: $(cat "$dir/send.out")"
  end=$(date +%s.%N)
  local got
  got=$(find "$dir/server/messages" -name '*.eml' | wc -l)
  [[ $got -eq $n ]] || die "$label: the server got $got messages, not $n"
  kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
  awk -v l="$label" -v s="$start" -v e="$end" -v n="$n" \
    'BEGIN { printf "| %-34s | %7.1f s | %8.1f |\n", l, e - s, n / (e - s) }'
}

echo "$n messages, ${latency} ms per SMTP reply ($("$bin" --version 2>/dev/null | head -1))"
echo "| setup                              |    time  |  msgs/s  |"
echo "| ---------------------------------- | -------: | -------: |"
run "1 connection" 1
run "1 connection, PIPELINING" 1 --pipelining
run "$connections connections, PIPELINING" "$connections" --pipelining
