#!/usr/bin/env bash
# Instruction counts of a build's hot paths, for review: unlike wall time they hardly
# move from run to run, so a change that makes the build do more work shows up as a
# bigger number here even on a noisy machine. Usage:
#   bash bench/instructions.sh          compare with bench/instructions.baseline
#   bash bench/instructions.sh --save   write the counts as the new baseline
# It builds the release binary, generates the N-post site of bench/gen_site.py
# (N = 300, or INSTR_POSTS) and runs one `hearth build` of it under
# `valgrind --tool=callgrind` on one thread (RAYON_NUM_THREADS=1, so the counts do
# not depend on how work was shared out). It prints the inclusive instruction count
# (Ir) of each hot path, the baseline's and the change, and exits 1 when the whole
# build grew by more than THRESHOLD percent (default 2). Counts depend on the
# compiler and the C library: compare runs on one machine, and save a new baseline
# (in the same commit) when the toolchain changes or when a change is meant to cost
# more. Needs valgrind (apt-get install -y valgrind).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind not found (apt-get install -y valgrind)" >&2; exit 1; }
posts=${INSTR_POSTS:-300}
threshold=${THRESHOLD:-2}
baseline=bench/instructions.baseline
save=false
[[ ${1:-} == --save ]] && save=true

cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 bench/gen_site.py "$posts" "$work/site"
RAYON_NUM_THREADS=1 valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" \
  target/release/hearth build "$work/site" --out "$work/out" --drafts \
  --now 2026-11-22T12:00:00Z -q 2>"$work/valgrind.log" \
  || { cat "$work/valgrind.log" >&2; exit 1; }
callgrind_annotate --inclusive=yes --threshold=100 "$work/callgrind.out" \
  > "$work/annotated.txt" 2>/dev/null

python3 - "$work/annotated.txt" "$baseline" "$save" "$threshold" "$posts" <<'PY'
import re, sys
annotated, baseline, save, threshold, posts = sys.argv[1:]
# Hot paths: (label, the function as callgrind names it). Work on rayon's threads
# is not counted under the function that started it, so the list is flat.
PATHS = [
    ("whole build", None),
    ("loading content (front matter, markdown)", "hearth::content::load"),
    ("  of which markdown to HTML", "hearth::content::markdown::render"),
    ("  of which code highlighting", "hearth::content::highlight::highlight"),
    ("compiling templates", "hearth::render::compile"),
    ("template views", "hearth::render::views::Views::new"),
    ("rendering templates", "tera::tera::Tera::render"),
    ("feeds and calendars", "hearth::outputs::without_pages"),
    ("search index", "hearth::outputs::search::Source::each_file"),
    ("writing files", "hearth::output::Staging::put_keyed"),
]
text = open(annotated).read()
counts = {}
total = re.search(r"^([\d,]+) \(100\.0%\)\s+PROGRAM TOTALS", text, re.M)
if not total:
    sys.exit("no program total in callgrind_annotate's output")
counts["whole build"] = int(total.group(1).replace(",", ""))
for label, name in PATHS[1:]:
    # Lines look like `1,234,567 (12.34%)  file:function [binary]`. A function is
    # listed once per source file that has code in it (inlined code), each with
    # nearly the same inclusive count: take the largest. A generic function is a
    # function per type it was compiled for: add those up.
    largest = {}
    pattern = (r"^\s*([\d,]+) \(\s*[\d.]+%\)\s+\S*?:(" + re.escape(name)
               + r"(?:<[^\n\[]*>)?(?:::<[^\n\[]*>)?)(?: \[|$)")
    for m in re.finditer(pattern, text, re.M):
        count = int(m.group(1).replace(",", ""))
        largest[m.group(2)] = max(largest.get(m.group(2), 0), count)
    if not largest:
        sys.exit(f"`{name}` is not in the profile (renamed or inlined?): update PATHS in bench/instructions.sh")
    counts[label] = sum(largest.values())
old = {}
try:
    for line in open(baseline):
        if line.startswith("#") or "\t" not in line:
            continue
        label, value = line.rstrip("\n").split("\t")
        old[label] = int(value)
except FileNotFoundError:
    pass
print(f"Instructions (Ir, millions) of one build of the generated {posts}-post site, one thread:")
print(f"{'hot path':38} {'now':>10} {'baseline':>10} {'change':>8}")
# What the listed paths leave out (page contexts, sorting, allocation, ...).
listed = sum(counts[label] for label, name in PATHS if name and not label.startswith(" "))
counts["everything else"] = counts["whole build"] - listed
PATHS.append(("everything else", None))
for label, _ in PATHS:
    now = counts[label]
    was = old.get(label)
    change = f"{(now - was) / was * 100:+.1f}%" if was else "-"
    print(f"{label:38} {now / 1e6:10.1f} {(was or 0) / 1e6:10.1f} {change:>8}")
if save == "true":
    with open(baseline, "w") as f:
        f.write(f"# bash bench/instructions.sh --save: Ir of one build of the {posts}-post site\n")
        for label, _ in PATHS:
            f.write(f"{label}\t{counts[label]}\n")
    print(f"saved as {baseline}")
elif old.get("whole build"):
    growth = (counts["whole build"] - old["whole build"]) / old["whole build"] * 100
    if growth > float(threshold):
        sys.exit(f"the build does {growth:.1f}% more work than the baseline (limit {threshold}%)")
PY
