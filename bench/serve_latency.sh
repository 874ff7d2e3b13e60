#!/usr/bin/env bash
# Live-reload latency: the time from writing a post file to the rebuilt page being
# served, for `hearth serve` (example-site/ and generated sites) and `hugo server` (the
# same generated sites, converted by bench/gen_hugo_site.py). Usage:
#   bash bench/serve_latency.sh [N ...]      (default: 1000 10000)
# Environment: RUNS changes per server and site (default 5); HUGO_FAST lists the sizes
# that also get a `hugo server` row in Hugo's default fast-render mode (default: 1000;
# empty for none; at 10000 it adds about 4 minutes). Needs `hugo` on PATH
# (apt-get install -y hugo) for the Hugo rows; without it (or with SKIP_HUGO=1) they
# are skipped. TEMPLATE_SIZES lists the sizes that also get rows for template edits
# (default: 10000): the built-in theme's base.html (the layout every page extends),
# post.html (the post pages) and macros.html (every page imports it; the marker goes
# into the post card, then into the avatar, which nearly every page shows), each
# saved into the site's templates/ with a marker.
# The initial builds are not timed; bench/serve_latency.py does the measuring.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
cargo build --release --quiet
built_from=$(git rev-parse --short HEAD 2>/dev/null || echo '?')   # plus any uncommitted edits
bin=$root/target/release/hearth
now=2026-11-22T12:00:00Z
runs=${RUNS:-5}
hugo_fast=" ${HUGO_FAST-1000} "
# Sizes that also get a row for a template edit (every page rendered again).
template_sizes=" ${TEMPLATE_SIZES-10000} "
work=$(mktemp -d)
helper=""

cleanup() {
  # The helper stops its server itself; this covers the helper being killed first.
  if [[ -n $helper ]]; then kill "$helper" 2>/dev/null || true; wait "$helper" 2>/dev/null || true; fi
  if [[ -s $work/server.pid ]]; then kill -TERM -- "-$(cat "$work/server.pid")" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Debian's Hugo by default: the generated Hugo site's `_build` front matter is what
# Hugo 0.111 reads (Hugo 0.145 and later reject it); HUGO=path picks another.
hugo=${HUGO:-$( [[ -x /usr/bin/hugo ]] && echo /usr/bin/hugo || echo hugo )}
have_hugo=0
if [[ -n ${SKIP_HUGO:-} ]]; then
  echo "SKIP_HUGO is set: skipping the Hugo rows" >&2
elif ! command -v "$hugo" >/dev/null; then
  echo "hugo not found: skipping the Hugo rows" >&2
elif ! "$hugo" server --help 2>&1 | grep -q -- --clock; then
  echo "this hugo has no --clock flag (it needs Hugo 0.111 or newer): skipping the Hugo rows" >&2
else
  have_hugo=1
fi

results=()
# measure LABEL KIND SITE FILE URLPATH -- COMMAND...
measure() {
  local label=$1 kind=$2 site=$3 file=$4 path=$5; shift 6
  local load
  load=$(cut -d' ' -f1 /proc/loadavg)
  rm -f "$work/server.pid"
  python3 bench/serve_latency.py --kind "$kind" --site "$site" --file "$file" --path "$path" \
    --runs "$runs" --pidfile "$work/server.pid" ${template_src:+--template "$template_src" --anchor "$template_anchor"} \
    -- "$@" > "$work/out.json" &
  helper=$!
  wait "$helper"
  helper=""
  rm -f "$work/server.pid"
  results+=("$(python3 - "$work/out.json" "$label" "$load" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
label, load = sys.argv[2], sys.argv[3]
served, printed, initial = r["median_latency_ms"], r["median_printed_ms"], r["initial_build_ms"]
each = ", ".join(f"{x:.0f}" for x in r["latency_ms"])
printed = "n/a" if printed is None else f"{printed:.0f}"
print(f"| {label} | {served:.0f} ms | {printed} ms | {initial} ms | {each} | {load} |")
PY
)")
  echo "${results[-1]}"
}

sizes=("$@")
(( ${#sizes[@]} )) || sizes=(1000 10000)

echo "| site, server | median write-to-served | median printed rebuild | initial build (printed) | each run, ms | load before |"
echo "| --- | --- | --- | --- | --- | --- |"

cp -r example-site "$work/example"
rm -rf "$work/example/public"
measure "example-site, hearth serve" hearth "$work/example" \
  content/posts/2026-11-02-error-handling-in-rust.md /posts/error-handling-in-rust/ -- \
  "$bin" serve . --port 0 --now "$now"
rm -rf "$work/example"

for n in "${sizes[@]}"; do
  site=$work/site-$n post=content/posts/post-$((n / 2)).md path=/posts/post-$((n / 2))/
  python3 bench/gen_site.py "$n" "$site"
  if (( have_hugo )); then   # converted before hearth's runs append their markers
    python3 bench/gen_hugo_site.py --from "$site" "$work/hugo-$n"
    if [[ $hugo_fast == *" $n "* ]]; then cp -r "$work/hugo-$n" "$work/hugo-fast-$n"; fi
  fi
  # --drafts / -D -F: every generated post is published, also those dated after $now.
  measure "$n posts, hearth serve" hearth "$site" "$post" "$path" -- \
    "$bin" serve . --port 0 --now "$now" --drafts
  if [[ $template_sizes == *" $n "* ]]; then
    # what is edited, the template, where the marker goes, the page polled for it.
    for edit in "base.html|base.html|</body>|$path" "post.html|post.html|{% endblock content %}|$path" \
      "macros.html (post_card)|macros.html|{%- endmacro post_card %}|/posts/" \
      "macros.html (avatar)|macros.html|{%- endmacro avatar %}|$path"; do
      IFS='|' read -r label name anchor page <<< "$edit"
      template_src=themes/hearth/templates/$name template_anchor=$anchor \
        measure "$n posts, hearth serve, $label edit" hearth "$site" "templates/$name" "$page" -- \
        "$bin" serve . --port 0 --now "$now" --drafts
      rm -rf "$site/templates"
    done
  fi
  rm -rf "$site"
  if (( have_hugo )); then
    measure "$n posts, hugo server --disableFastRender" hugo "$work/hugo-$n" "$post" "$path" -- \
      "$hugo" server --port PORT --disableFastRender --clock "$now" -D -F --cacheDir "$work/hugo_cache"
    rm -rf "$work/hugo-$n"
    if [[ -d $work/hugo-fast-$n ]]; then
      measure "$n posts, hugo server (default fast render)" hugo "$work/hugo-fast-$n" "$post" "$path" -- \
        "$hugo" server --port PORT --clock "$now" -D -F --cacheDir "$work/hugo_cache"
      rm -rf "$work/hugo-fast-$n"
    fi
  fi
done

echo
echo "Summary: $(nproc) cores, RUNS=$runs, $(date -u +%F), hearth built at $built_from, $("$hugo" version 2>/dev/null | cut -d' ' -f1-2 || echo 'no hugo')"
echo "| site, server | median write-to-served | median printed rebuild | initial build (printed) | each run, ms | load before |"
echo "| --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${results[@]}"
