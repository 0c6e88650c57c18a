#!/usr/bin/env bash
# `ludd build` after a one-page change: a cold build, then five times (change one page, build),
# each under /usr/bin/time (wall, user, system time, peak RSS) with the load average beside it.
#
#   bench/one_page_build.sh <ludd binary> <site root> [output folder]
#
# The site's content is edited in place (one line appended to its first page per run).
set -eu
bin=$1; site=$2; out=${3:-$site/public}
rm -rf "$out"
timed() { /usr/bin/time -f "$1 wall %e s, user %U s, system %S s, peak RSS %M kB, load $(cut -d' ' -f1 /proc/loadavg)" "${@:2}" 2>&1 | tail -1; }
timed cold "$bin" --root "$site" build --quiet --output "$out"
page=$(find "$site/content" -name '*.md' ! -name '_index*' | sort | head -1)
for i in 1 2 3 4 5; do
  cp "$page" "$page.new" && echo "Edit $i." >> "$page.new" && mv "$page.new" "$page"
  timed "edit $i" "$bin" --root "$site" build --quiet --output "$out"
done
