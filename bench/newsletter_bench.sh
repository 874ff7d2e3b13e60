#!/usr/bin/env bash
# Times `hearth newsletter send` to N subscribers against a local SMTP sink, next to a
# bare Python smtplib loop sending messages of the same size to the same sink, and
# compares hearth's peak memory at N/10 and N recipients. Usage:
#   bash bench/newsletter_bench.sh [N]        (default: 10000)
# Environment: BENCH_TIMEOUT (seconds per run; default 60 + N/10, i.e. 100 ms a message,
# twice what hearth takes today); TMPDIR (where the sites and hearth's delivery ledger
# go: the ledger is fsynced per message, so the disk under TMPDIR matters).
set -euo pipefail
cd "$(dirname "$0")/.."

n=${1:-10000}
if ! [[ $n =~ ^[0-9]+$ ]] || ((n < 10)); then
  echo "usage: bash bench/newsletter_bench.sh [N]   (N: subscribers, at least 10)" >&2
  exit 2
fi
small=$((n / 10))
limit=${BENCH_TIMEOUT:-$((60 + n / 10))}
now=2026-11-23T10:00:00+01:00
py=/usr/bin/python3 # Debian's interpreter: the one that sees python3-aiosmtpd
bin=target/release/hearth

die() { echo "newsletter_bench: $*" >&2; exit 1; }

# ---------------------------------------------------------------- tools
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (apt-get install time)"
command -v timeout >/dev/null || die "timeout is missing (apt-get install coreutils)"
command -v cargo >/dev/null || die "cargo is missing (install the Rust toolchain)"
[[ -x $py ]] || die "$py is missing: the SMTP sink needs Debian's Python with aiosmtpd (apt-get install python3-aiosmtpd)"
"$py" -c 'import aiosmtpd' 2>/dev/null ||
  die "$py cannot import aiosmtpd (apt-get install python3-aiosmtpd); the python3 on PATH is not the one that sees it"

cargo build --release --quiet

