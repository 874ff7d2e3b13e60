#!/usr/bin/env bash
# Times `hearth build` on the example site and on generated sites, several runs each,
# and prints the median wall time and peak memory. Usage:
#   bash bench/build_time.sh [N ...]      (default: 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/hearth
now=2026-11-22T12:00:00Z
runs=${RUNS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

measure() { # label site
  local label=$1 site=$2 times=() mems=()
  "$bin" build "$site" --out "$work/out" --now "$now" -q   # warm the file cache
  for _ in $(seq "$runs"); do
    local line
    line=$( { /usr/bin/time -f "%e %M" "$bin" build "$site" --out "$work/out" --now "$now" -q; } 2>&1 | tail -1)
    times+=("${line% *}"); mems+=("${line#* }")
  done
  local t m
  t=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
  m=$(printf '%s\n' "${mems[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
  printf '%-24s median %6.2f s   peak %7.1f MB   (%d runs)\n' "$label" "$t" "$(echo "$m / 1024" | bc -l)" "$runs"
}

measure "example-site" example-site
for n in "${@:-1000}"; do
  python3 bench/gen_site.py "$n" "$work/site-$n"
  measure "generated, $n posts" "$work/site-$n"
done
