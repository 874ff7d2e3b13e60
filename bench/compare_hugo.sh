#!/usr/bin/env bash
# Full builds, hearth vs Hugo: generates the community site of N posts
# (bench/gen_site.py) and its Hugo equivalent (bench/gen_hugo_site.py), then builds
# the two alternately, each under `/usr/bin/time -v`, and prints the median wall time
# and peak memory (maximum resident set size) of each and their ratios. Usage:
#   bash bench/compare_hugo.sh [N ...]      (default: 1000 10000 50000)
# Environment: RUNS timed builds of each per N (default 3 at N >= 50000, else 5);
# WARMUP untimed builds of each per N before them (default 1 below 50000, else 0).
# Every build is a full build into a new, empty output folder, after a `sync` (not
# timed). The outputs are deleted only when the script ends: this disk is ext4 without
# a journal, where creating files within minutes of deleting many others is slow (the
# inode allocator skips recently deleted inodes one by one, `recently_deleted` in
# perf), which made each build slower than the one before when the output folder was
# removed between builds. The default sizes need about 15 GB in TMPDIR.
# Needs `hugo` on PATH (apt-get install -y hugo).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
command -v hugo >/dev/null || { echo "hugo not found (apt-get install -y hugo)" >&2; exit 1; }
# --clock fixes Hugo's "now" like hearth's --now; older Hugo releases lack it.
hugo --help 2>&1 | grep -q -- --clock \
  || { echo "this hugo ($(hugo version | cut -d' ' -f2)) has no --clock flag: it needs Hugo 0.111 or newer" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time not found (apt-get install -y time)" >&2; exit 1; }
cargo build --release --quiet
built_from=$(git rev-parse --short HEAD 2>/dev/null || echo '?')   # plus any uncommitted edits
bin=$root/target/release/hearth
now=2026-11-22T12:00:00Z
hugo_version=$(hugo version | cut -d' ' -f2)
work=$(mktemp -d)
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

sizes=("$@")
(( ${#sizes[@]} )) || sizes=(1000 10000 50000)

busy=$(pgrep -fa "cargo fuzz|fuzz|serve_latency|newsletter_bench|cargo test" | cut -c1-120 || true)
if [[ -n $busy ]]; then
  echo "warning: other benchmark or fuzz jobs are running; timings will be noisy:" >&2
  echo "$busy" >&2
fi
echo "$(nproc) cores; hearth at $built_from; hugo $hugo_version; $(uptime)"
echo "work folder $work: $(df -h --output=fstype,avail "$work" | tail -1) free"

results=$work/results.tsv   # N tool run wall_s rss_kb user_s sys_s load html_files
: > "$results"

# timed TOOL N RUN OUT -- COMMAND...: one build under /usr/bin/time -v into the new
# folder OUT; appends a row to $results (RUN 0 and below are warm-ups: not counted).
timed() {
  local tool=$1 n=$2 run=$3 out=$4; shift 5
  local load
  [[ ! -e $out ]] || { echo "$out exists" >&2; exit 1; }
  sync   # the previous build's writes are not flushed during this one
  load=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -v -o "$work/time.txt" "$@"
  local html
  html=$(find "$out" -name '*.html' | wc -l)
  awk -v tool="$tool" -v n="$n" -v run="$run" -v load="$load" -v html="$html" -F': ' '
    /Elapsed \(wall clock\)/ { k = split($NF, p, ":"); wall = 0
      for (i = 1; i <= k; i++) wall = wall * 60 + p[i] }
    /Maximum resident set size/ { rss = $NF }
    /User time/ { user = $NF }
    /System time/ { sys = $NF }
    END { printf "%s\t%s\t%s\t%.2f\t%s\t%s\t%s\t%s\t%s\n", n, tool, run, wall, rss, user, sys, load, html }
  ' "$work/time.txt" | tee -a "$results" \
    | awk -F'\t' '{ printf "  N=%-6s %-6s run %s: %7.2f s  %8.1f MB  (CPU %s + %s s, load %s, %s HTML files)\n",
        $1, $2, $3, $4, $5 / 1024, $6, $7, $8, $9 }'
}

for n in "${sizes[@]}"; do
  site=$work/site-$n hugo_site=$work/hugo-$n out=$work/out-$n
  runs=${RUNS:-$(( n >= 50000 ? 3 : 5 ))}
  warmup=${WARMUP:-$(( n >= 50000 ? 0 : 1 ))}
  echo "N=$n: generating the sites"
  python3 bench/gen_site.py "$n" "$site"
  python3 bench/gen_hugo_site.py --from "$site" "$hugo_site"
  echo "N=$n: $warmup warm-up and $runs timed builds of each, alternating; $(uptime)"
  for run in $(seq $(( 1 - warmup )) "$runs"); do
    # --drafts / -D -F: the generated posts dated after $now are built too.
    timed hearth "$n" "$run" "$out/hearth-$run" -- \
      "$bin" build "$site" --out "$out/hearth-$run" --drafts --now "$now" -q
    timed hugo "$n" "$run" "$out/hugo-$run" -- \
      hugo --source "$hugo_site" --destination "$out/hugo-$run" -D -F --clock "$now" --quiet \
        --cacheDir "$work/hugo_cache"
  done
done

echo
echo "$(date -u +%F), $(nproc) cores, hearth $built_from, Hugo $hugo_version; medians over the timed runs"
python3 - "$results" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
by = {}
for n, tool, run, wall, rss, user, sys_, load, html in rows:
    if int(run) < 1:
        continue  # warm-up
    d = by.setdefault(int(n), {}).setdefault(tool, {"wall": [], "rss": [], "user": [], "sys": [], "load": [], "html": set()})
    d["wall"].append(float(wall)); d["rss"].append(int(rss) / 1024)
    d["user"].append(float(user)); d["sys"].append(float(sys_)); d["load"].append(float(load)); d["html"].add(int(html))
med = statistics.median
print("| N | hearth median | hugo median | time ratio (hearth/hugo) | hearth peak | hugo peak "
      "| memory ratio | hearth CPU user + sys | hugo CPU user + sys | HTML files (hearth / hugo) | runs | load before |")
print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for n in sorted(by):
    h, g = by[n]["hearth"], by[n]["hugo"]
    ht, gt, hm, gm = med(h["wall"]), med(g["wall"]), med(h["rss"]), med(g["rss"])
    html = lambda d: "/".join(str(x) for x in sorted(d["html"]))
    loads = h["load"] + g["load"]
    print(f"| {n:,} | {ht:.2f} s | {gt:.2f} s | {ht / gt:.2f} | {hm:.0f} MB | {gm:.0f} MB | {hm / gm:.2f} "
          f"| {med(h['user']):.1f} + {med(h['sys']):.1f} s | {med(g['user']):.1f} + {med(g['sys']):.1f} s | {html(h)} / {html(g)} | {len(h['wall'])} "
          f"| {min(loads):.2f}–{max(loads):.2f} |")
print()
for n in sorted(by):
    for tool in ("hearth", "hugo"):
        d = by[n][tool]
        print(f"N={n:,} {tool:6s} each run: " + ", ".join(f"{w:.2f} s/{m:.0f} MB" for w, m in zip(d["wall"], d["rss"])))
if 10000 in by and 50000 in by:
    for tool in ("hearth", "hugo"):
        r = med(by[50000][tool]["wall"]) / med(by[10000][tool]["wall"])
        print(f"{tool}: median wall time at 50,000 / at 10,000 = {r:.2f}")
PY