work=$(mktemp -d "${TMPDIR:-/tmp}/hearth-newsletter-bench.XXXXXX")
sink_pid=
cleanup() {
  if [[ -n $sink_pid ]]; then
    kill -TERM "$sink_pid" 2>/dev/null || true
    wait "$sink_pid" 2>/dev/null || true
    sink_pid=
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- sink
port=
start_sink() { # summary-file
  rm -f "$1" "$work/sink.out"
  "$py" bench/smtp_sink.py --summary "$1" >"$work/sink.out" 2>"$work/sink.err" &
  sink_pid=$!
  port=
  for _ in $(seq 150); do
    port=$(awk '/^READY /{print $2; exit}' "$work/sink.out")
    [[ -n $port ]] && return 0
    kill -0 "$sink_pid" 2>/dev/null || break
    sleep 0.1
  done
  cat "$work/sink.err" >&2
  die "the SMTP sink did not start (bench/smtp_sink.py; needs python3-aiosmtpd)"
}

stop_sink() { # summary-file
  kill -TERM "$sink_pid"
  wait "$sink_pid" || { cat "$work/sink.err" >&2; die "the SMTP sink failed"; }
  sink_pid=
  [[ -s $1 ]] || die "the SMTP sink wrote no summary"
}

# Checks the sink got exactly COUNT messages, one to each personNNNNN@example.org of the
# list; prints the mean message size in bytes.
verify() { # summary-file count label
  "$py" - "$@" <<'EOF'
import json, sys
path, count, label = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = json.load(open(path))
want = {f"person{i:05d}@example.org" for i in range(count)}
got = s["received_by"]
problems = []
if s["messages"] != count:
    problems.append(f"{s['messages']} messages, not {count}")
missing = want - got.keys()
extra = got.keys() - want
twice = sorted(a for a, c in got.items() if c != 1)
if missing: problems.append(f"{len(missing)} recipients got nothing, e.g. {sorted(missing)[:3]}")
if extra: problems.append(f"{len(extra)} unexpected recipients, e.g. {sorted(extra)[:3]}")
if twice: problems.append(f"{len(twice)} recipients got more than one, e.g. {twice[:3]}")
if problems:
    sys.exit(f"newsletter_bench: {label}: " + "; ".join(problems))
print(s["bytes"] // max(1, s["messages"]))
EOF
}

# ---------------------------------------------------------------- sites
write_csv() { # file count
  awk -v n="$2" 'BEGIN {
    print "email,name,team"
    for (i = 0; i < n; i++) printf "person%05d@example.org,Person %d,Team %d\n", i, i, i % 7
  }' >"$1"
}

make_site() { # dir count [port]
  cp -r tests/fixtures/newsletter "$1"
  write_csv "$1/subscribers.csv" "$2"
  if [[ -n ${3:-} ]]; then
    # No rate_per_second: as fast as the server takes them.
    printf '\n[smtp]\nhost = "127.0.0.1"\nport = %s\nsecurity = "none"\n' "$3" >>"$1/hearth.toml"
  fi
}

# ---------------------------------------------------------------- measuring
# Runs a command under /usr/bin/time -v (and a time limit); sets wall (s), cpu (user +
# sys, s) and rss (KB).
wall= cpu= rss=
measure() { # label command...
  local label=$1 status=0
  shift
  /usr/bin/time -v -o "$work/time.txt" timeout -k 5 "$limit" "$@" >"$work/run.out" 2>"$work/run.err" || status=$?
  if ((status != 0)); then
    cat "$work/run.out" "$work/run.err" >&2
    ((status == 124)) && die "$label: took longer than ${limit}s (BENCH_TIMEOUT)"
    die "$label: exit status $status"
  fi
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {
    n = split($2, p, ":"); s = 0
    for (i = 1; i <= n; i++) s = s * 60 + p[i]
    print s }' "$work/time.txt")
  cpu=$(awk -F': ' '/User time/ {u = $2} /System time/ {s = $2} END {print u + s}' "$work/time.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
}

hearth_send() { # label site count
  local label=$1 site=$2 count=$3 summary="$work/$1.json"
  start_sink "$summary"
  make_site "$site" "$count" "$port"
  measure "$label" "$bin" newsletter send "$site" --now "$now" -q
  stop_sink "$summary"
  size=$(verify "$summary" "$count" "$label")
  local ledger="$site/.hearth/newsletter/issue-1.log"
  [[ $(grep -c '^D ' "$ledger") == "$count" ]] || die "$label: the ledger does not record $count deliveries"
}

echo "hearth newsletter send: $n subscribers (and $small), local aiosmtpd sink, work dir $work" >&2

# One message as hearth builds it, for the baseline to copy.
make_site "$work/template" 1
"$bin" newsletter send "$work/template" --now "$now" --dry-run --outbox "$work/outbox" -q
eml=$(find "$work/outbox" -name '*.eml' | head -1)
[[ -n $eml ]] || die "hearth --dry-run wrote no .eml"

echo "  hearth, $n recipients ..." >&2
hearth_send "hearth-$n" "$work/site-$n" "$n"
h_wall=$wall h_cpu=$cpu h_rss=$rss h_size=$size

echo "  smtplib baseline, $n recipients ..." >&2
start_sink "$work/smtplib.json"
measure "smtplib" "$py" bench/smtplib_baseline.py --port "$port" --eml "$eml" \
  --subscribers "$work/site-$n/subscribers.csv"
stop_sink "$work/smtplib.json"
b_size=$(verify "$work/smtplib.json" "$n" "smtplib baseline")
b_wall=$wall b_cpu=$cpu b_rss=$rss

echo "  hearth, $small recipients ..." >&2
hearth_send "hearth-$small" "$work/site-$small" "$small"
s_wall=$wall s_cpu=$cpu s_rss=$rss

# ---------------------------------------------------------------- report
awk -v n="$n" -v small="$small" \
  -v hw="$h_wall" -v hc="$h_cpu" -v hr="$h_rss" -v hs="$h_size" \
  -v bw="$b_wall" -v bc="$b_cpu" -v br="$b_rss" -v bs="$b_size" \
  -v sw="$s_wall" -v sc="$s_cpu" -v sr="$s_rss" 'BEGIN {
  printf "\nAll %d messages arrived, one per recipient, for both senders (mean size: hearth %d B, smtplib %d B).\n\n", n, hs, bs
  printf "| sender | recipients | wall time | CPU (user+sys) | messages/s | ms/message | peak memory |\n"
  printf "| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n"
  printf "| hearth | %d | %.2f s | %.2f s | %.0f | %.2f | %.1f MB |\n", n, hw, hc, n / hw, 1000 * hw / n, hr / 1024
  printf "| smtplib loop | %d | %.2f s | %.2f s | %.0f | %.2f | %.1f MB |\n", n, bw, bc, n / bw, 1000 * bw / n, br / 1024
  printf "| hearth | %d | %.2f s | %.2f s | %.0f | %.2f | %.1f MB |\n", small, sw, sc, small / sw, 1000 * sw / small, sr / 1024
  printf "\nhearth / smtplib: %.2fx the throughput, %.2fx the peak memory\n", bw / hw, hr / br
  printf "hearth peak memory: %.1f MB at %d recipients, %.1f MB at %d (%.2fx for 10x the recipients, %+.1f MB)\n",
    sr / 1024, small, hr / 1024, n, hr / sr, (hr - sr) / 1024
}'
